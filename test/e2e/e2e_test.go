// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package e2e runs the reference scenario with every part a real process on
// loopback: a supervisor cluster with the Supervisor and Dex as the company IdP, two
// workload clusters each with its own Concierge, and users on plain kubectl with
// kubeconfigs written by `pinniped get kubeconfig`.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
	refscenario "github.com/sealworks/pinniped/test/testlib/scenario"
)

// user is a person of the company IdP; name also names their cache directory.
type user struct {
	name, email, password string
	groups                []string
}

var (
	alice = user{"alice", "alice@example.com", "alice-password-51c", []string{"eks-admins"}}
	bob   = user{"bob", "bob@example.com", "bob-password-0e7", []string{"eks-users"}}
)

// workload is one workload cluster with the kubeconfig that `pinniped get
// kubeconfig` wrote for it.
type workload struct {
	name       string
	cluster    *harness.Harness
	audience   string
	kubeconfig string
	// server is where users' kubectl goes: kube-apiserver, or the impersonation
	// proxy on a cluster whose signing key the Concierge cannot have.
	server string
}

// scenario is the reference scenario, up and configured (test/testlib/scenario).
type scenario struct {
	pinniped, kubectl string
	issuer            string
	supervisor        *testlib.Supervisor
	dex               *testlib.Dex
	workloads         []*workload
	// homes holds one configuration directory (the CLI's caches) per user.
	homes string
}

// newScenario starts every process of the reference scenario and writes a
// kubeconfig for each workload cluster with `pinniped get kubeconfig`, leaving the
// choice of flow to the CLI.
func newScenario(t testing.TB) *scenario {
	binDir, err := harness.BinDir()
	require.NoError(t, err)
	var users []refscenario.User
	for _, u := range []user{alice, bob} {
		users = append(users, refscenario.User{Name: u.name, Email: u.email, Password: u.password, Groups: u.groups})
	}
	dir := t.TempDir()
	started, err := refscenario.Start(context.Background(), dir, refscenario.Options{
		Users:      users,
		Workloads:  []string{"workload1", "workload2"},
		IssuerPath: "/e2e-issuer",
		// workload2 is the EKS case: no signing key, so the impersonation proxy.
		HiddenControlPlane: []string{"workload2"},
	})
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(started.Logs())
		}
		started.Stop()
	})
	require.NoError(t, err)
	s := &scenario{
		pinniped: started.Pinniped, kubectl: filepath.Join(binDir, "kubectl"), issuer: started.Issuer,
		supervisor: started.Supervisor, dex: started.Dex, homes: t.TempDir(),
	}
	for _, w := range started.Workloads {
		server := w.Cluster.URL
		if w.HiddenControlPlane {
			server = fmt.Sprintf("https://127.0.0.1:%d", w.Concierge.ProxyPort)
		}
		s.workloads = append(s.workloads, &workload{name: w.Name, cluster: w.Cluster, audience: w.Audience,
			kubeconfig: w.Kubeconfig, server: server})
	}
	return s
}

// env is what a user's kubectl runs the CLI with: their own caches and the
// cli_password flow with the given password.
func (s *scenario) env(u user, password string) []string {
	return []string{
		"XDG_CONFIG_HOME=" + filepath.Join(s.homes, u.name),
		"PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password",
		"PINNIPED_USERNAME=" + u.email,
		"PINNIPED_PASSWORD=" + password,
	}
}

