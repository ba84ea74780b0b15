// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

// The RFC 8693 names the Supervisor's token exchange uses.
const (
	grantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccessToken   = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"
	// tokenTypeNotApplicable is the token_type of an issued token that is not an
	// OAuth access token (RFC 8693 section 2.2.1).
	tokenTypeNotApplicable = "N_A"
)

type tokenExchangeResponse struct {
	AccessToken     string `json:"access_token"`
	TokenType       string `json:"token_type"`
	IssuedTokenType string `json:"issued_token_type"`
}

// exchangeToken trades the session's access token for a JWT whose audience is the
// requested cluster audience (RFC 8693). golang.org/x/oauth2 has no token exchange,
// so the request is built here, exactly as the Supervisor expects it: a public
// client, so client_id in the form and no Authorization header.
func (l *login) exchangeToken(ctx context.Context, accessToken string) (*oidctypes.Token, error) {
	form := url.Values{
		"client_id":            {l.opts.ClientID},
		"grant_type":           {grantTypeTokenExchange},
		"audience":             {l.opts.RequestAudience},
		"subject_token":        {accessToken},
		"subject_token_type":   {tokenTypeAccessToken},
		"requested_token_type": {tokenTypeJWT},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.oauth2Config.Endpoint.TokenURL,
		strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("could not build the token exchange request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := l.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not exchange the token for audience %q: %w", l.opts.RequestAudience, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("could not read the token exchange response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token exchange for audience %q failed: status %s: %s",
			l.opts.RequestAudience, resp.Status, oauthError(body))
	}
	if mediaType, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil ||
		mediaType != "application/json" {
		return nil, fmt.Errorf("token exchange response has content type %q, not application/json",
			resp.Header.Get("Content-Type"))
	}
	var exchanged tokenExchangeResponse
	if err := json.Unmarshal(body, &exchanged); err != nil {
		return nil, fmt.Errorf("could not decode the token exchange response: %w", err)
	}
	if exchanged.TokenType != tokenTypeNotApplicable {
		return nil, fmt.Errorf("token exchange response has token_type %q, not %q",
			exchanged.TokenType, tokenTypeNotApplicable)
	}
	if exchanged.IssuedTokenType != tokenTypeJWT {
		return nil, fmt.Errorf("token exchange response has issued_token_type %q, not %q",
			exchanged.IssuedTokenType, tokenTypeJWT)
	}
	idToken, claims, err := l.verifyIDToken(ctx, exchanged.AccessToken, l.opts.RequestAudience)
	if err != nil {
		return nil, fmt.Errorf("token exchange for audience %q: %w", l.opts.RequestAudience, err)
	}
	return &oidctypes.Token{IDToken: &oidctypes.IDToken{
		Token: exchanged.AccessToken, Expiry: metav1.NewTime(idToken.Expiry), Claims: claims,
	}}, nil
}

// oauthError renders an OAuth2 error body for a message; a body of another shape
// is not shown, since it might echo something secret.
func oauthError(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "no OAuth error in the response"
	}
	if e.Description == "" {
		return e.Error
	}
	return e.Error + ": " + e.Description
}
