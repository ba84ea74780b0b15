// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package supervisor runs the Supervisor binary against a real kube-apiserver and
// etcd started once for the package by test/harness.
package supervisor

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

var (
	// cluster is the control plane shared by every test of this package.
	cluster *harness.Harness
	// supervisor is the Supervisor process shared by every test of this package.
	supervisor *testlib.Supervisor
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pinniped-integration-supervisor-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not create harness directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()

	// kube-controller-manager's garbage collector deletes the secret storage of a
	// deleted OIDCClient.
	cluster, err = harness.StartInDir(dir, harness.Options{ControllerManager: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start harness:", err, harness.LogsOf(dir))
		return 1
	}
	defer cluster.Stop()
	supervisorDir := filepath.Join(dir, "supervisor")
	if err := os.Mkdir(supervisorDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "could not create supervisor directory:", err)
		return 1
	}
	supervisor, err = testlib.StartSupervisorInDir(cluster, supervisorDir, testlib.SupervisorOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start supervisor:", err)
		return 1
	}

	code := m.Run()
	supervisor.Stop()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "===== supervisor log =====\n"+supervisor.Logs())
		fmt.Fprintln(os.Stderr, cluster.Logs())
	}
	return code
}