// canI runs `kubectl auth can-i` as u and returns its answer.
func (s *scenario) canI(t *testing.T, w *workload, u user, password string, verb, resource string) string {
	t.Helper()
	r := run(t, s.env(u, password), s.kubectl, "--kubeconfig", w.kubeconfig, "auth", "can-i", verb, resource)
	var exit *exec.ExitError
	if r.err != nil && !(errors.As(r.err, &exit) && exit.ExitCode() == 1 && r.stdout == "no\n") {
		t.Fatalf("kubectl auth can-i %s %s as %s on %s: %v\nstdout: %s\nstderr: %s",
			verb, resource, u.name, w.name, r.err, r.stdout, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// TestReferenceScenario: one login through the Supervisor (Dex upstream) gives
// each user, on both workload clusters, what RBAC grants their IdP groups.
func TestReferenceScenario(t *testing.T) {
	s := newScenario(t)
	workloads := s.workloads
	for _, w := range workloads {
		written, err := os.ReadFile(w.kubeconfig)
		require.NoError(t, err)
		require.Contains(t, string(written), "--issuer="+s.issuer)
		require.Contains(t, string(written), "--request-audience="+w.audience)
		require.Contains(t, string(written), "--upstream-identity-provider-name=dex")
		require.Contains(t, string(written), "--upstream-identity-provider-type=oidc")
		config, err := clientcmd.LoadFromFile(w.kubeconfig)
		require.NoError(t, err)
		require.Equal(t, w.server, config.Clusters[config.Contexts[config.CurrentContext].Cluster].Server, w.name)
	}
	require.NotEqual(t, workloads[1].cluster.URL, workloads[1].server, "workload2 should be behind the proxy")
	env, canI := s.env, s.canI

	t.Run("wrong_password_is_refused", func(t *testing.T) {
		r := run(t, env(bob, "not-the-password"), s.kubectl, "--kubeconfig", workloads[0].kubeconfig,
			"auth", "can-i", "get", "pods")
		require.Error(t, r.err)
		require.NotContains(t, r.stdout, "yes")
		require.Contains(t, r.stderr, "login failed")
		require.NotContains(t, r.stderr, "not-the-password")
	})

	t.Run("eks_users_may_view_but_not_create_namespaces", func(t *testing.T) {
		require.Equal(t, "yes", canI(t, workloads[0], bob, bob.password, "get", "pods"))
		require.Equal(t, "no", canI(t, workloads[0], bob, bob.password, "create", "namespace"))

		r := run(t, env(bob, bob.password), s.pinniped, "whoami", "--kubeconfig", workloads[0].kubeconfig)
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, "Username: "+bob.email)
		require.Contains(t, r.stdout, "Groups: eks-users")
	})

	t.Run("one_login_serves_the_second_cluster", func(t *testing.T) {
		// A wrong password proves the session from the first cluster is reused:
		// the CLI only exchanges the Supervisor token for the second audience.
		require.Equal(t, "yes", canI(t, workloads[1], bob, "not-needed", "get", "pods"))
		require.Equal(t, "no", canI(t, workloads[1], bob, "not-needed", "create", "namespace"))
	})

	t.Run("eks_admins_may_create_namespaces", func(t *testing.T) {
		for _, w := range workloads {
			require.Equal(t, "yes", canI(t, w, alice, alice.password, "create", "namespace"), w.name)
		}
		r := run(t, env(alice, alice.password), s.pinniped, "whoami", "--kubeconfig", workloads[1].kubeconfig,
			"-o", "json")
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, `"username": "`+alice.email+`"`)
		require.Contains(t, r.stdout, `"eks-admins"`)
	})

	t.Run("kubectl_acts_as_the_user", func(t *testing.T) {
		r := run(t, env(alice, alice.password), s.kubectl, "--kubeconfig", workloads[1].kubeconfig,
			"create", "namespace", "made-by-alice")
		require.NoError(t, r.err, "stderr: %s", r.stderr)
		r = run(t, env(bob, bob.password), s.kubectl, "--kubeconfig", workloads[1].kubeconfig,
			"delete", "namespace", "made-by-alice", "--wait=false")
		require.Error(t, r.err)
		require.Contains(t, r.stderr, `User "`+bob.email+`" cannot delete resource "namespaces"`)
	})

	t.Run("browser_authcode_with_chromium", func(t *testing.T) { testBrowserLogin(t, s) })
	t.Run("audience_isolation", func(t *testing.T) { testAudienceIsolation(t, s) })
	t.Run("cached_credential_and_refresh", func(t *testing.T) { testCachedCredential(t, s) })
	t.Run("bad_input", func(t *testing.T) { testBadInput(t, s) })
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs a command with extra environment variables and a two-minute limit.
func run(t testing.TB, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

func ptr[T any](v T) *T { return &v }
