// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package codegen

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRenderCRDsCommand runs hack/render-crds the way the README shows.
func TestRenderCRDsCommand(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	run := func(args ...string) (string, error) {
		cmd := exec.Command("go", append([]string{"run", "./hack/render-crds"}, args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	const crd = "artifacts/crds/authentication.concierge.pinniped.dev_jwtauthenticators.yaml"
	out, err := run("--suffix", "example.io", crd)
	require.NoError(t, err, out)
	require.Contains(t, out, "\n  name: jwtauthenticators.authentication.concierge.example.io\n")
	require.Contains(t, out, "\n  group: authentication.concierge.example.io\n")
	require.NotContains(t, out, "group: authentication.concierge.pinniped.dev")

	out, err = run("--suffix", "nodots", crd)
	require.Error(t, err)
	require.Contains(t, out, `render-crds: artifacts/crds/authentication.concierge.pinniped.dev_jwtauthenticators.yaml: `+
		`invalid API group suffix "nodots": must have at least two DNS labels, like example.com`)
}
