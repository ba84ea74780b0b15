// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	clientID     = "pinniped-supervisor"
	clientSecret = "supervisor-secret"
	redirectURI  = "https://127.0.0.1:8443/issuer/callback"
	email        = "pinny@example.com"
	password     = "seal-password"
)

// startDex runs a real Dex with one client and one user in groups seals and admins.
func startDex(t *testing.T) *testlib.Dex {
	t.Helper()
	return testlib.StartDex(t, testlib.DexOptions{
		Clients: []testlib.DexClient{{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}}},
		Users: []testlib.DexUser{{Email: email, Username: "pinny", Password: password,
			Groups: []string{"seals", "admins"}}},
	})
}

// config is an OIDCIdentityProvider as the reference scenario sets it up.
func config(dex *testlib.Dex) oidc.Config {
	return oidc.Config{
		Name:               "dex",
		Issuer:             dex.Issuer,
		ClientID:           clientID,
		ClientSecret:       clientSecret,
		Scopes:             oidc.Scopes([]string{"groups", "email", "profile", "offline_access"}),
		AllowPasswordGrant: true,
		Claims: oidc.ClaimsConfig{Username: "email", Groups: "groups",
			AdditionalClaimMappings: map[string]string{"name": "preferred_username"}},
		RootCAs: dex.Pool(),
	}
}

func discover(t *testing.T, cfg oidc.Config) *oidc.Provider {
	t.Helper()
	p, err := oidc.Discover(context.Background(), cfg)
	require.NoError(t, err)
	return p
}

func TestDiscover(t *testing.T) {
	dex := startDex(t)
	otherCA, err := certauthority.New("other", time.Hour)
	require.NoError(t, err)
	tests := []struct {
		name    string
		change  func(*oidc.Config)
		wantErr error
	}{
		{name: "succeeds", change: func(*oidc.Config) {}},
		{name: "untrusted_certificate_is_unreachable",
			change: func(c *oidc.Config) { c.RootCAs = otherCA.Pool() }, wantErr: oidc.ErrUnreachable},
		{name: "host_roots_do_not_trust_dex",
			change: func(c *oidc.Config) { c.RootCAs = x509.NewCertPool() }, wantErr: oidc.ErrUnreachable},
		{name: "wrong_path_is_unreachable",
			change: func(c *oidc.Config) { c.Issuer += "/nothing" }, wantErr: oidc.ErrUnreachable},
		{name: "issuer_mismatch_is_invalid",
			change: func(c *oidc.Config) { c.Issuer += "/" }, wantErr: oidc.ErrInvalidResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(dex)
			tt.change(&cfg)
			p, err := oidc.Discover(context.Background(), cfg)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Nil(t, p)
				return
			}
			require.NoError(t, err)
			require.True(t, p.HasUserInfo())
		})
	}
}

func TestPasswordGrant(t *testing.T) {
	dex := startDex(t)
	tests := []struct {
		name         string
		allow        bool
		password     string
		wantErr      error
		wantCode     string
		wantUsername string
	}{
		{name: "maps_email_and_groups", allow: true, password: password, wantUsername: email},
		{name: "wrong_password_is_access_denied", allow: true, password: "nope",
			wantErr: oidc.ErrInvalidGrant, wantCode: oidc.CodeAccessDenied},
		{name: "not_allowed_by_spec", allow: false, password: password,
			wantErr: oidc.ErrPasswordGrantNotAllowed, wantCode: oidc.CodeAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(dex)
			cfg.AllowPasswordGrant = tt.allow
			result, err := discover(t, cfg).PasswordGrant(context.Background(), email, tt.password)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Equal(t, tt.wantCode, oidc.RFC6749Code(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantUsername, result.Identity.Username)
			require.Equal(t, []string{"seals", "admins"}, result.Identity.Groups)
			require.Equal(t, map[string]any{"name": "pinny"}, result.Identity.AdditionalClaims)
			require.NotEmpty(t, result.Identity.Subject)
			require.NotEmpty(t, result.Tokens.RefreshToken)
			require.NotEmpty(t, result.Tokens.IDToken)
		})
	}
}

func TestDefaultUsernameIsIssuerAndSubject(t *testing.T) {
	dex := startDex(t)
	cfg := config(dex)
	cfg.Claims = oidc.ClaimsConfig{}
	result, err := discover(t, cfg).PasswordGrant(context.Background(), email, password)
	require.NoError(t, err)
	require.Equal(t, dex.Issuer+"?sub="+url.QueryEscape(result.Identity.Subject), result.Identity.Username)
	require.Equal(t, []string{}, result.Identity.Groups)
	require.Nil(t, result.Identity.AdditionalClaims)
}

