// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/client-go/tools/clientcmd"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	dexEmail    = "pinny@example.com"
	dexPassword = "password-of-pinny-9d2"
)

func startDex(t *testing.T) *testlib.Dex {
	t.Helper()
	return testlib.StartDex(t, testlib.DexOptions{
		Clients: []testlib.DexClient{{ID: "pinniped-cli", Public: true}},
		Users: []testlib.DexUser{{
			Email: dexEmail, Username: "pinny", Password: dexPassword, Groups: []string{"seals"},
		}},
		// Longer than the 10 minutes a cached ID token must have left to be reused.
		IDTokenTTL: time.Hour,
	})
}

// TestGetKubeconfigJWTAuthenticator: with a JWTAuthenticator trusting Dex, `get
// kubeconfig` writes `login oidc` with Dex's issuer, the audience and Dex's CA.
func TestGetKubeconfigJWTAuthenticator(t *testing.T) {
	configHome(t)
	dex := startDex(t)
	createJWTAuthenticator(t, "dex-jwt", authenticationv1alpha1.JWTAuthenticatorSpec{
		Issuer:   dex.Issuer,
		Audience: "workload1-aud-7c1",
		TLS:      &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: b64(dex.CABundle)},
	})

	r := runCLI(t, nil, "get", "kubeconfig", "--kubeconfig", cluster.KubeconfigPath,
		"--pinniped-cli-path", "/usr/local/bin/pinniped", "--generated-name-suffix", "-sso")
	requireSuccess(t, r)
	config, err := clientcmd.Load([]byte(r.stdout))
	require.NoError(t, err)
	require.Equal(t, "harness-sso", config.CurrentContext, "%s", r.stdout)
	user := config.AuthInfos["harness-sso"]
	require.NotNil(t, user)
	require.Equal(t, "/usr/local/bin/pinniped", user.Exec.Command)
	require.Equal(t, "client.authentication.k8s.io/v1beta1", user.Exec.APIVersion)
	require.Equal(t, []string{
		"login", "oidc", "--enable-concierge", "--concierge-api-group-suffix=pinniped.dev",
		"--concierge-authenticator-name=dex-jwt", "--concierge-authenticator-type=jwt",
		"--concierge-endpoint=" + cluster.URL,
		"--concierge-ca-bundle-data=" + b64(cluster.ClusterCA.Bundle()),
		"--issuer=" + dex.Issuer, "--client-id=pinniped-cli",
		"--scopes=offline_access,openid,pinniped:request-audience,username,groups",
		"--ca-bundle-data=" + b64(dex.CABundle),
		"--request-audience=workload1-aud-7c1",
	}, user.Exec.Args)
	require.Equal(t, cluster.URL, config.Clusters["harness-sso"].Server)
	require.Equal(t, cluster.ClusterCA.Bundle(), config.Clusters["harness-sso"].CertificateAuthorityData)

	t.Run("reserved_audience_refused", func(t *testing.T) {
		r := runCLI(t, nil, "get", "kubeconfig", "--kubeconfig", cluster.KubeconfigPath,
			"--oidc-request-audience", "x.pinniped.dev", "--skip-validation")
		require.Error(t, r.err)
		require.Equal(t, "Error: request audience \"x.pinniped.dev\" is not allowed to include the substring "+
			"'.pinniped.dev'\n", r.stderr)
	})
}

// TestLoginOIDCWithDex logs in to Dex directly (a plain OIDC issuer): the browser
// (a script named by $BROWSER, then the test playing the person on Dex's form)
// delivers the code to the CLI's loopback listener. The next run uses the session
// cache, and with the ID token gone from the cache the refresh token gets a new one.
func TestLoginOIDCWithDex(t *testing.T) {
	home := configHome(t)
	dex := startDex(t)
	caFile := filepath.Join(t.TempDir(), "dex-ca.pem")
	require.NoError(t, os.WriteFile(caFile, dex.CABundle, 0o600))
	args := []string{"login", "oidc", "--issuer=" + dex.Issuer, "--client-id=pinniped-cli",
		"--scopes=openid,offline_access,email,groups", "--ca-bundle=" + caFile, "--credential-cache="}

	urlFile := filepath.Join(t.TempDir(), "opened-url")
	browser := filepath.Join(t.TempDir(), "browser.sh")
	require.NoError(t, os.WriteFile(browser, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+urlFile+"\n"), 0o700))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pinniped, args...)
	cmd.Env = append(os.Environ(), "BROWSER="+browser)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())

	var authorizeURL string
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(urlFile)
		authorizeURL = string(data)
		return err == nil && authorizeURL != ""
	}, 30*time.Second, 50*time.Millisecond, "the CLI did not open a browser; stderr: %s", &stderr)
	require.True(t, strings.HasPrefix(authorizeURL, dex.Issuer+"/auth?"), authorizeURL)
	for _, param := range []string{"code_challenge_method=S256", "access_type=offline", "nonce=", "state=",
		"redirect_uri=http%3A%2F%2F127.0.0.1%3A"} {
		require.Contains(t, authorizeURL, param)
	}

	callback, err := testlib.BrowserLogin(ctx, dex.HTTPClient(), authorizeURL, "http://127.0.0.1:", dexEmail, dexPassword)
	require.NoError(t, err)
	resp, err := http.Get(callback.String())
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "you have been logged in and may now close this tab", string(body))

	require.NoError(t, cmd.Wait(), "stderr: %s", &stderr)
	first := requireExecCredential(t, stdout.String())
	require.Contains(t, stderr.String(), "Log in by visiting this link:\n\n    "+authorizeURL)
	require.NotContains(t, stderr.String(), first.Status.Token)

	sessions := filepath.Join(home, "pinniped", "sessions.yaml")
	info, err := os.Stat(sessions)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	t.Run("second_run_uses_the_session_cache", func(t *testing.T) {
		// Any attempt to log in would fail: no browser, no terminal.
		r := runCLI(t, []string{"BROWSER=/bin/false"}, append(args, "--skip-listen")...)
		requireSuccess(t, r)
		require.Equal(t, first.Status.Token, requireExecCredential(t, r.stdout).Status.Token)
		require.NotContains(t, r.stderr, "Log in")
	})

	t.Run("refresh_when_the_id_token_is_gone", func(t *testing.T) {
		require.NoError(t, testlib.DropSessionTokens(sessions, "id"))
		r := runCLI(t, []string{"BROWSER=/bin/false"}, append(args, "--skip-listen")...)
		requireSuccess(t, r)
		refreshed := requireExecCredential(t, r.stdout)
		require.NotEqual(t, first.Status.Token, refreshed.Status.Token)
		require.NotContains(t, r.stderr, "Log in")
	})

	t.Run("exec_info_v1_is_answered_in_v1", func(t *testing.T) {
		r := runCLI(t, []string{`KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1",` +
			`"kind":"ExecCredential","spec":{"interactive":false}}`}, append(args, "--skip-listen")...)
		requireSuccess(t, r)
		require.Contains(t, r.stdout, `"apiVersion":"client.authentication.k8s.io/v1",`)
	})
}

