// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
	"github.com/sealworks/pinniped/test/testlib"
)

const appRedirect = "https://app.example.com/callback"

// webApp is an OIDCClient of a test, with the secrets it was given.
type webApp struct {
	env     *loginEnv
	id      string
	uid     types.UID
	secrets []string
}

// newWebApp creates an OIDCClient, gives it a secret and waits until it is Ready.
func newWebApp(t *testing.T, env *loginEnv, name string, spec configv1alpha1.OIDCClientSpec) *webApp {
	t.Helper()
	client := createOIDCClient(t, name, spec)
	resp, err := kubectlSecretRequest(t, namespace, client.Name, true, false)
	require.NoError(t, err)
	app := &webApp{env: env, id: client.Name, uid: client.UID, secrets: []string{resp.Status.GeneratedSecret}}
	app.waitReady(t, 1)
	return app
}

func (a *webApp) waitReady(t *testing.T, secrets int32) {
	t.Helper()
	waitForClientStatus(t, a.id, configv1alpha1.OIDCClientPhaseReady, secrets, map[string]condition{
		"AllowedGrantTypesValid": success(`"allowedGrantTypes" is valid`),
		"AllowedScopesValid":     success(`"allowedScopes" is valid`),
		"ClientSecretExists":     success(fmt.Sprintf("%d client secret(s) found", secrets)),
		"Ready":                  success("the OIDCClient is ready"),
	})
}

// authorizeURL is an authorization request of the app, with PKCE.
func (a *webApp) authorizeURL(verifier, scopes string, extra url.Values) string {
	params := url.Values{
		"client_id": {a.id}, "response_type": {"code"}, "scope": {scopes}, "redirect_uri": {appRedirect},
		"state": {"app-state-1234567890"}, "nonce": {"app-nonce-1234567890"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
		"pinniped_idp_name": {"dex"},
	}
	for k, v := range extra {
		params[k] = v
	}
	for k, v := range params {
		if len(v) == 1 && v[0] == "" {
			delete(params, k)
		}
	}
	return a.env.issuer + "/oauth2/authorize?" + params.Encode()
}

// login drives Dex's form as a browser and redeems the code with secret.
func (a *webApp) login(t *testing.T, scopes, secret string) tokenResponse {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	browser := supervisorDialer(a.env.roots, supervisor.Port)
	browser.CheckRedirect = nil
	stoppedAt, err := testlib.BrowserLogin(context.Background(), browser, a.authorizeURL(verifier, scopes, nil),
		appRedirect, "alice@example.com", "alice-password")
	require.NoError(t, err)
	require.Equal(t, "app-state-1234567890", stoppedAt.Query().Get("state"))
	code := stoppedAt.Query().Get("code")
	require.NotEmpty(t, code, "stopped at %s", stoppedAt)
	return a.token(t, secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {appRedirect},
	})
}

// token posts to the token endpoint with client_secret_basic.
func (a *webApp) token(t testing.TB, secret string, form url.Values) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.env.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.id), url.QueryEscape(secret))
	resp, err := a.env.client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out tokenResponse
	require.NoError(t, json.Unmarshal(body, &out), "body: %s", body)
	out.status = resp.StatusCode
	return out
}

