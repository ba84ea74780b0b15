// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// BenchmarkKubectl measures, on the reference scenario, what the exec plugin costs
// kubectl: `kubectl get --raw /version` with a static client certificate against
// the same call through the plugin with a cached credential, and the plugin alone;
// and a full
// cli_password login (Supervisor, Dex's password grant, token exchange and
// TokenCredentialRequest) with empty caches.
//
//	go test ./test/e2e -run '^$' -bench Kubectl -benchtime 50x
func BenchmarkKubectl(b *testing.B) {
	s := newScenario(b)
	w := s.workloads[0]

	pair, err := w.cluster.ClusterCA.IssueClientCert("bench-static", []string{"eks-users"}, time.Hour)
	require.NoError(b, err)
	static := clientcmdapi.NewConfig()
	static.Clusters["c"] = &clientcmdapi.Cluster{Server: w.cluster.URL,
		CertificateAuthorityData: w.cluster.ClusterCA.Bundle()}
	static.AuthInfos["u"] = &clientcmdapi.AuthInfo{ClientCertificateData: pair.CertPEM, ClientKeyData: pair.KeyPEM}
	static.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	static.CurrentContext = "c"
	staticPath := filepath.Join(b.TempDir(), "static.kubeconfig")
	require.NoError(b, clientcmd.WriteToFile(*static, staticPath))

	version := func(b *testing.B, env []string, kubeconfig string) {
		r := run(b, env, s.kubectl, "--kubeconfig", kubeconfig, "get", "--raw", "/version")
		require.NoError(b, r.err, "stderr: %s", r.stderr)
	}
	// Log bob in once, so the plugin answers from its credential cache.
	version(b, s.env(bob, bob.password), w.kubeconfig)

	b.Run("static_client_certificate", func(b *testing.B) {
		for b.Loop() {
			version(b, nil, staticPath)
		}
	})
	b.Run("exec_plugin_cached_credential", func(b *testing.B) {
		for b.Loop() {
			version(b, s.env(bob, "not-needed"), w.kubeconfig)
		}
	})
	// What kubectl waits for before each call: the plugin answering from its cache.
	b.Run("exec_plugin_alone_cached_credential", func(b *testing.B) {
		command, args := execPlugin(b, w.kubeconfig)
		env := s.env(bob, "not-needed")
		for b.Loop() {
			r := run(b, env, command, args...)
			require.NoError(b, r.err, "stderr: %s", r.stderr)
		}
	})
	b.Run("cli_password_login", func(b *testing.B) {
		command, args := execPlugin(b, w.kubeconfig)
		fresh := user{name: "bench-fresh", email: bob.email}
		home := filepath.Join(s.homes, fresh.name)
		env := s.env(fresh, bob.password)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			require.NoError(b, os.RemoveAll(home))
			b.StartTimer()
			r := run(b, env, command, args...)
			require.NoError(b, r.err, "stderr: %s", r.stderr)
		}
	})
}
