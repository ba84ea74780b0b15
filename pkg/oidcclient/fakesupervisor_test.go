// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// fakeSupervisor speaks the Supervisor's wire format (discovery with the Pinniped
// extension, IdP discovery, the cli_password authorize request, and the token
// endpoint's authorization code and RFC 8693 grants) closely enough to test the
// client's side of it.
type fakeSupervisor struct {
	t      *testing.T
	server *httptest.Server
	key    *ecdsa.PrivateKey

	mu            sync.Mutex
	nonce         string
	challenge     string
	exchangeForm  url.Values
	exchangeAuthz string
	// exchangeReply, when set, replaces the normal token exchange response.
	exchangeReply func(w http.ResponseWriter, audience string)
}

func newFakeSupervisor(t *testing.T) *fakeSupervisor {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	f := &fakeSupervisor{t: t, key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"},
		}})
	})
	mux.HandleFunc("GET /v1alpha1/pinniped_identity_providers", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"pinniped_identity_providers": []map[string]any{
				{"name": "corp-ldap", "type": "ldap", "flows": []string{"cli_password", "browser_authcode"}},
			},
			"pinniped_supported_identity_provider_types": []map[string]string{
				{"type": "activedirectory"}, {"type": "github"}, {"type": "ldap"}, {"type": "oidc"},
			},
		})
	})
	mux.HandleFunc("GET /oauth2/authorize", f.authorize)
	mux.HandleFunc("POST /oauth2/token", f.token)
	f.server = httptest.NewTLSServer(mux)
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeSupervisor) discovery(w http.ResponseWriter, _ *http.Request) {
	issuer := f.server.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/oauth2/authorize",
		"token_endpoint":                        issuer + "/oauth2/token",
		"jwks_uri":                              issuer + "/jwks.json",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "form_post"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"discovery.supervisor.pinniped.dev/v1alpha1": map[string]string{
			"pinniped_identity_providers_endpoint": issuer + "/v1alpha1/pinniped_identity_providers",
		},
	})
}

// authorize is the browserless flow: credentials in headers, a redirect back.
func (f *fakeSupervisor) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	require.NoError(f.t, err)
	reply := url.Values{"state": {q.Get("state")}}
	if r.Header.Get("Pinniped-Username") != "pinny" || r.Header.Get("Pinniped-Password") != "right-password" ||
		q.Get("pinniped_idp_name") != "corp-ldap" || q.Get("pinniped_idp_type") != "ldap" {
		reply.Set("error", "access_denied")
		reply.Set("error_description", "The resource owner or authorization server denied the request. "+
			"Username/password not accepted by LDAP provider.")
	} else {
		f.mu.Lock()
		f.nonce, f.challenge = q.Get("nonce"), q.Get("code_challenge")
		f.mu.Unlock()
		require.Equal(f.t, "S256", q.Get("code_challenge_method"))
		reply.Set("code", "pin_ac_the-code")
	}
	back.RawQuery = reply.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (f *fakeSupervisor) token(w http.ResponseWriter, r *http.Request) {
	require.NoError(f.t, r.ParseForm())
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if r.PostForm.Get("code") != "pin_ac_the-code" ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != f.challenge {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": "pin_at_access", "token_type": "bearer", "expires_in": 120,
			"refresh_token": "pin_rt_refresh", "scope": "openid offline_access",
			"id_token": f.sign(map[string]any{"aud": []string{"pinniped-cli"}, "nonce": f.nonce}),
		})
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		f.exchangeForm = r.PostForm
		f.exchangeAuthz = r.Header.Get("Authorization")
		audience := r.PostForm.Get("audience")
		if f.exchangeReply != nil {
			f.exchangeReply(w, audience)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token":      f.sign(map[string]any{"aud": []string{audience}, "azp": "pinniped-cli"}),
			"token_type":        "N_A",
			"issued_token_type": "urn:ietf:params:oauth:token-type:jwt",
		})
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
	}
}

// sign issues an ES256 JWT of the issuer for the user pinny with extra claims.
func (f *fakeSupervisor) sign(extra map[string]any) string {
	now := time.Now()
	claims := map[string]any{
		"iss": f.server.URL, "sub": "pinny-sub", "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"username": "pinny", "groups": []string{"eks-users"},
	}
	for k, v := range extra {
		claims[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256,
		Key: jose.JSONWebKey{Key: f.key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(f.t, err)
	payload, err := json.Marshal(claims)
	require.NoError(f.t, err)
	signed, err := signer.Sign(payload)
	require.NoError(f.t, err)
	compact, err := signed.CompactSerialize()
	require.NoError(f.t, err)
	return compact
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
