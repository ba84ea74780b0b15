// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

// testBrowserLogin: with the browser_authcode flow, kubectl's run of the CLI opens
// the Supervisor's authorize URL; headless Chromium follows it to Dex's login page,
// where the test types the password, and the Supervisor's form_post page delivers
// the code to the CLI's listener on 127.0.0.1.
func testBrowserLogin(t *testing.T, s *scenario) {
	home := filepath.Join(s.homes, "alice-browser")
	urlFile := filepath.Join(t.TempDir(), "opened-url")
	browser := filepath.Join(t.TempDir(), "browser.sh")
	require.NoError(t, os.WriteFile(browser, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+urlFile+"\n"), 0o700))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.kubectl, "--kubeconfig", s.workloads[0].kubeconfig,
		"auth", "can-i", "create", "namespace")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+home, "BROWSER="+browser,
		"PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=browser_authcode")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())

	var authorizeURL string
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(urlFile)
		authorizeURL = string(data)
		return err == nil && authorizeURL != ""
	}, 30*time.Second, 50*time.Millisecond, "the CLI opened no browser; stderr: %s", &stderr)
	require.True(t, strings.HasPrefix(authorizeURL, s.issuer+"/oauth2/authorize?"), authorizeURL)
	require.Contains(t, authorizeURL, "pinniped_idp_name=dex")
	require.Contains(t, authorizeURL, "response_mode=form_post")

	dexURL, err := url.Parse(s.dex.Issuer)
	require.NoError(t, err)
	supervisorURL, err := url.Parse(s.issuer)
	require.NoError(t, err)
	// Chromium trusts the two test servers by the public keys of their certificates.
	pins := []string{leafSPKI(t, supervisorURL.Host), leafSPKI(t, dexURL.Host)}

	page := chromium(t, ctx, strings.Join(pins, ","))
	require.NoError(t, chromedp.Do(page,
		chromedp.Navigate(authorizeURL),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), alice.email),
		chromedp.SendKeys(chromedp.ID("password"), alice.password),
		chromedp.Click(chromedp.ID("submit-login")),
	))
	// The page navigates several times (Dex, the Supervisor's callback, its
	// form_post page, the CLI's listener), so its text is read until it settles.
	var text, location string
	settled := func() bool {
		location, _ = chromedp.Run(page, chromedp.Location())
		text, _ = chromedp.Run(page, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		return strings.Contains(text, "you have been logged in")
	}
	if !assert.Eventually(t, settled, time.Minute, 100*time.Millisecond) {
		t.Fatalf("last page %s: %q; stderr: %s", location, text, &stderr)
	}

	require.NoError(t, cmd.Wait(), "stderr: %s", &stderr)
	require.Equal(t, "yes\n", stdout.String())
	require.NotContains(t, stderr.String(), alice.password)
}

// chromium starts headless Chromium for the test and returns a page's context.
func chromium(t *testing.T, parent context.Context, spkiPins string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors-spki-list", spkiPins),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocator, cancelAllocator := chromedp.NewExecAllocator(parent, opts...)
	t.Cleanup(cancelAllocator)
	page, cancelPage := chromedp.NewContext(allocator)
	t.Cleanup(cancelPage)
	return page
}

// chromiumPath finds Debian's Chromium, which .ci/run installs.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("no Chromium on PATH: install Debian's chromium package (.ci/run does)")
	return ""
}

// leafSPKI is the base64 SHA-256 of the public key of the certificate served at
// host, the form Chromium's --ignore-certificate-errors-spki-list takes.
func leafSPKI(t *testing.T, host string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // only reads the cert
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// execPlugin is the exec credential plugin command of a kubeconfig.
func execPlugin(t testing.TB, kubeconfig string) (string, []string) {
	t.Helper()
	config, err := clientcmd.LoadFromFile(kubeconfig)
	require.NoError(t, err)
	user := config.AuthInfos[config.Contexts[config.CurrentContext].AuthInfo]
	require.NotNil(t, user.Exec)
	return user.Exec.Command, user.Exec.Args
}

// testAudienceIsolation: an ID token the Supervisor issued for one workload
// cluster's audience is refused by the other cluster's Concierge.
func testAudienceIsolation(t *testing.T, s *scenario) {
	command, args := execPlugin(t, s.workloads[0].kubeconfig)
	var direct []string
	for _, arg := range args {
		if arg != "--enable-concierge" && !strings.HasPrefix(arg, "--concierge-") {
			direct = append(direct, arg)
		}
	}
	r := run(t, s.env(bob, bob.password), command, append(direct, "--credential-cache=")...)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	var credential clientauthv1beta1.ExecCredential
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &credential))
	require.NotEmpty(t, credential.Status.Token)

	request := func(w *workload) *loginv1alpha1.TokenCredentialRequest {
		client := conciergeclientset.NewForConfigOrDie(w.cluster.AdminConfig)
		got, err := client.LoginV1alpha1().TokenCredentialRequests().Create(context.Background(),
			&loginv1alpha1.TokenCredentialRequest{Spec: loginv1alpha1.TokenCredentialRequestSpec{
				Token: credential.Status.Token,
				Authenticator: corev1.TypedLocalObjectReference{
					APIGroup: ptr(authenticationv1alpha1.GroupName), Kind: "JWTAuthenticator", Name: "supervisor",
				},
			}}, metav1.CreateOptions{})
		require.NoError(t, err)
		return got
	}
	own := request(s.workloads[0])
	require.NotNil(t, own.Status.Credential, "message: %v", own.Status.Message)
	other := request(s.workloads[1])
	require.Nil(t, other.Status.Credential)
	require.NotNil(t, other.Status.Message)
	require.Equal(t, "authentication failed", *other.Status.Message)
}

