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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib/scenario"
)

var (
	alice = scenario.User{Name: "alice", Email: "alice@example.com", Password: "alice-password-51c",
		Groups: []string{"eks-admins"}}
	bob = scenario.User{Name: "bob", Email: "bob@example.com", Password: "bob-password-0e7",
		Groups: []string{"eks-users"}}
)

// TestReferenceScenario: one login through the Supervisor (Dex upstream) gives
// each user, on both workload clusters, what RBAC grants their IdP groups.
func TestReferenceScenario(t *testing.T) {
	binDir, err := harness.BinDir()
	require.NoError(t, err)
	kubectl := filepath.Join(binDir, "kubectl")

	dir := t.TempDir()
	s, err := scenario.Start(context.Background(), dir, scenario.Options{
		Users:        []scenario.User{alice, bob},
		Workloads:    []string{"workload1", "workload2"},
		IssuerPath:   "/e2e-issuer",
		UpstreamFlow: "cli_password",
	})
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(s.Logs())
		}
		s.Stop()
	})
	require.NoError(t, err)
	pinniped := s.Pinniped
	workloads := s.Workloads
	for _, w := range workloads {
		written, err := os.ReadFile(w.Kubeconfig)
		require.NoError(t, err)
		require.Contains(t, string(written), "--issuer="+s.Issuer)
		require.Contains(t, string(written), "--request-audience="+w.Audience)
		require.Contains(t, string(written), "--upstream-identity-provider-name=dex")
	}

	// Each user has their own caches, as on their own laptop.
	env := func(u scenario.User, password string) []string {
		home := filepath.Join(os.TempDir(), "pinniped-e2e-"+u.Name)
		return []string{
			"XDG_CONFIG_HOME=" + home,
			"PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password",
			"PINNIPED_USERNAME=" + u.Email,
			"PINNIPED_PASSWORD=" + password,
		}
	}
	for _, u := range []scenario.User{alice, bob} {
		home := filepath.Join(os.TempDir(), "pinniped-e2e-"+u.Name)
		require.NoError(t, os.RemoveAll(home))
		t.Cleanup(func() { _ = os.RemoveAll(home) })
	}
	canI := func(t *testing.T, w *scenario.Workload, u scenario.User, password, verb, resource string) string {
		t.Helper()
		r := run(t, env(u, password), kubectl, "--kubeconfig", w.Kubeconfig,
			"auth", "can-i", verb, resource)
		var exit *exec.ExitError
		if r.err != nil && !(errors.As(r.err, &exit) && exit.ExitCode() == 1 && r.stdout == "no\n") {
			t.Fatalf("kubectl auth can-i %s %s as %s on %s: %v\nstdout: %s\nstderr: %s",
				verb, resource, u.Name, w.Name, r.err, r.stdout, r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}

	t.Run("wrong_password_is_refused", func(t *testing.T) {
		r := run(t, env(bob, "not-the-password"), kubectl, "--kubeconfig", workloads[0].Kubeconfig,
			"auth", "can-i", "get", "pods")
		require.Error(t, r.err)
		require.NotContains(t, r.stdout, "yes")
		require.Contains(t, r.stderr, "login failed")
		require.NotContains(t, r.stderr, "not-the-password")
	})

	t.Run("eks_users_may_view_but_not_create_namespaces", func(t *testing.T) {
		require.Equal(t, "yes", canI(t, workloads[0], bob, bob.Password, "get", "pods"))
		require.Equal(t, "no", canI(t, workloads[0], bob, bob.Password, "create", "namespace"))

		r := run(t, env(bob, bob.Password), pinniped, "whoami", "--kubeconfig", workloads[0].Kubeconfig)
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, "Username: "+bob.Email)
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
			require.Equal(t, "yes", canI(t, w, alice, alice.Password, "create", "namespace"), w.Name)
		}
		r := run(t, env(alice, alice.Password), pinniped, "whoami", "--kubeconfig", workloads[1].Kubeconfig,
			"-o", "json")
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, `"username": "`+alice.Email+`"`)
		require.Contains(t, r.stdout, `"eks-admins"`)
	})

	t.Run("kubectl_acts_as_the_user", func(t *testing.T) {
		r := run(t, env(alice, alice.Password), kubectl, "--kubeconfig", workloads[1].Kubeconfig,
			"create", "namespace", "made-by-alice")
		require.NoError(t, r.err, "stderr: %s", r.stderr)
		r = run(t, env(bob, bob.Password), kubectl, "--kubeconfig", workloads[1].Kubeconfig,
			"delete", "namespace", "made-by-alice", "--wait=false")
		require.Error(t, r.err)
		require.Contains(t, r.stderr, `User "`+bob.Email+`" cannot delete resource "namespaces"`)
	})
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs a command with extra environment variables and a two-minute limit.
func run(t *testing.T, env []string, name string, args ...string) result {
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
