// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"k8s.io/klog/v2"
)

// tokenExchangeResponse is the RFC 8693 answer: the ID token for the requested
// audience, in access_token, as Pinniped clients expect.
type tokenExchangeResponse struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
}

// tokenExchange turns a Supervisor access token into an ID token whose audience is
// one cluster (RFC 8693). It is Pinniped's own grant, so it is served here rather
// than by the op package, whose answer has another shape.
func (f *federationDomain) tokenExchange(w http.ResponseWriter, r *http.Request, clientID string) {
	fail := func(err error) { op.RequestError(w, r, err, nil) }
	form := r.PostForm
	for _, name := range []string{"resource", "scope", "actor_token", "actor_token_type"} {
		if form.Has(name) {
			fail(oidc.ErrInvalidRequest().WithDescription("The %s parameter is not supported.", name))
			return
		}
	}
	client := f.lookupClient(clientID)
	if client == nil {
		fail(oidc.ErrInvalidClient().WithDescription("The client is not known."))
		return
	}
	if dynamic, ok := client.(*dynamicClient); ok {
		// Confidential clients authenticate here too; pinniped-cli is public.
		_, secret, hasBasic := r.BasicAuth()
		if !hasBasic || !dynamic.authenticate(secret) {
			fail(oidc.ErrInvalidClient().WithDescription("Client authentication failed."))
			return
		}
	}
	if !op.ValidateGrantType(client, oidc.GrantTypeTokenExchange) {
		fail(oidc.ErrUnauthorizedClient().WithDescription("The client may not use the token exchange grant."))
		return
	}
	audience := form.Get("audience")
	switch {
	case audience == "":
		fail(oidc.ErrInvalidRequest().WithDescription("The audience parameter is missing."))
		return
	case strings.Contains(audience, ".pinniped.dev") || audience == CLIClientID:
		fail(oidc.ErrInvalidRequest().WithDescription("The requested audience is reserved and cannot be issued."))
		return
	case form.Get("subject_token") == "":
		fail(oidc.ErrInvalidRequest().WithDescription("The subject_token parameter is missing."))
		return
	case form.Get("subject_token_type") != string(oidc.AccessTokenType):
		fail(oidc.ErrInvalidRequest().WithDescription("The subject_token_type must be %s.", oidc.AccessTokenType))
		return
	case form.Get("requested_token_type") != string(oidc.JWTTokenType):
		fail(oidc.ErrInvalidRequest().WithDescription("The requested_token_type must be %s.", oidc.JWTTokenType))
		return
	}
	sess, err := f.storage.accessTokenSession(r.Context(), form.Get("subject_token"))
	if err != nil {
		if errors.Is(err, errInvalidAccessToken) {
			fail(oidc.ErrInvalidRequest().WithDescription("The subject_token is invalid or has expired."))
		} else {
			fail(oidc.ErrServerError().WithDescription("The session storage is not available.").WithParent(err))
		}
		return
	}
	switch {
	case sess.Request.ClientID != clientID:
		fail(oidc.ErrInvalidRequest().WithDescription("The subject_token was issued to another client."))
		return
	case !sess.granted(oidc.ScopeOpenID) || !sess.granted(ScopeRequestAudience):
		fail(oidc.ErrAccessDenied().WithDescription("The subject_token was not granted the openid and %s scopes.",
			ScopeRequestAudience))
		return
	case !sess.granted(ScopeUsername) || sess.Identity.Username == "":
		fail(oidc.ErrAccessDenied().WithDescription("The subject_token has no username. Ensure that the " +
			"`username` scope was requested and granted at the authorization endpoint."))
		return
	}
	idToken, err := f.clusterIDToken(sess, audience)
	if err != nil {
		fail(oidc.ErrServerError().WithDescription("The token could not be signed.").WithParent(err))
		return
	}
	klog.InfoS("token exchanged", "federationDomain", f.name, "clientID", clientID, "audience", audience,
		"username", sess.Identity.Username)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(tokenExchangeResponse{
		AccessToken: idToken, IssuedTokenType: string(oidc.JWTTokenType), TokenType: "N_A",
	})
}

// clusterIDToken signs an ID token for one cluster audience.
func (f *federationDomain) clusterIDToken(sess *session, audience string) (string, error) {
	key, err := f.signingKey()
	if err != nil {
		return "", err
	}
	jti, err := newID()
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	now := f.clock.Now()
	claims := sess.claims()
	claims["iss"] = f.issuer
	claims["sub"] = sess.Identity.Subject
	claims["aud"] = []string{audience}
	claims["azp"] = sess.Request.ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(IDTokenLifetime).Unix()
	claims["auth_time"] = sess.Identity.AuthTime.Unix()
	claims["jti"] = jti
	return josejwt.Signed(signer).Claims(claims).Serialize()
}
