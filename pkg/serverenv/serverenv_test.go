// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package serverenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNamespace(t *testing.T) {
	podinfo := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(podinfo, "namespace"), []byte("from-downward-api\n"), 0o600))

	t.Run("configured_wins", func(t *testing.T) {
		t.Setenv("POD_NAMESPACE", "from-env")
		ns, err := Namespace("configured", podinfo)
		require.NoError(t, err)
		require.Equal(t, "configured", ns)
	})
	t.Run("environment_next", func(t *testing.T) {
		t.Setenv("POD_NAMESPACE", "from-env")
		ns, err := Namespace("", podinfo)
		require.NoError(t, err)
		require.Equal(t, "from-env", ns)
	})
	t.Run("downward_api_last", func(t *testing.T) {
		t.Setenv("POD_NAMESPACE", "")
		ns, err := Namespace("", podinfo)
		require.NoError(t, err)
		require.Equal(t, "from-downward-api", ns)
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv("POD_NAMESPACE", "")
		_, err := Namespace("", filepath.Join(podinfo, "missing"))
		require.ErrorContains(t, err, "no namespace in the config file or $POD_NAMESPACE, and could not read the pod's")
	})
}

func TestSetLogLevel(t *testing.T) {
	require.NoError(t, SetLogLevel("info"))
	require.EqualError(t, SetLogLevel("loud"), `unknown log level "loud"`)
}

func TestRESTConfig(t *testing.T) {
	_, err := RESTConfig(filepath.Join(t.TempDir(), "missing.kubeconfig"))
	require.ErrorContains(t, err, "could not load kubeconfig")
}
