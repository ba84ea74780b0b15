// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// Kubectl runs the kubectl built by hack/tools with the given kubeconfig and
// returns its standard output; on a non-zero exit the error holds its stderr.
func Kubectl(ctx context.Context, kubeconfig string, args ...string) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	args = append([]string{"--kubeconfig", kubeconfig}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "kubectl"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("kubectl %v: %w: %s", args, err, stderr.String())
	}
	return stdout.String(), nil
}

// Kubectl runs kubectl as the harness's admin.
func (h *Harness) Kubectl(ctx context.Context, args ...string) (string, error) {
	return Kubectl(ctx, h.KubeconfigPath, args...)
}
