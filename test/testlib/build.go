// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package testlib starts the project's own servers as real processes next to a
// test harness, configured the way the artifacts/ manifests install them.
package testlib

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/sealworks/pinniped/test/harness"
)

var (
	// builds holds one *buildResult per binary name.
	builds sync.Map

	buildDirMu sync.Mutex
	// buildDir is where Binary writes binaries; empty means a new temporary directory.
	buildDir string
)

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// BuildInto makes Binary write its binaries into dir instead of a temporary
// directory, for a caller that keeps them (the demo). A binary already there is
// relinked only when its sources changed. Call it before the first Binary.
func BuildInto(dir string) {
	buildDirMu.Lock()
	defer buildDirMu.Unlock()
	buildDir = dir
}

// Binary builds ./cmd/<name> once per process and returns its path.
func Binary(name string) (string, error) {
	v, _ := builds.LoadOrStore(name, &buildResult{})
	r := v.(*buildResult)
	r.once.Do(func() {
		root, err := harness.RepoRoot()
		if err != nil {
			r.err = err
			return
		}
		buildDirMu.Lock()
		dir := buildDir
		buildDirMu.Unlock()
		if dir == "" {
			if dir, err = os.MkdirTemp("", "pinniped-bin-"); err != nil {
				r.err = fmt.Errorf("could not create build directory: %w", err)
				return
			}
		}
		r.path = filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", r.path, "./cmd/"+name)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			r.err = fmt.Errorf("could not build %s: %w\n%s", name, err, out)
		}
	})
	return r.path, r.err
}
