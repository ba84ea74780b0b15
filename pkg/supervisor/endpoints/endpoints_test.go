// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package endpoints

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// staticJWKS is a JWKSSource with fixed contents.
type staticJWKS map[string]string

func (s staticJWKS) PublicJWKS(name string) ([]byte, bool) {
	set, ok := s[name]
	return []byte(set), ok
}

const discoveryOne = `{
	"issuer": "https://one.example.com/a",
	"authorization_endpoint": "https://one.example.com/a/oauth2/authorize",
	"token_endpoint": "https://one.example.com/a/oauth2/token",
	"jwks_uri": "https://one.example.com/a/jwks.json",
	"response_types_supported": ["code"],
	"response_modes_supported": ["query", "form_post"],
	"subject_types_supported": ["public"],
	"id_token_signing_alg_values_supported": ["ES256"],
	"token_endpoint_auth_methods_supported": ["client_secret_basic"],
	"scopes_supported": ["openid", "offline_access", "pinniped:request-audience", "username", "groups"],
	"claims_supported": ["username", "groups", "additionalClaims"],
	"code_challenge_methods_supported": ["S256"],
	"discovery.supervisor.pinniped.dev/v1alpha1": {
		"pinniped_identity_providers_endpoint": "https://one.example.com/a/v1alpha1/pinniped_identity_providers"
	}
}`

const supportedTypesJSON = `[{"type":"activedirectory"},{"type":"github"},{"type":"ldap"},{"type":"oidc"}]`

func TestHandler(t *testing.T) {
	fallback := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "fallback", http.StatusNotFound)
	})
	h := New(staticJWKS{"one-jwks": `{"keys":[]}`}, fallback, nil)
	h.SetFederationDomains(
		FederationDomain{
			Name: "one", Issuer: "https://one.example.com/a", JWKSSecretName: "one-jwks",
			IdentityProviders: []IdentityProvider{
				{DisplayName: "z-ldap", Type: idpdiscoveryv1alpha1.IDPTypeLDAP},
				{DisplayName: "b-oidc", Type: idpdiscoveryv1alpha1.IDPTypeOIDC, AllowPasswordGrant: true},
				{DisplayName: "a-oidc", Type: idpdiscoveryv1alpha1.IDPTypeOIDC},
				{DisplayName: "c-ad", Type: idpdiscoveryv1alpha1.IDPTypeActiveDirectory},
				{DisplayName: "d-github", Type: idpdiscoveryv1alpha1.IDPTypeGitHub},
			},
		},
		FederationDomain{Name: "two", Issuer: "https://two.example.com:8443", JWKSSecretName: "two-jwks"},
	)

	tests := []struct {
		name, method, host, path string
		wantStatus               int
		wantBody                 string
		wantJSON                 bool
	}{
		{
			name: "discovery", method: "GET", host: "one.example.com", path: "/a/.well-known/openid-configuration",
			wantStatus: 200, wantBody: discoveryOne, wantJSON: true,
		},
		{
			name: "host_is_not_case_sensitive_and_default_port_is_ignored", method: "GET", host: "ONE.example.com:443",
			path: "/a/.well-known/openid-configuration", wantStatus: 200, wantBody: discoveryOne, wantJSON: true,
		},
		{
			name: "path_is_case_sensitive", method: "GET", host: "one.example.com",
			path: "/A/.well-known/openid-configuration", wantStatus: 404, wantBody: "fallback\n",
		},
		{
			name: "post_is_refused", method: "POST", host: "one.example.com", path: "/a/.well-known/openid-configuration",
			wantStatus: 405, wantBody: "Method not allowed (try GET)\n",
		},
		{
			name: "jwks", method: "GET", host: "one.example.com", path: "/a/jwks.json",
			wantStatus: 200, wantBody: `{"keys":[]}`, wantJSON: true,
		},
		{
			name: "jwks_not_loaded_yet", method: "GET", host: "two.example.com:8443", path: "/jwks.json",
			wantStatus: 404, wantBody: "JWKS not found for requested issuer\n",
		},
		{
			name: "identity_providers_sorted_with_their_flows", method: "GET", host: "one.example.com",
			path: "/a/v1alpha1/pinniped_identity_providers", wantStatus: 200, wantJSON: true,
			wantBody: `{"pinniped_identity_providers":[
				{"name":"a-oidc","type":"oidc","flows":["browser_authcode"]},
				{"name":"b-oidc","type":"oidc","flows":["browser_authcode","cli_password"]},
				{"name":"c-ad","type":"activedirectory","flows":["cli_password","browser_authcode"]},
				{"name":"d-github","type":"github","flows":["browser_authcode"]},
				{"name":"z-ldap","type":"ldap","flows":["cli_password","browser_authcode"]}],
				"pinniped_supported_identity_provider_types":` + supportedTypesJSON + `}`,
		},
		{
			name: "no_identity_providers", method: "GET", host: "two.example.com:8443",
			path: "/v1alpha1/pinniped_identity_providers", wantStatus: 200, wantJSON: true,
			wantBody: `{"pinniped_identity_providers":[],"pinniped_supported_identity_provider_types":` +
				supportedTypesJSON + `}`,
		},
		{
			name: "issuer_port_must_match", method: "GET", host: "two.example.com",
			path: "/.well-known/openid-configuration", wantStatus: 404, wantBody: "fallback\n",
		},
		{
			name: "unknown_host", method: "GET", host: "three.example.com", path: "/a/jwks.json",
			wantStatus: 404, wantBody: "fallback\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "https://"+tt.host+tt.path, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tt.wantStatus, rec.Code)
			if tt.wantJSON {
				require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
				require.JSONEq(t, tt.wantBody, rec.Body.String())
				return
			}
			require.Equal(t, tt.wantBody, rec.Body.String())
		})
	}
}

func TestSetFederationDomainsReplacesTheWholeSet(t *testing.T) {
	h := New(staticJWKS{}, http.NotFoundHandler(), nil)
	h.SetFederationDomains(FederationDomain{Name: "one", Issuer: "https://one.example.com"})
	h.SetFederationDomains(FederationDomain{Name: "two", Issuer: "https://two.example.com"})

	for host, want := range map[string]int{"one.example.com": 404, "two.example.com": 200} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "https://"+host+DiscoveryPath, nil))
		require.Equal(t, want, rec.Code, host)
	}
}
