// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// BenchmarkSupervisor measures the Supervisor process against the harness's
// kube-apiserver and a real Dex: RFC 8693 token exchanges at concurrency 1, 4 and
// 16 (with p50 and p99 latency), and full header-flow logins (authorize with the
// password headers, then the code redemption) one after another.
//
//	go test ./test/integration/supervisor -run '^$' -bench Supervisor -benchtime 2000x
func BenchmarkSupervisor(b *testing.B) {
	env := newLoginEnv(b, "bench")
	verifier := oauth2.GenerateVerifier()
	location := env.passwordAuthorize(b, env.client, verifier, "bob@example.com", "bob-password", nil)
	tokens := env.redeem(b, env.client, location.Query().Get("code"), verifier)
	require.NotEmpty(b, tokens.AccessToken)

	for _, concurrency := range []int{1, 4, 16} {
		b.Run("token_exchange/concurrency_"+strconv.Itoa(concurrency), func(b *testing.B) {
			client := keepAliveClient(env)
			latencies := make([]time.Duration, 0, b.N)
			var mu sync.Mutex
			work := make(chan struct{})
			var wg sync.WaitGroup
			for range concurrency {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						start := time.Now()
						status := exchangeStatus(client, env.issuer, tokens.AccessToken)
						elapsed := time.Since(start)
						if status != http.StatusOK {
							b.Errorf("exchange returned %d", status)
						}
						mu.Lock()
						latencies = append(latencies, elapsed)
						mu.Unlock()
					}
				}()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				work <- struct{}{}
			}
			close(work)
			wg.Wait()
			b.StopTimer()
			reportLatencies(b, latencies)
		})
	}

	b.Run("header_flow_login", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			v := oauth2.GenerateVerifier()
			loc := env.passwordAuthorize(b, env.client, v, "bob@example.com", "bob-password", nil)
			out := env.redeem(b, env.client, loc.Query().Get("code"), v)
			if out.AccessToken == "" {
				b.Fatalf("login failed: %+v", out)
			}
		}
	})
}

// keepAliveClient reaches the issuer at the Supervisor over kept-alive connections.
func keepAliveClient(env *loginEnv) *http.Client {
	client := supervisorDialer(env.roots, supervisor.Port)
	transport := client.Transport.(*http.Transport).Clone()
	transport.DisableKeepAlives = false
	transport.MaxIdleConnsPerHost = 64
	client.Transport = transport
	return client
}

func exchangeStatus(client *http.Client, issuer, accessToken string) int {
	form := url.Values{
		"client_id": {cliClientID}, "grant_type": {tokenExchype}, "audience": {"bench-cluster"},
		"subject_token": {accessToken}, "subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"},
	}
	resp, err := client.PostForm(issuer+"/oauth2/token", form)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func reportLatencies(b *testing.B, latencies []time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