func (a *webApp) refresh(t testing.TB, secret, refreshToken string) tokenResponse {
	t.Helper()
	return a.token(t, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

func (a *webApp) exchange(t testing.TB, secret, accessToken, audience string) tokenResponse {
	t.Helper()
	return a.token(t, secret, url.Values{
		"grant_type": {tokenExchype}, "audience": {audience}, "subject_token": {accessToken},
		"subject_token_type":   {"urn:ietf:params:oauth:token-type:access_token"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"},
	})
}

// fullSpec allows every grant and scope, with 10-minute ID tokens.
func fullSpec() configv1alpha1.OIDCClientSpec {
	return configv1alpha1.OIDCClientSpec{
		AllowedRedirectURIs: []configv1alpha1.RedirectURI{appRedirect},
		AllowedGrantTypes: []configv1alpha1.GrantType{configv1alpha1.GrantTypeAuthorizationCode,
			configv1alpha1.GrantTypeRefreshToken, configv1alpha1.GrantTypeTokenExchange},
		AllowedScopes: []configv1alpha1.Scope{configv1alpha1.ScopeOpenID, configv1alpha1.ScopeOfflineAccess,
			configv1alpha1.ScopeRequestAudience, configv1alpha1.ScopeUsername, configv1alpha1.ScopeGroups},
		TokenLifetimes: configv1alpha1.OIDCClientTokenLifetimes{IDTokenSeconds: ptr.To[int32](600)},
	}
}

const fullScopes = "openid offline_access pinniped:request-audience username groups"

// TestDynamicClientLogin is a confidential client's life: a browser login through
// Dex, the code redeemed with client_secret_basic, a token exchange, refreshes, and
// a secret rotation.
func TestDynamicClientLogin(t *testing.T) {
	env := newLoginEnv(t, "dynclient")
	app := newWebApp(t, env, "webapp", fullSpec())
	first := app.secrets[0]

	tokens := app.login(t, fullScopes, first)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
	claims := env.verifyLifetime(t, tokens.IDToken, app.id, 10*time.Minute)
	require.Equal(t, "alice@example.com", claims.Username)
	require.Equal(t, []string{"eks-admins"}, claims.Groups)

	// The exchanged token is for a cluster and keeps the default lifetime.
	exchanged := app.exchange(t, first, tokens.AccessToken, "workload-cluster-1")
	require.Equal(t, http.StatusOK, exchanged.status, "%+v", exchanged)
	clusterClaims := env.verify(t, exchanged.AccessToken, "workload-cluster-1")
	require.Equal(t, app.id, clusterClaims.AZP)
	require.Equal(t, "alice@example.com", clusterClaims.Username)
	// The exchange authenticates the client like any token request.
	require.Equal(t, "invalid_client", app.exchange(t, "wrong", tokens.AccessToken, "workload-cluster-1").Error)

	// A wrong secret is refused without using up the refresh token.
	wrong := app.refresh(t, strings.Repeat("0", 64), tokens.RefreshToken)
	require.Equal(t, http.StatusUnauthorized, wrong.status, "%+v", wrong)
	require.Equal(t, "invalid_client", wrong.Error)
	refreshed := app.refresh(t, first, tokens.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)
	env.verifyLifetime(t, refreshed.IDToken, app.id, 10*time.Minute)

	// Rotation: a second secret works alongside the first ...
	resp, err := kubectlSecretRequest(t, namespace, app.id, true, false)
	require.NoError(t, err)
	second := resp.Status.GeneratedSecret
	app.waitReady(t, 2)
	refreshed = app.refresh(t, second, refreshed.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)
	refreshed = app.refresh(t, first, refreshed.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)

	// ... until the old ones are revoked.
	resp, err = kubectlSecretRequest(t, namespace, app.id, false, true)
	require.NoError(t, err)
	require.Equal(t, 1, resp.Status.TotalClientSecrets)
	app.waitReady(t, 1)
	revoked := app.refresh(t, first, refreshed.RefreshToken)
	require.Equal(t, "invalid_client", revoked.Error, "%+v", revoked)
	refreshed = app.refresh(t, second, refreshed.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)
}

// TestDynamicClientRefused checks what an OIDCClient may not do.
func TestDynamicClientRefused(t *testing.T) {
	env := newLoginEnv(t, "dynrefused")
	// Allowed the authorization code grant and openid only.
	limited := newWebApp(t, env, "limited", configv1alpha1.OIDCClientSpec{
		AllowedRedirectURIs: []configv1alpha1.RedirectURI{appRedirect},
		AllowedGrantTypes:   []configv1alpha1.GrantType{configv1alpha1.GrantTypeAuthorizationCode},
		AllowedScopes:       []configv1alpha1.Scope{configv1alpha1.ScopeOpenID},
	})
	authorize := func(t *testing.T, target string) *http.Response {
		t.Helper()
		resp, err := env.client.Get(target)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp
	}

	t.Run("unlisted_redirect_uri_is_not_followed", func(t *testing.T) {
		resp := authorize(t, limited.authorizeURL(oauth2.GenerateVerifier(), "openid",
			url.Values{"redirect_uri": {"https://evil.example.com/callback"}}))
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Location"))
	})

	t.Run("scope_not_allowed", func(t *testing.T) {
		resp := authorize(t, limited.authorizeURL(oauth2.GenerateVerifier(), "openid groups", nil))
		require.Equal(t, http.StatusFound, resp.StatusCode)
		location, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(location.String(), appRedirect+"?"), location.String())
		require.Equal(t, "invalid_scope", location.Query().Get("error"))
	})

	t.Run("form_post_is_not_allowed", func(t *testing.T) {
		resp := authorize(t, limited.authorizeURL(oauth2.GenerateVerifier(), "openid",
			url.Values{"response_mode": {"form_post"}}))
		require.Equal(t, http.StatusFound, resp.StatusCode)
		location, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(location.String(), appRedirect+"?"), location.String())
		require.Equal(t, "invalid_request", location.Query().Get("error"))
		require.Equal(t, "The response_mode of this client must be query.", location.Query().Get("error_description"))
	})

	t.Run("password_headers_are_refused", func(t *testing.T) {
		req := mustRequest(t, http.MethodGet, limited.authorizeURL(oauth2.GenerateVerifier(), "openid", nil))
		req.Header.Set("Pinniped-Username", "alice@example.com")
		req.Header.Set("Pinniped-Password", "alice-password")
		resp, err := env.client.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		location, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.Equal(t, "access_denied", location.Query().Get("error"))
	})

	t.Run("chooser_without_idp_name", func(t *testing.T) {
		resp := authorize(t, limited.authorizeURL(oauth2.GenerateVerifier(), "openid",
			url.Values{"pinniped_idp_name": {""}}))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.True(t, strings.HasPrefix(resp.Header.Get("Location"), env.issuer+"/choose_identity_provider?"),
			resp.Header.Get("Location"))
	})

	t.Run("grant_types_not_allowed", func(t *testing.T) {
		tokens := limited.login(t, "openid", limited.secrets[0])
		require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
		require.Empty(t, tokens.RefreshToken)
		exchanged := limited.exchange(t, limited.secrets[0], tokens.AccessToken, "workload-cluster-1")
		require.Equal(t, "unauthorized_client", exchanged.Error, "%+v", exchanged)
		refreshed := limited.refresh(t, limited.secrets[0], "pin_rt_whatever")
		require.Equal(t, "unauthorized_client", refreshed.Error, "%+v", refreshed)
	})

	t.Run("secret_in_the_body_is_refused", func(t *testing.T) {
		req := mustRequest(t, http.MethodPost, env.issuer+"/oauth2/token")
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"pin_rt_x"},
			"client_id": {limited.id}, "client_secret": {limited.secrets[0]}}
		req.Body = io.NopCloser(strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := env.client.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.Contains(t, string(body), `"invalid_client"`)
	})

	t.Run("invalid_client_cannot_log_in_even_with_stale_status", func(t *testing.T) {
		// A client whose secret storage is gone is refused at once, whatever its
		// status said a moment ago.
		broken := newWebApp(t, env, "broken", fullSpec())
		require.NoError(t, cluster.Client().CoreV1().Secrets(namespace).Delete(context.Background(),
			clientsecretstore.SecretName(broken.uid), metav1.DeleteOptions{}))
		eventually(t, func() error {
			resp := authorize(t, broken.authorizeURL(oauth2.GenerateVerifier(), fullScopes, nil))
			if resp.StatusCode != http.StatusBadRequest {
				return fmt.Errorf("authorize answered %d", resp.StatusCode)
			}
			return nil
		})
	})
}
