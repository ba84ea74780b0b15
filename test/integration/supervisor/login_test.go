// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	coreosoidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/sessionstore"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	loginHost    = "login.example.test"
	cliRedirect  = "http://127.0.0.1:48095/callback"
	cliClientID  = "pinniped-cli"
	cliScopes    = "openid offline_access pinniped:request-audience username groups"
	tokenExchype = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// loginEnv is a FederationDomain whose only identity provider is a real Dex.
type loginEnv struct {
	issuer string
	dex    *testlib.Dex
	roots  *x509.CertPool
	// client reaches the issuer host at the Supervisor and everything else as named.
	client *http.Client
}

// newLoginEnv starts Dex with alice (eks-admins) and bob (eks-users), and serves a
// FederationDomain with Dex as OIDCIdentityProvider "dex", password grant allowed.
func newLoginEnv(t testing.TB, name string) *loginEnv {
	t.Helper()
	issuer := fmt.Sprintf("https://%s:%d/%s", loginHost, supervisor.Port, name)
	dex := testlib.StartDex(t, testlib.DexOptions{
		Clients: []testlib.DexClient{{ID: "supervisor", Secret: "supervisor-secret-" + name,
			RedirectURIs: []string{issuer + "/callback"}}},
		Users: []testlib.DexUser{
			{Email: "alice@example.com", Username: "alice", Password: "alice-password", Groups: []string{"eks-admins"}},
			{Email: "bob@example.com", Username: "bob", Password: "bob-password", Groups: []string{"eks-users"}},
		},
	})
	ca, err := certauthority.New("test-login-ca", time.Hour)
	require.NoError(t, err)
	roots := ca.Pool()
	roots.AppendCertsFromPEM(dex.CABundle)

	createTLSSecret(t, ca, name+"-tls", loginHost)
	createSecret(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-client", Namespace: namespace},
		Type:       idpv1alpha1.OIDCIdentityProviderSecretType,
		StringData: map[string]string{"clientID": "supervisor", "clientSecret": "supervisor-secret-" + name},
	})
	idps := supervisorClient(t).IdpV1alpha1().OIDCIdentityProviders(namespace)
	_, err = idps.Create(context.Background(), &idpv1alpha1.OIDCIdentityProvider{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: idpv1alpha1.OIDCIdentityProviderSpec{
			Issuer: dex.Issuer,
			TLS: &idpv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(dex.CABundle),
			},
			Client: idpv1alpha1.OIDCClient{SecretName: name + "-client"},
			AuthorizationConfig: idpv1alpha1.OIDCAuthorizationConfig{
				AllowPasswordGrant: true,
				AdditionalScopes:   []string{"offline_access", "email", "groups"},
			},
			Claims: idpv1alpha1.OIDCClaims{Username: "email", Groups: "groups"},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = idps.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	createFD(t, name, configv1alpha1.FederationDomainSpec{
		Issuer: issuer,
		TLS:    &configv1alpha1.FederationDomainTLSSpec{SecretName: name + "-tls"},
		IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{
			idpRef("dex", "OIDCIdentityProvider", name),
		},
	})
	env := &loginEnv{issuer: issuer, dex: dex, roots: roots, client: supervisorDialer(roots, supervisor.Port)}
	eventually(t, func() error {
		p, err := idps.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase != idpv1alpha1.OIDCIdentityProviderPhaseReady {
			return fmt.Errorf("OIDCIdentityProvider is %s: %+v", p.Status.Phase, p.Status.Conditions)
		}
		// The key Secrets are loaded when the ID token signing key is served.
		resp, err := env.client.Get(issuer + "/jwks.json")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("jwks.json returned %d", resp.StatusCode)
		}
		// The state keys are loaded when the browser flow starts at the upstream.
		resp, err = env.client.Get(env.authorizeURL(oauth2.GenerateVerifier(), nil))
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("authorize returned %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		return nil
	})
	return env
}

// supervisorDialer returns a client that dials loginHost at a Supervisor port and
// every other host as named, follows no redirects and keeps no cookies.
func supervisorDialer(roots *x509.CertPool, port int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if strings.HasPrefix(addr, loginHost+":") {
					addr = fmt.Sprintf("127.0.0.1:%d", port)
				}
				return dialer.DialContext(ctx, network, addr)
			},
			TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// authorizeURL builds a pinniped-cli authorization request with PKCE.
func (e *loginEnv) authorizeURL(verifier string, extra url.Values) string {
	params := url.Values{
		"client_id": {cliClientID}, "response_type": {"code"}, "scope": {cliScopes},
		"redirect_uri": {cliRedirect}, "state": {"state-1234567890"}, "nonce": {"nonce-1234567890"},
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
	return e.issuer + "/oauth2/authorize?" + params.Encode()
}

// passwordAuthorize runs the header flow and returns the redirect it answered with.
func (e *loginEnv) passwordAuthorize(t testing.TB, client *http.Client, verifier, username, password string,
	extra url.Values) *url.URL {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.authorizeURL(verifier, extra), nil)
	require.NoError(t, err)
	req.Header.Set("Pinniped-Username", username)
	req.Header.Set("Pinniped-Password", password)
	resp, err := client.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode, "body: %s", body)
	location, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(location.String(), cliRedirect+"?"), location.String())
	require.Equal(t, "state-1234567890", location.Query().Get("state"))
	return location
}

