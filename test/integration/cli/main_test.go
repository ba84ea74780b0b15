// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package cli runs the pinniped binary as kubectl and a person would, against one
// harness cluster with the Concierge, a TokenReview webhook and a real Dex.
package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

var (
	// cluster is the control plane shared by the tests of this package.
	cluster *harness.Harness
	// pinniped is the path of the CLI built for the tests.
	pinniped string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pinniped-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not create test directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()

	if pinniped, err = testlib.Binary("pinniped"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	clusterDir := filepath.Join(dir, "cluster")
	conciergeDir := filepath.Join(dir, "concierge")
	for _, d := range []string{clusterDir, conciergeDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			fmt.Fprintln(os.Stderr, "could not create directory:", err)
			return 1
		}
	}
	cluster, err = harness.StartInDir(clusterDir, harness.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start harness:", err, harness.LogsOf(clusterDir))
		return 1
	}
	defer cluster.Stop()
	if err := installCRDs(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	concierge, err := testlib.StartConciergeInDir(cluster, conciergeDir, testlib.ConciergeOptions{})
	if concierge != nil {
		defer concierge.Stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start the Concierge:", err)
		return 1
	}
	if err := waitForStrategy(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	code := m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "===== concierge log =====\n"+concierge.Logs())
	}
	return code
}

// waitForStrategy waits until the Concierge has published its strategy in a
// CredentialIssuer, which `pinniped get kubeconfig` reads.
func waitForStrategy() error {
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig)
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 2*time.Minute, true,
		func(ctx context.Context) (bool, error) {
			issuers, err := client.ConfigV1alpha1().CredentialIssuers().List(ctx, metav1.ListOptions{})
			switch {
			case err != nil:
				last = err
			case len(issuers.Items) == 0 || len(issuers.Items[0].Status.Strategies) == 0:
				last = fmt.Errorf("no CredentialIssuer with a strategy yet")
			default:
				return true, nil
			}
			return false, nil
		})
	if err != nil {
		return fmt.Errorf("the Concierge published no strategy: %w (last: %v)", err, last)
	}
	return nil
}

func installCRDs() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	crds, err := filepath.Abs("../../../artifacts/crds")
	if err != nil {
		return err
	}
	if _, err := cluster.Kubectl(ctx, "apply", "--server-side", "-f", crds); err != nil {
		return err
	}
	_, err = cluster.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crds)
	return err
}

// result is the outcome of one CLI run.
type result struct {
	stdout, stderr string
	err            error
}

// runCLI runs pinniped with args and extra environment variables, with its caches
// under the test's XDG_CONFIG_HOME.
func runCLI(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pinniped, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// configHome points the CLI's caches (and kubectl's runs of it) at a fresh directory.
func configHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}

func requireSuccess(t *testing.T, r result) {
	t.Helper()
	require.NoError(t, r.err, "stderr: %s", r.stderr)
}

func b64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }

func itoa(i int) string { return strconv.Itoa(i) }
