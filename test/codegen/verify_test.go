// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package codegen tests hack/verify-codegen.sh, the CI check that generated code
// matches the API types.
package codegen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVerifyCodegenCatchesDrift edits an API type in a copy of the repository
// without regenerating, and expects the script to fail and name the drift.
func TestVerifyCodegenCatchesDrift(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	src := t.TempDir()
	copyTree(t, root, src)

	typesFile := filepath.Join(src, "pkg/apis/concierge/authentication/v1alpha1/types_jwtauthenticator.go")
	content, err := os.ReadFile(typesFile)
	require.NoError(t, err)
	const anchor = "type JWTAuthenticatorSpec struct {\n"
	require.Contains(t, string(content), anchor)
	edited := strings.Replace(string(content), anchor, anchor+
		"\t// DriftProbe is added by the test and is in no generated file.\n"+
		"\t// +optional\n"+
		"\tDriftProbe string `json:\"driftProbe,omitempty\"`\n\n", 1)
	require.NoError(t, os.WriteFile(typesFile, []byte(edited), 0o600))

	cmd := exec.Command(filepath.Join(root, "hack/verify-codegen.sh"), src)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "verify-codegen.sh passed on a stale tree:\n%s", out)
	require.Contains(t, string(out), "generated code is out of date: run hack/update-codegen.sh")
	// The CRD gains the new field and the deepcopy and openapi code need not
	// change for a string, so the CRD diff is what must show.
	require.Regexp(t, `(?m)^\+\s+driftProbe:$`, string(out))
	require.Contains(t, string(out), "authentication.concierge.pinniped.dev_jwtauthenticators.yaml")
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	script := `tar -C "$1" --exclude=./bin --exclude=./.git --exclude=./.demo -cf - . | tar -C "$2" -xf -`
	cmd := exec.Command("bash", "-c", script, "copy", from, to)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}