func TestAuthorizeURL(t *testing.T) {
	dex := startDex(t)
	cfg := config(dex)
	cfg.AdditionalAuthorizeParameters = []oidc.Parameter{{Name: "prompt", Value: "login"}}
	raw := discover(t, cfg).AuthorizeURL(redirectURI, "the-state", "the-nonce", "the-verifier-0123456789-0123456789-0123")
	u, err := url.Parse(raw)
	require.NoError(t, err)
	require.Equal(t, dex.Issuer+"/auth", u.Scheme+"://"+u.Host+u.Path)
	require.Equal(t, url.Values{
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"response_type":         {"code"},
		"scope":                 {"openid groups email profile offline_access"},
		"state":                 {"the-state"},
		"nonce":                 {"the-nonce"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier("the-verifier-0123456789-0123456789-0123")},
		"code_challenge_method": {"S256"},
		"prompt":                {"login"},
	}, u.Query())
}

// login drives Dex's login page like a browser and returns the code of the callback.
func login(t *testing.T, dex *testlib.Dex, p *oidc.Provider, state, nonce, verifier string) string {
	t.Helper()
	callback, err := testlib.BrowserLogin(context.Background(), dex.HTTPClient(),
		p.AuthorizeURL(redirectURI, state, nonce, verifier), redirectURI, email, password)
	require.NoError(t, err)
	require.Equal(t, state, callback.Query().Get("state"))
	require.NotEmpty(t, callback.Query().Get("code"))
	return callback.Query().Get("code")
}

func TestAuthorizationCodeFlow(t *testing.T) {
	dex := startDex(t)
	p := discover(t, config(dex))
	tests := []struct {
		name         string
		exchangeWith func(verifier, nonce string) (string, string)
		wantErr      error
		wantCode     string
	}{
		{name: "succeeds", exchangeWith: func(v, n string) (string, string) { return v, n }},
		{name: "wrong_pkce_verifier_is_refused",
			exchangeWith: func(_, n string) (string, string) { return oauth2.GenerateVerifier(), n },
			wantErr:      oidc.ErrInvalidGrant, wantCode: oidc.CodeAccessDenied},
		{name: "wrong_nonce_is_refused",
			exchangeWith: func(v, _ string) (string, string) { return v, "another-nonce" },
			wantErr:      oidc.ErrInvalidToken, wantCode: oidc.CodeAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verifier, nonce := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
			code := login(t, dex, p, "state-"+tt.name, nonce, verifier)
			useVerifier, useNonce := tt.exchangeWith(verifier, nonce)
			result, err := p.ExchangeCode(context.Background(), code, redirectURI, useVerifier, useNonce)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Equal(t, tt.wantCode, oidc.RFC6749Code(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, email, result.Identity.Username)
			require.Equal(t, []string{"seals", "admins"}, result.Identity.Groups)
			require.NotEmpty(t, result.Tokens.RefreshToken)

			_, err = p.ExchangeCode(context.Background(), code, redirectURI, verifier, nonce)
			require.ErrorIs(t, err, oidc.ErrInvalidGrant, "a code is single-use")
		})
	}
}

func TestRefresh(t *testing.T) {
	dex := startDex(t)
	p := discover(t, config(dex))
	ctx := context.Background()
	first, err := p.PasswordGrant(ctx, email, password)
	require.NoError(t, err)

	refreshed, err := p.Refresh(ctx, first.Tokens.RefreshToken)
	require.NoError(t, err)
	require.NotEqual(t, first.Tokens.RefreshToken, refreshed.Tokens.RefreshToken, "dex rotates refresh tokens")
	require.Equal(t, first.Identity, refreshed.Identity)

	// Dex reads its users only at start: SetGroups restarts it, keeping its database.
	require.NoError(t, dex.SetGroups(email, []string{"walruses"}))
	regrouped, err := p.Refresh(ctx, refreshed.Tokens.RefreshToken)
	require.NoError(t, err)
	require.Equal(t, []string{"walruses"}, regrouped.Identity.Groups)
	require.Equal(t, first.Identity.Subject, regrouped.Identity.Subject)

	_, err = p.Refresh(ctx, "not-a-refresh-token")
	require.ErrorIs(t, err, oidc.ErrInvalidGrant)
	require.Equal(t, oidc.CodeAccessDenied, oidc.RFC6749Code(err))
}

// TestUnavailable checks that a stopped issuer is reported as one that may come back.
func TestUnavailable(t *testing.T) {
	dex := startDex(t)
	p := discover(t, config(dex))
	dex.Stop()
	_, err := p.PasswordGrant(context.Background(), email, password)
	require.ErrorIs(t, err, oidc.ErrUpstreamUnavailable)
	require.Equal(t, oidc.CodeTemporarilyUnavailable, oidc.RFC6749Code(err))
	require.False(t, errors.Is(err, oidc.ErrInvalidGrant))
}