// tokenResponse is what the token endpoint answers, success or error.
type tokenResponse struct {
	status           int
	AccessToken      string `json:"access_token"`
	RefreshToken     string `json:"refresh_token"`
	IDToken          string `json:"id_token"`
	TokenType        string `json:"token_type"`
	IssuedTokenType  string `json:"issued_token_type"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// postToken posts a form to the token endpoint as the CLI does: pinniped-cli with
// an empty secret in Basic auth, or only client_id in the body for the exchange.
func (e *loginEnv) postToken(t testing.TB, client *http.Client, form url.Values, basic bool) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(cliClientID, "")
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var out tokenResponse
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &out), "body: %s", body)
	out.status = resp.StatusCode
	return out
}

func (e *loginEnv) redeem(t testing.TB, client *http.Client, code, verifier string) tokenResponse {
	t.Helper()
	return e.postToken(t, client, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {cliRedirect},
	}, true)
}

func (e *loginEnv) refresh(t testing.TB, client *http.Client, refreshToken string) tokenResponse {
	t.Helper()
	return e.postToken(t, client, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, true)
}

func (e *loginEnv) exchange(t testing.TB, client *http.Client, accessToken, audience string) tokenResponse {
	t.Helper()
	return e.postToken(t, client, url.Values{
		"client_id": {cliClientID}, "grant_type": {tokenExchype}, "audience": {audience},
		"subject_token": {accessToken}, "subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"},
	}, false)
}

// idClaims are the claims the tests check of Supervisor ID tokens.
type idClaims struct {
	Subject  string   `json:"sub"`
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	AZP      string   `json:"azp"`
	Nonce    string   `json:"nonce"`
	RAT      int64    `json:"rat"`
	JTI      string   `json:"jti"`
}

// verify checks an ID token's signature against the issuer's JWKS, its issuer,
// audience and expiry, and returns its claims.
func (e *loginEnv) verify(t testing.TB, token, audience string) idClaims {
	t.Helper()
	return e.verifyLifetime(t, token, audience, 2*time.Minute)
}

// verifyLifetime is verify for an ID token that may live up to lifetime.
func (e *loginEnv) verifyLifetime(t testing.TB, token, audience string, lifetime time.Duration) idClaims {
	t.Helper()
	ctx := coreosoidc.ClientContext(context.Background(), e.client)
	provider, err := coreosoidc.NewProvider(ctx, e.issuer)
	require.NoError(t, err)
	idToken, err := provider.VerifierContext(ctx, &coreosoidc.Config{ClientID: audience}).Verify(ctx, token)
	require.NoError(t, err)
	require.LessOrEqual(t, time.Until(idToken.Expiry), lifetime+5*time.Second)
	var claims idClaims
	require.NoError(t, idToken.Claims(&claims))
	return claims
}

// TestPasswordLogin is the CLI's browserless flow end to end: header login at Dex's
// password grant, code redemption, token exchange for a cluster audience, refresh.
func TestPasswordLogin(t *testing.T) {
	env := newLoginEnv(t, "pwlogin")
	verifier := oauth2.GenerateVerifier()
	location := env.passwordAuthorize(t, env.client, verifier, "alice@example.com", "alice-password", nil)
	code := location.Query().Get("code")
	require.NotEmpty(t, code, location.String())

	tokens := env.redeem(t, env.client, code, verifier)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
	require.NotEmpty(t, tokens.AccessToken)
	require.True(t, strings.HasPrefix(tokens.RefreshToken, "pin_rt_"), tokens.RefreshToken)
	claims := env.verify(t, tokens.IDToken, cliClientID)
	require.Equal(t, "alice@example.com", claims.Username)
	require.Equal(t, []string{"eks-admins"}, claims.Groups)
	require.Equal(t, "nonce-1234567890", claims.Nonce)
	require.True(t, strings.HasPrefix(claims.Subject, env.dex.Issuer+"?idpName=dex&sub="), "sub %q", claims.Subject)
	require.NotZero(t, claims.RAT)
	require.NotEmpty(t, claims.JTI)

	// A second redemption of the code fails and revokes what the first one issued.
	again := env.redeem(t, env.client, code, verifier)
	require.Equal(t, http.StatusBadRequest, again.status)
	require.Equal(t, "invalid_grant", again.Error)
	revoked := env.refresh(t, env.client, tokens.RefreshToken)
	require.Equal(t, "invalid_grant", revoked.Error, "%+v", revoked)

	// A fresh login, then the exchange and the refresh.
	verifier = oauth2.GenerateVerifier()
	location = env.passwordAuthorize(t, env.client, verifier, "bob@example.com", "bob-password", nil)
	tokens = env.redeem(t, env.client, location.Query().Get("code"), verifier)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)

	exchanged := env.exchange(t, env.client, tokens.AccessToken, "workload-cluster-1")
	require.Equal(t, http.StatusOK, exchanged.status, "%+v", exchanged)
	require.Equal(t, "N_A", exchanged.TokenType)
	require.Equal(t, "urn:ietf:params:oauth:token-type:jwt", exchanged.IssuedTokenType)
	clusterClaims := env.verify(t, exchanged.AccessToken, "workload-cluster-1")
	require.Equal(t, "bob@example.com", clusterClaims.Username)
	require.Equal(t, []string{"eks-users"}, clusterClaims.Groups)
	require.Equal(t, cliClientID, clusterClaims.AZP)
	require.Empty(t, clusterClaims.Nonce)

	// Dex moves bob to eks-admins; the refresh brings the new groups.
	require.NoError(t, env.dex.SetGroups("bob@example.com", []string{"eks-admins"}))
	refreshed := env.refresh(t, env.client, tokens.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)
	require.NotEqual(t, tokens.RefreshToken, refreshed.RefreshToken)
	require.Equal(t, []string{"eks-admins"}, env.verify(t, refreshed.IDToken, cliClientID).Groups)
	// Refresh tokens are single use.
	reused := env.refresh(t, env.client, tokens.RefreshToken)
	require.Equal(t, "invalid_grant", reused.Error, "%+v", reused)

	// Sessions are Secrets whose names do not hold the tokens.
	secrets, err := cluster.Client().CoreV1().Secrets(namespace).List(context.Background(),
		metav1.ListOptions{LabelSelector: sessionstore.TypeLabel + "=refresh-token"})
	require.NoError(t, err)
	require.NotEmpty(t, secrets.Items)
	for _, s := range secrets.Items {
		require.NotContains(t, string(s.Data[sessionstore.DataKey]), refreshed.RefreshToken)
		require.NotContains(t, s.Name, strings.ToLower(strings.TrimPrefix(refreshed.RefreshToken, "pin_rt_")))
		require.NotEmpty(t, s.Annotations[sessionstore.GarbageCollectAfterAnnotation])
	}
}

// TestBrowserLogin is the browser flow: the Supervisor sends the browser to Dex's
// login page, Dex back to the callback, and the callback to the CLI's listener.
func TestBrowserLogin(t *testing.T) {
	env := newLoginEnv(t, "browserlogin")
	verifier := oauth2.GenerateVerifier()
	browser := supervisorDialer(env.roots, supervisor.Port)
	browser.CheckRedirect = nil
	stoppedAt, err := testlib.BrowserLogin(context.Background(), browser, env.authorizeURL(verifier, nil),
		cliRedirect, "alice@example.com", "alice-password")
	require.NoError(t, err)
	require.Equal(t, "state-1234567890", stoppedAt.Query().Get("state"))
	require.NotEmpty(t, stoppedAt.Query().Get("code"), "stopped at %s", stoppedAt)
	tokens := env.redeem(t, env.client, stoppedAt.Query().Get("code"), verifier)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
	claims := env.verify(t, tokens.IDToken, cliClientID)
	require.Equal(t, "alice@example.com", claims.Username)
	require.Equal(t, []string{"eks-admins"}, claims.Groups)

	// Without the CSRF cookie of the browser that started it, a callback is refused.
	start, err := env.client.Get(env.authorizeURL(oauth2.GenerateVerifier(), nil))
	require.NoError(t, err)
	_ = start.Body.Close()
	require.Equal(t, http.StatusSeeOther, start.StatusCode)
	upstream, err := url.Parse(start.Header.Get("Location"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(upstream.String(), env.dex.Issuer), upstream.String())
	state := url.QueryEscape(upstream.Query().Get("state"))
	callback, err := env.client.Get(env.issuer + "/callback?code=x&state=" + state)
	require.NoError(t, err)
	_ = callback.Body.Close()
	require.Equal(t, http.StatusForbidden, callback.StatusCode)
}

// TestTwoReplicas logs in at one Supervisor and redeems, exchanges and refreshes at
// another: sessions live in Secrets, not in a process.
func TestTwoReplicas(t *testing.T) {
	env := newLoginEnv(t, "replicas")
	second := testlib.StartSupervisor(t, cluster, testlib.SupervisorOptions{KeepAPIService: true})
	other := supervisorDialer(env.roots, second.Port)
	eventually(t, func() error {
		resp, err := other.Get(env.issuer + "/jwks.json")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("second replica's jwks.json returned %d", resp.StatusCode)
		}
		return nil
	})
	verifier := oauth2.GenerateVerifier()
	location := env.passwordAuthorize(t, env.client, verifier, "bob@example.com", "bob-password", nil)
	tokens := env.redeem(t, other, location.Query().Get("code"), verifier)
	require.Equal(t, http.StatusOK, tokens.status, "%+v", tokens)
	exchanged := env.exchange(t, env.client, tokens.AccessToken, "workload-cluster-2")
	require.Equal(t, http.StatusOK, exchanged.status, "%+v", exchanged)
	refreshed := env.refresh(t, other, tokens.RefreshToken)
	require.Equal(t, http.StatusOK, refreshed.status, "%+v", refreshed)
	require.Equal(t, "bob@example.com", env.verify(t, refreshed.IDToken, cliClientID).Username)

	// A restarted Supervisor (a new process) carries on with the session.
	second.Stop()
	third := testlib.StartSupervisor(t, cluster, testlib.SupervisorOptions{KeepAPIService: true})
	restarted := supervisorDialer(env.roots, third.Port)
	eventually(t, func() error {
		resp, err := restarted.Get(env.issuer + "/jwks.json")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("restarted replica's jwks.json returned %d", resp.StatusCode)
		}
		return nil
	})
	again := env.refresh(t, restarted, refreshed.RefreshToken)
	require.Equal(t, http.StatusOK, again.status, "%+v", again)
	require.Equal(t, "bob@example.com", env.verify(t, again.IDToken, cliClientID).Username)
}

func mustRequest(t testing.TB, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	require.NoError(t, err)
	return req
}
