// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
)

func passwordOptions(f *fakeSupervisor, password, audience string) Options {
	return Options{
		Issuer:                       f.server.URL,
		ClientID:                     "pinniped-cli",
		Scopes:                       []string{"openid", "offline_access", "pinniped:request-audience", "username", "groups"},
		RequestAudience:              audience,
		UpstreamIdentityProviderName: "corp-ldap",
		UpstreamIdentityProviderType: "ldap",
		Username:                     "pinny",
		Password:                     password,
		HTTPClient:                   f.server.Client(),
		Log:                          logr.Discard(),
	}
}

// TestCLIPasswordThenTokenExchange: the cli_password flow, then the RFC 8693
// exchange with exactly the parameters the Supervisor expects.
func TestCLIPasswordThenTokenExchange(t *testing.T) {
	f := newFakeSupervisor(t)
	token, err := Login(context.Background(), passwordOptions(f, "right-password", "workload1-aud"))
	require.NoError(t, err)
	require.NotNil(t, token.IDToken)
	require.Nil(t, token.AccessToken, "an exchanged token is only an ID token")
	require.Equal(t, []any{"workload1-aud"}, token.IDToken.Claims["aud"])
	require.Equal(t, "pinny", token.IDToken.Claims["username"])

	require.Equal(t, url.Values{
		"client_id":            {"pinniped-cli"},
		"grant_type":           {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"audience":             {"workload1-aud"},
		"subject_token":        {"pin_at_access"},
		"subject_token_type":   {"urn:ietf:params:oauth:token-type:access_token"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"},
	}, f.exchangeForm)
	require.Empty(t, f.exchangeAuthz)
}

func TestCLIPasswordWrongPassword(t *testing.T) {
	f := newFakeSupervisor(t)
	_, err := Login(context.Background(), passwordOptions(f, "wrong-password", ""))
	require.EqualError(t, err, `login failed with code "access_denied": The resource owner or authorization `+
		`server denied the request. Username/password not accepted by LDAP provider.`)
}

func TestTokenExchangeResponses(t *testing.T) {
	tests := []struct {
		name    string
		reply   func(f *fakeSupervisor) func(http.ResponseWriter, string)
		wantErr string
	}{
		{
			name: "oauth_error_is_reported",
			reply: func(*fakeSupervisor) func(http.ResponseWriter, string) {
				return func(w http.ResponseWriter, _ string) {
					writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied",
						"error_description": "missing the pinniped:request-audience scope"})
				}
			},
			wantErr: `token exchange for audience "workload1-aud" failed: status 403 Forbidden: ` +
				`access_denied: missing the pinniped:request-audience scope`,
		},
		{
			name: "not_json",
			reply: func(*fakeSupervisor) func(http.ResponseWriter, string) {
				return func(w http.ResponseWriter, _ string) {
					w.Header().Set("Content-Type", "text/plain")
					_, _ = w.Write([]byte("hello"))
				}
			},
			wantErr: `token exchange response has content type "text/plain", not application/json`,
		},
		{
			name: "wrong_token_type",
			reply: func(f *fakeSupervisor) func(http.ResponseWriter, string) {
				return func(w http.ResponseWriter, audience string) {
					writeJSON(w, http.StatusOK, map[string]string{
						"access_token": f.sign(map[string]any{"aud": audience}), "token_type": "Bearer",
						"issued_token_type": "urn:ietf:params:oauth:token-type:jwt",
					})
				}
			},
			wantErr: `token exchange response has token_type "Bearer", not "N_A"`,
		},
		{
			name: "wrong_issued_token_type",
			reply: func(f *fakeSupervisor) func(http.ResponseWriter, string) {
				return func(w http.ResponseWriter, audience string) {
					writeJSON(w, http.StatusOK, map[string]string{
						"access_token": f.sign(map[string]any{"aud": audience}), "token_type": "N_A",
						"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
					})
				}
			},
			wantErr: `token exchange response has issued_token_type ` +
				`"urn:ietf:params:oauth:token-type:access_token", not "urn:ietf:params:oauth:token-type:jwt"`,
		},
		{
			name: "jwt_for_another_audience",
			reply: func(f *fakeSupervisor) func(http.ResponseWriter, string) {
				return func(w http.ResponseWriter, _ string) {
					writeJSON(w, http.StatusOK, map[string]string{
						"access_token": f.sign(map[string]any{"aud": []string{"workload2-aud"}}), "token_type": "N_A",
						"issued_token_type": "urn:ietf:params:oauth:token-type:jwt",
					})
				}
			},
			wantErr: `token exchange for audience "workload1-aud": could not verify the ID token: ` +
				`oidc: expected audience "workload1-aud" got ["workload2-aud"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSupervisor(t)
			f.exchangeReply = tt.reply(f)
			_, err := Login(context.Background(), passwordOptions(f, "right-password", "workload1-aud"))
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestInvalidFlow(t *testing.T) {
	_, err := Login(context.Background(),
		Options{Issuer: "https://x", ClientID: "c", UpstreamIdentityProviderFlow: "magic"})
	require.EqualError(t, err,
		`invalid upstream identity provider flow "magic": expected browser_authcode or cli_password`)
}
