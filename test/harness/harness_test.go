// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/test/harness"
)

// TestTwoHarnesses starts two control planes at once, one with an audit log, and
// checks that each is a separate, working cluster that trusts its own CA only.
func TestTwoHarnesses(t *testing.T) {
	var a, b *harness.Harness
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = harness.Start(t, harness.Options{AuditLog: true}) }()
	go func() { defer wg.Done(); b = harness.Start(t, harness.Options{}) }()
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow() // Start already reported why.
	}
	ctx := context.Background()
	require.NotEqual(t, a.URL, b.URL)

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "only-in-a"}}
	_, err := a.Client().CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = b.Client().CoreV1().Namespaces().Get(ctx, "only-in-a", metav1.GetOptions{})
	require.Error(t, err, "the harnesses share an etcd")

	t.Run("kubeconfig_works_with_kubectl", func(t *testing.T) {
		out, err := a.Kubectl(ctx, "get", "namespace", "only-in-a", "-o", "name")
		require.NoError(t, err)
		require.Equal(t, "namespace/only-in-a\n", out)
		out, err = a.Kubectl(ctx, "auth", "can-i", "create", "clusterrolebindings")
		require.NoError(t, err)
		require.Equal(t, "yes\n", out)
	})

	t.Run("cluster_ca_key_signs_trusted_client_certs", func(t *testing.T) {
		pair, err := a.ClusterCA.IssueClientCert("ca-test-user", []string{"ca-test-group"}, 5*time.Minute)
		require.NoError(t, err)
		loaded, err := certauthority.Load(mustRead(t, a.ClusterCACertPath), mustRead(t, a.ClusterCAKeyPath))
		require.NoError(t, err)
		require.Equal(t, a.ClusterCA.Certificate().Raw, loaded.Certificate().Raw)

		cfg := *a.AdminConfig
		cfg.CertData, cfg.KeyData = pair.CertPEM, pair.KeyPEM
		// Forbidden (not Unauthorized) proves the certificate authenticated.
		_, err = clientFor(t, &cfg).CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		require.ErrorContains(t, err, `User "ca-test-user" cannot list resource "namespaces"`)

		cfg.CAData = b.ClusterCA.Bundle()
		_, err = clientFor(t, &cfg).CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		require.ErrorContains(t, err, "certificate signed by unknown authority")
	})

	t.Run("audit_log_records_requests", func(t *testing.T) {
		require.Empty(t, b.AuditLogPath)
		require.Eventually(t, func() bool {
			content, err := os.ReadFile(a.AuditLogPath)
			return err == nil && strings.Contains(string(content), `"/api/v1/namespaces/only-in-a"`)
		}, 10*time.Second, 100*time.Millisecond)
	})
}

// TestRegisterAPIService serves a tiny aggregated API on loopback and reaches it
// through kube-apiserver.
func TestRegisterAPIService(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx := context.Background()

	ca, err := certauthority.New("aggregated-test-ca", time.Hour)
	require.NoError(t, err)
	serving, err := ca.IssueServerCert([]string{"demo-api.demo-ns.svc"}, nil, time.Hour)
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(serving.CertPEM, serving.KeyPEM)
	require.NoError(t, err)

	var sawUser string
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/apis/demo.example.io/v1", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawUser = r.Header.Get("X-Remote-User")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(metav1.APIResourceList{
			TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
			GroupVersion: "demo.example.io/v1",
			APIResources: []metav1.APIResource{},
		})
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	server := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	t.Cleanup(func() { _ = server.Close() })

	port := int32(listener.Addr().(*net.TCPAddr).Port) //nolint:gosec // a TCP port fits in int32
	require.NoError(t, h.RegisterAPIService(ctx, harness.APIService{
		Group: "demo.example.io", Version: "v1",
		Namespace: "demo-ns", ServiceName: "demo-api", Port: port,
		CABundle: ca.Bundle(),
	}))
	require.NoError(t, h.WaitForAPIService(ctx, "v1.demo.example.io", time.Minute))

	out, err := h.Kubectl(ctx, "get", "--raw", "/apis/demo.example.io/v1")
	require.NoError(t, err)
	require.Contains(t, out, `"groupVersion":"demo.example.io/v1"`)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "pinniped-test-admin", sawUser, "the aggregator passes the user in request headers")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	return content
}

func clientFor(t *testing.T, cfg *rest.Config) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	return client
}

// TestControllerManager: with kube-controller-manager, aggregated roles such as
// view work, as on a real cluster.
func TestControllerManager(t *testing.T) {
	h := harness.Start(t, harness.Options{ControllerManager: true})
	ctx := context.Background()
	_, err := h.Kubectl(ctx, "create", "clusterrolebinding", "viewers", "--clusterrole=view", "--group=viewers")
	require.NoError(t, err)
	canI := func(args ...string) string {
		out, _ := h.Kubectl(ctx, append([]string{"auth", "can-i", "--as=someone", "--as-group=viewers"}, args...)...)
		return strings.TrimSpace(out)
	}
	require.Equal(t, "yes", canI("get", "pods"))
	require.Equal(t, "no", canI("create", "namespaces"))
}
