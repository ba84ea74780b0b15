// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/oidcissuer"
	"github.com/sealworks/pinniped/test/testlib"
)

// BenchmarkTokenCredentialRequest sends TokenCredentialRequests anonymously
// through kube-apiserver to a Concierge process, one at a time and 16 at a time,
// and reports latency percentiles, the Concierge's CPU time per request and its
// resident memory.
func BenchmarkTokenCredentialRequest(b *testing.B) {
	h := harness.Start(b, harness.Options{})
	if _, err := h.Kubectl(context.Background(), "apply", "--server-side", "-f", "../../artifacts/crds"); err != nil {
		b.Fatal(err)
	}
	c := testlib.StartConcierge(b, h, testlib.ConciergeOptions{LogLevel: "info"})
	token := readyAuthenticator(b, h)

	anonymous := rest.AnonymousClientConfig(h.AdminConfig)
	anonymous.QPS = -1 // no client-side rate limit: measure the servers
	client := conciergeclientset.NewForConfigOrDie(anonymous)
	request := &loginv1alpha1.TokenCredentialRequest{Spec: loginv1alpha1.TokenCredentialRequestSpec{
		Token: token,
		Authenticator: corev1.TypedLocalObjectReference{
			APIGroup: ptr.To(authenticationv1alpha1.GroupName), Kind: "JWTAuthenticator", Name: "bench",
		},
	}}
	send := func() time.Duration {
		start := time.Now()
		resp, err := client.LoginV1alpha1().TokenCredentialRequests().Create(context.Background(), request,
			metav1.CreateOptions{})
		if err != nil || resp.Status.Credential == nil {
			b.Fatalf("exchange failed: %v %v", err, resp)
		}
		return time.Since(start)
	}
	idleRSS, _ := rssMiB(c.Pid())

	for _, concurrency := range []int{1, 16} {
		b.Run(map[int]string{1: "sequential", 16: "concurrency16"}[concurrency], func(b *testing.B) {
			send() // warm up connections and caches
			profile := maybeProfile(b, h, c, concurrency)
			cpuBefore, _ := cpuTime(c.Pid())
			latencies := make([]time.Duration, 0, b.N)
			var mu sync.Mutex
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			work := make(chan struct{}, b.N)
			for range b.N {
				work <- struct{}{}
			}
			close(work)
			for range concurrency {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						d := send()
						mu.Lock()
						latencies = append(latencies, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			cpuAfter, _ := cpuTime(c.Pid())
			rss, _ := rssMiB(c.Pid())

			if profile != nil {
				if err := <-profile; err != nil {
					b.Fatal(err)
				}
			}
			sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
			b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
			b.ReportMetric(ms(cpuAfter-cpuBefore)/float64(b.N), "concierge-cpu-ms/op")
			b.ReportMetric(rss, "concierge-rss-MiB")
			b.ReportMetric(idleRSS, "concierge-idle-rss-MiB")
		})
	}
}

// readyAuthenticator starts a test issuer, creates a JWTAuthenticator for it and
// returns a token valid for ten minutes.
func readyAuthenticator(b *testing.B, h *harness.Harness) string {
	issuer, err := oidcissuer.Start("/bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(issuer.Close)
	key, err := issuer.AddKey("bench-key", jose.ES256)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	client := conciergeclientset.NewForConfigOrDie(h.AdminConfig).AuthenticationV1alpha1().JWTAuthenticators()
	_, err = client.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "bench"},
		Spec: authenticationv1alpha1.JWTAuthenticatorSpec{
			Issuer: issuer.URL, Audience: "bench",
			TLS: &authenticationv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(issuer.CABundle()),
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			a, err := client.Get(ctx, "bench", metav1.GetOptions{})
			return err == nil && a.Status.Phase == authenticationv1alpha1.JWTAuthenticatorPhaseReady, nil
		})
	if err != nil {
		b.Fatal("the JWTAuthenticator did not become ready:", err)
	}
	claims := issuer.StandardClaims("bench", "bench-user", []string{"bench-group"})
	claims["exp"] = time.Now().Add(10 * time.Minute).Unix()
	token, err := oidcissuer.Sign(key, claims)
	if err != nil {
		b.Fatal(err)
	}
	return token
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// maybeProfile fetches a 5-second CPU profile of the Concierge while the
// concurrent run goes on, when $PINNIPED_BENCH_CPUPROFILE names a file for it.
func maybeProfile(b *testing.B, h *harness.Harness, c *testlib.Concierge, concurrency int) <-chan error {
	path := os.Getenv("PINNIPED_BENCH_CPUPROFILE")
	if path == "" || concurrency != 1 {
		return nil
	}
	done := make(chan error, 1)
	go func() {
		// The admin's client certificate authenticates directly against the
		// Concierge, which trusts the cluster's client CA.
		cfg := rest.CopyConfig(h.AdminConfig)
		cfg.Host = fmt.Sprintf("https://127.0.0.1:%d", c.Port)
		cfg.TLSClientConfig.Insecure, cfg.TLSClientConfig.CAData = true, nil
		client, err := rest.UnversionedRESTClientFor(withCodec(cfg))
		if err != nil {
			done <- err
			return
		}
		data, err := client.Get().AbsPath("/debug/pprof/profile").Param("seconds", "5").DoRaw(context.Background())
		if err == nil {
			err = os.WriteFile(path, data, 0o600)
		}
		done <- err
	}()
	b.Logf("writing a CPU profile of the Concierge to %s", path)
	return done
}

func withCodec(cfg *rest.Config) *rest.Config {
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	return cfg
}