// testCachedCredential: within the certificate's lifetime kubectl's run of the CLI
// answers from the credential cache and sends nothing to the Supervisor; when the
// credential and the Supervisor tokens are gone, the refresh token gets new ones,
// with no password.
func testCachedCredential(t *testing.T, s *scenario) {
	w := s.workloads[0]
	require.Equal(t, "yes", s.canI(t, w, bob, bob.password, "get", "pods"))

	handshakes := func() int { return countInLog(t, s.supervisor.LogPath, `"chose serving certificate"`) }
	refreshes := func() int { return countInLog(t, s.supervisor.LogPath, `grantType="refresh_token"`) }
	before := handshakes()
	require.Equal(t, "yes", s.canI(t, w, bob, "not-needed", "get", "pods"))
	require.Equal(t, before, handshakes(), "the CLI reached the Supervisor with a cached credential")

	home := filepath.Join(s.homes, bob.name, "pinniped")
	require.NoError(t, os.Remove(filepath.Join(home, "credentials.yaml")))
	// As if the Supervisor's access and ID tokens had expired.
	require.NoError(t, testlib.DropSessionTokens(filepath.Join(home, "sessions.yaml"), "access", "id"))
	refreshesBefore := refreshes()
	require.Equal(t, "yes", s.canI(t, w, bob, "not-needed", "get", "pods"))
	require.Equal(t, refreshesBefore+1, refreshes(), "no refresh grant was sent")
	require.Greater(t, handshakes(), before)
}

func countInLog(t *testing.T, path, needle string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Count(string(data), needle)
}

// testBadInput: failures are one clear line, a non-zero exit and no secrets.
func testBadInput(t *testing.T, s *scenario) {
	command, args := execPlugin(t, s.workloads[0].kubeconfig)
	mallory := user{name: "mallory", email: bob.email}

	t.Run("wrong_password", func(t *testing.T) {
		r := run(t, s.env(mallory, "wrong-password-4f1"), command, args...)
		require.Error(t, r.err)
		require.Empty(t, r.stdout)
		require.Equal(t, 1, strings.Count(r.stderr, "\n"), "stderr: %s", r.stderr)
		require.True(t, strings.HasPrefix(r.stderr, "Error: "), r.stderr)
		require.Contains(t, r.stderr, "login failed")
		require.NotContains(t, r.stderr, "wrong-password-4f1")
		require.NotContains(t, r.stderr, "goroutine")
	})

	t.Run("unreachable_supervisor", func(t *testing.T) {
		ports, err := harness.FreePorts(1)
		require.NoError(t, err)
		gone := fmt.Sprintf("https://127.0.0.1:%d/e2e-issuer", ports[0])
		var moved []string
		for _, arg := range args {
			if strings.HasPrefix(arg, "--issuer=") {
				arg = "--issuer=" + gone
			}
			moved = append(moved, arg)
		}
		r := run(t, s.env(user{name: "unreachable"}, bob.password), command, moved...)
		require.Error(t, r.err)
		require.Contains(t, r.stderr, gone)
		require.Equal(t, 1, strings.Count(r.stderr, "\n"), "stderr: %s", r.stderr)
	})

	t.Run("corrupted_caches_are_reset", func(t *testing.T) {
		corrupted := user{name: "corrupted", email: bob.email, password: bob.password}
		dir := filepath.Join(s.homes, corrupted.name, "pinniped")
		require.NoError(t, os.MkdirAll(dir, 0o700))
		for _, name := range []string{"credentials.yaml", "sessions.yaml"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("{{{ not yaml \x00"), 0o600))
		}
		require.Equal(t, "yes", s.canI(t, s.workloads[0], corrupted, bob.password, "get", "pods"))
		for _, name := range []string{"credentials.yaml", "sessions.yaml"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			var parsed map[string]any
			require.NoError(t, yaml.Unmarshal(data, &parsed), "%s: %s", name, data)
			require.NotEmpty(t, parsed)
		}
	})
}
