// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonation

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// benchClients are the same admin certificate (the cluster CA's, which the proxy
// accepts too) sent to kube-apiserver directly and through the proxy, and a
// user's certificate from the proxy's signer, which only the proxy takes.
func benchClients(b *testing.B) map[string]kubernetes.Interface {
	direct := rest.CopyConfig(cluster.AdminConfig)
	viaProxy := rest.CopyConfig(cluster.AdminConfig)
	viaProxy.Host, viaProxy.TLSClientConfig.CAData = proxyEndpoint, proxyCA
	cred := exchange(b, viewerToken)
	user := proxyConfig(cred.ClientCertificateData, cred.ClientKeyData)
	clients := map[string]kubernetes.Interface{}
	for name, cfg := range map[string]*rest.Config{"direct": direct, "proxy": viaProxy, "proxy_signer_cert": user} {
		cfg.QPS, cfg.Burst = -1, 0
		clients[name] = kubernetes.NewForConfigOrDie(cfg)
	}
	return clients
}

// BenchmarkGetNamespaces compares GET /api/v1/namespaces direct and through the
// proxy, with p50 and p99 per request.
func BenchmarkGetNamespaces(b *testing.B) {
	clients := benchClients(b)
	for _, name := range []string{"direct", "proxy", "proxy_signer_cert"} {
		client := clients[name]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			// Warm the connection and the proxy's authorization cache.
			_, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
			require.NoError(b, err)
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				_, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
				latencies = append(latencies, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportPercentiles(b, latencies)
		})
	}
}

// BenchmarkWatchEventDelay measures how long a ConfigMap creation takes to reach
// a watcher, direct and through the proxy.
func BenchmarkWatchEventDelay(b *testing.B) {
	clients := benchClients(b)
	admin := cluster.Client().CoreV1().ConfigMaps("default")
	for _, name := range []string{"direct", "proxy"} {
		client := clients[name]
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := client.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{
				LabelSelector: "bench=watch-" + name,
			})
			require.NoError(b, err)
			defer w.Stop()
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				cmName := fmt.Sprintf("bench-%s-%d", name, i)
				start := time.Now()
				_, err := admin.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
					Name: cmName, Labels: map[string]string{"bench": "watch-" + name},
				}}, metav1.CreateOptions{})
				require.NoError(b, err)
				for event := range w.ResultChan() {
					if cm, ok := event.Object.(*corev1.ConfigMap); ok && event.Type == watch.Added && cm.Name == cmName {
						break
					}
				}
				latencies = append(latencies, time.Since(start))
			}
			b.StopTimer()
			reportPercentiles(b, latencies)
			_ = admin.DeleteCollection(context.Background(), metav1.DeleteOptions{},
				metav1.ListOptions{LabelSelector: "bench=watch-" + name})
		})
	}
}

func reportPercentiles(b *testing.B, latencies []time.Duration) {
	slices.Sort(latencies)
	at := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds())
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}
