// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// TestCRDsForAnotherSuffix installs the CRDs rendered for example.io next to the
// default ones and shows that objects of both live apart.
func TestCRDsForAnotherSuffix(t *testing.T) {
	installCRDs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 9, "one CRD per kind")
	rendered := filepath.Join(t.TempDir(), "crds-example-io.yaml")
	var all []byte
	for _, file := range files {
		manifest, err := os.ReadFile(file)
		require.NoError(t, err)
		out, err := groupsuffix.RenderCRD(manifest, "example.io")
		require.NoError(t, err)
		all = append(all, out...)
	}
	require.NoError(t, os.WriteFile(rendered, all, 0o600))

	_, err = cluster.Kubectl(ctx, "apply", "--server-side", "-f", rendered)
	require.NoError(t, err)
	_, err = cluster.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", rendered)
	require.NoError(t, err)

	object := filepath.Join(t.TempDir(), "jwt.yaml")
	require.NoError(t, os.WriteFile(object, []byte(`
apiVersion: authentication.concierge.example.io/v1alpha1
kind: JWTAuthenticator
metadata: {name: renamed-suffix}
spec: {issuer: "https://issuer.example.io", audience: renamed}
`), 0o600))
	out, err := cluster.Kubectl(ctx, "create", "-f", object)
	require.NoError(t, err)
	require.Contains(t, out, "jwtauthenticator.authentication.concierge.example.io/renamed-suffix created")

	// Validation travels with the renamed CRD.
	require.NoError(t, os.WriteFile(object, []byte(`
apiVersion: authentication.concierge.example.io/v1alpha1
kind: JWTAuthenticator
metadata: {name: renamed-insecure}
spec: {issuer: "http://issuer.example.io", audience: renamed}
`), 0o600))
	_, err = cluster.Kubectl(ctx, "create", "-f", object)
	require.ErrorContains(t, err, "spec.issuer in body should match '^https://'")

	names, err := cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.example.io",
		"-o", "jsonpath={.items[*].metadata.name}")
	require.NoError(t, err)
	require.Equal(t, "renamed-suffix", names)
	defaultNames, err := cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.pinniped.dev",
		"-o", "jsonpath={.items[*].metadata.name}")
	require.NoError(t, err)
	require.NotContains(t, defaultNames, "renamed-suffix")
}
