// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apiserver/pkg/authentication/authenticator"
)

// maxLoggedIssuer bounds how much of an unverified, attacker-chosen issuer goes into
// a log line.
const maxLoggedIssuer = 100

// AuthenticateToken authenticates with the Kubernetes OIDC authenticator. That
// authenticator declines, without an error, a token that is not a JWT or that
// names another issuer (so that a chain of authenticators can try the next one).
// Here there is no next one, and the server log should say why the token was
// refused, so such a decline becomes an error describing it.
func (a *cachedAuthenticator) AuthenticateToken(ctx context.Context, token string) (
	*authenticator.Response, bool, error,
) {
	resp, ok, err := a.Token.AuthenticateToken(ctx, token)
	if ok || err != nil {
		return resp, ok, err
	}
	return nil, false, declineReason(token, a.config.issuer)
}

// declineReason explains why a token was declined, reading its claims without
// trusting them: the reason goes to the server log, never to the client.
func declineReason(token, issuer string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("token is not a JWT: its payload is not base64url")
	}
	var claims struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return errors.New("token is not a JWT: its payload is not a JSON object")
	}
	if claims.Issuer != issuer {
		got := claims.Issuer
		if len(got) > maxLoggedIssuer {
			got = got[:maxLoggedIssuer] + "..."
		}
		return fmt.Errorf("token issuer %q is not the authenticator's issuer %q", got, issuer)
	}
	return errors.New("token declined by the authenticator")
}
