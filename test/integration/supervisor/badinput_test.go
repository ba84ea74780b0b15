// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestLoginBadInput sends what a broken or hostile client would, and expects a
// clear RFC 6749 error that reveals nothing.
func TestLoginBadInput(t *testing.T) {
	env := newLoginEnv(t, "badinput")
	verifier := oauth2.GenerateVerifier()
	errorOf := func(location *url.URL) (string, string) {
		return location.Query().Get("error"), location.Query().Get("error_description")
	}

	t.Run("wrong password", func(t *testing.T) {
		code, desc := errorOf(env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "wrong", nil))
		require.Equal(t, "access_denied", code)
		require.Equal(t, "Username/password not accepted by OIDC provider.", desc)
	})
	t.Run("blank password", func(t *testing.T) {
		code, desc := errorOf(env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "", nil))
		require.Equal(t, "access_denied", code)
		require.Equal(t, "Missing or blank username or password.", desc)
	})
	t.Run("no PKCE", func(t *testing.T) {
		code, _ := errorOf(env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "alice-password",
			url.Values{"code_challenge": {""}, "code_challenge_method": {""}}))
		require.Equal(t, "invalid_request", code)
	})
	t.Run("plain PKCE", func(t *testing.T) {
		code, _ := errorOf(env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "alice-password",
			url.Values{"code_challenge": {verifier}, "code_challenge_method": {"plain"}}))
		require.Equal(t, "invalid_request", code)
	})
	t.Run("unknown identity provider", func(t *testing.T) {
		code, _ := errorOf(env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "alice-password",
			url.Values{"pinniped_idp_name": {"nope"}}))
		require.Equal(t, "invalid_request", code)
	})
	t.Run("unknown client is not redirected", func(t *testing.T) {
		resp, err := env.client.Get(env.authorizeURL(verifier, url.Values{"client_id": {"evil"}}))
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Location"))
	})
	t.Run("non-loopback redirect is not redirected", func(t *testing.T) {
		resp, err := env.client.Get(env.authorizeURL(verifier,
			url.Values{"redirect_uri": {"https://evil.example.com/callback"}}))
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Location"))
	})
	t.Run("wrong method", func(t *testing.T) {
		resp, err := env.client.Do(mustRequest(t, http.MethodPut, env.issuer+"/oauth2/authorize"))
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})

	location := env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "alice-password", nil)
	code := location.Query().Get("code")
	t.Run("wrong verifier", func(t *testing.T) {
		out := env.redeem(t, env.client, code, oauth2.GenerateVerifier())
		require.Equal(t, "invalid_grant", out.Error, "%+v", out)
	})
	t.Run("garbage code", func(t *testing.T) {
		out := env.redeem(t, env.client, "not-a-code", verifier)
		require.Equal(t, "invalid_grant", out.Error, "%+v", out)
	})
	t.Run("garbage refresh token", func(t *testing.T) {
		out := env.refresh(t, env.client, "pin_rt_nope")
		require.Equal(t, "invalid_grant", out.Error, "%+v", out)
	})
	t.Run("unsupported grant", func(t *testing.T) {
		out := env.postToken(t, env.client, url.Values{"grant_type": {"client_credentials"}}, true)
		require.Equal(t, "unsupported_grant_type", out.Error, "%+v", out)
	})
	tokens := env.redeem(t, env.client, code, verifier)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
	for _, tc := range []struct{ name, audience, token, wantErr string }{
		{"reserved audience", "client.oauth.pinniped.dev-x", tokens.AccessToken, "invalid_request"},
		{"audience of the CLI", cliClientID, tokens.AccessToken, "invalid_request"},
		{"missing audience", "", tokens.AccessToken, "invalid_request"},
		{"garbage token", "cluster", "garbage", "invalid_request"},
		{"refresh token as subject", "cluster", tokens.RefreshToken, "invalid_request"},
	} {
		t.Run("exchange "+tc.name, func(t *testing.T) {
			out := env.exchange(t, env.client, tc.token, tc.audience)
			require.Equal(t, http.StatusBadRequest, out.status, "%+v", out)
			require.Equal(t, tc.wantErr, out.Error, "%+v", out)
			require.Empty(t, out.AccessToken)
		})
	}
	t.Run("exchange without the request-audience scope", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		loc := env.passwordAuthorize(t, env.client, v, "alice@example.com", "alice-password",
			url.Values{"scope": {"openid offline_access"}})
		narrow := env.redeem(t, env.client, loc.Query().Get("code"), v)
		require.Equal(t, http.StatusOK, narrow.status, "%+v", narrow)
		out := env.exchange(t, env.client, narrow.AccessToken, "cluster")
		require.Equal(t, "access_denied", out.Error, "%+v", out)
	})
	t.Run("oversized refresh token", func(t *testing.T) {
		// Under the 1 MiB form limit: an unknown token. Over it: a 400 before parsing.
		out := env.refresh(t, env.client, "pin_rt_"+strings.Repeat("A", 512<<10))
		require.Equal(t, http.StatusBadRequest, out.status, "%+v", out)
		require.Equal(t, "invalid_grant", out.Error)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {strings.Repeat("A", 2<<20)}}
		req, err := http.NewRequest(http.MethodPost, env.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(cliClientID, "")
		resp, err := env.client.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("tampered state", func(t *testing.T) {
		start, err := env.client.Get(env.authorizeURL(oauth2.GenerateVerifier(), url.Values{"pinniped_idp_name": {"dex"}}))
		require.NoError(t, err)
		_ = start.Body.Close()
		require.Equal(t, http.StatusSeeOther, start.StatusCode)
		upstream, err := url.Parse(start.Header.Get("Location"))
		require.NoError(t, err)
		state := []byte(upstream.Query().Get("state"))
		state[len(state)/2] ^= 0x01
		req := mustRequest(t, http.MethodGet, env.issuer+"/callback?code=x&state="+url.QueryEscape(string(state)))
		for _, cookie := range start.Cookies() {
			req.AddCookie(cookie)
		}
		resp, err := env.client.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "body: %s", body)
		require.Contains(t, string(body), "the state parameter is invalid or has expired")
	})
	t.Run("password grant not allowed", func(t *testing.T) {
		idps := supervisorClient(t).IdpV1alpha1().OIDCIdentityProviders(namespace)
		_, err := idps.Patch(context.Background(), "badinput", types.MergePatchType,
			[]byte(`{"spec":{"authorizationConfig":{"allowPasswordGrant":false}}}`), metav1.PatchOptions{})
		require.NoError(t, err)
		eventually(t, func() error {
			req, err := http.NewRequest(http.MethodGet, env.authorizeURL(verifier, nil), nil)
			if err != nil {
				return err
			}
			req.Header.Set("Pinniped-Username", "alice@example.com")
			req.Header.Set("Pinniped-Password", "alice-password")
			resp, err := env.client.Do(req)
			if err != nil {
				return err
			}
			_ = resp.Body.Close()
			location, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				return err
			}
			if got := location.Query().Get("error"); got != "access_denied" {
				return fmt.Errorf("status %d, error %q", resp.StatusCode, got)
			}
			return nil
		})
	})
}
