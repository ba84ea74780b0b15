// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package integration runs the project's pieces against a real kube-apiserver and
// etcd started once for the package by test/harness.
package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

var (
	// cluster is the control plane shared by every test of this package.
	cluster *harness.Harness

	// The Concierge shared by the tests that need one, started on first use.
	conciergeOnce sync.Once
	conciergeDir  string
	concierge     *testlib.Concierge
	conciergeErr  error
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pinniped-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not create harness directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()

	cluster, err = harness.StartInDir(dir, harness.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start harness:", err, harness.LogsOf(dir))
		return 1
	}
	conciergeDir = filepath.Join(dir, "concierge")
	if err := os.Mkdir(conciergeDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "could not create concierge directory:", err)
		return 1
	}

	code := m.Run()
	if concierge != nil {
		concierge.Stop()
		if code != 0 {
			fmt.Fprintln(os.Stderr, "===== concierge log =====\n"+concierge.Logs())
		}
	}
	cluster.Stop()
	if code != 0 {
		fmt.Fprintln(os.Stderr, cluster.Logs())
	}
	return code
}