// TestLoginOIDCErrors: bad input fails with a clear one-line error and prints no secret.
func TestLoginOIDCErrors(t *testing.T) {
	configHome(t)
	dex := startDex(t)
	ports, err := harness.FreePorts(1)
	require.NoError(t, err)
	wrongCA := filepath.Join(t.TempDir(), "wrong-ca.pem")
	require.NoError(t, os.WriteFile(wrongCA, cluster.ClusterCA.Bundle(), 0o600))

	tests := []struct {
		name    string
		env     []string
		args    []string
		wantErr string
	}{
		{
			name:    "missing_issuer",
			args:    []string{"login", "oidc"},
			wantErr: "Error: required flag(s) \"issuer\" not set\n",
		},
		{
			name:    "unknown_flag",
			args:    []string{"login", "oidc", "--issuer=https://x", "--no-such-flag"},
			wantErr: "Error: unknown flag: --no-such-flag\n",
		},
		{
			name: "bad_flow",
			args: []string{"login", "oidc", "--issuer=" + dex.Issuer, "--upstream-identity-provider-flow=magic"},
			wantErr: "Error: could not complete Pinniped login: invalid upstream identity provider flow " +
				"\"magic\": expected browser_authcode or cli_password\n",
		},
		{
			name: "unreachable_issuer",
			args: []string{"login", "oidc", "--issuer=https://127.0.0.1:" + itoa(ports[0]) + "/nobody"},
			wantErr: "Error: could not complete Pinniped login: could not perform OIDC discovery for " +
				"\"https://127.0.0.1:" + itoa(ports[0]) + "/nobody\": ",
		},
		{
			name: "wrong_ca",
			args: []string{"login", "oidc", "--issuer=" + dex.Issuer, "--ca-bundle=" + wrongCA},
			wantErr: "Error: could not complete Pinniped login: could not perform OIDC discovery for " +
				"\"" + dex.Issuer + "\": ",
		},
		{
			name: "cli_password_without_terminal_or_env",
			env:  []string{"PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password", "PINNIPED_PASSWORD=" + dexPassword},
			args: []string{"login", "oidc", "--issuer=" + dex.Issuer, "--ca-bundle-data=" + b64(dex.CABundle)},
			wantErr: "Error: could not complete Pinniped login: login failed: no username and password: " +
				"set PINNIPED_USERNAME and PINNIPED_PASSWORD, or run from a terminal\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, append(tt.args, "--credential-cache=")...)
			require.Error(t, r.err)
			require.Empty(t, r.stdout)
			require.True(t, strings.HasPrefix(r.stderr, tt.wantErr), "stderr: %s", r.stderr)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
			require.NotContains(t, r.stderr, dexPassword)
		})
	}
}

func requireExecCredential(t *testing.T, stdout string) *clientauthv1beta1.ExecCredential {
	t.Helper()
	require.True(t, strings.HasSuffix(stdout, "}\n") && strings.Count(stdout, "\n") == 1, "one JSON line: %q", stdout)
	var cred clientauthv1beta1.ExecCredential
	require.NoError(t, json.Unmarshal([]byte(stdout), &cred))
	require.Equal(t, "ExecCredential", cred.Kind)
	require.Equal(t, "client.authentication.k8s.io/v1beta1", cred.APIVersion)
	require.NotNil(t, cred.Status)
	require.Len(t, strings.Split(cred.Status.Token, "."), 3, "a JWT")
	require.NotNil(t, cred.Status.ExpirationTimestamp)
	require.True(t, cred.Status.ExpirationTimestamp.After(time.Now()))
	return &cred
}

func createJWTAuthenticator(t *testing.T, name string, spec authenticationv1alpha1.JWTAuthenticatorSpec) {
	t.Helper()
	ctx := context.Background()
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).AuthenticationV1alpha1().JWTAuthenticators()
	_, err := client.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { deleteAndWait(t, "jwt", name) })
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			got, err := client.Get(ctx, name, metav1.GetOptions{})
			return err == nil && got.Status.Phase == authenticationv1alpha1.JWTAuthenticatorPhaseReady, nil
		})
	require.NoError(t, err)
}
