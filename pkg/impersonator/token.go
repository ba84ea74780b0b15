// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonator

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// tokenTTL is the lifetime asked for the proxy's token; it is renewed at 80 %.
const tokenTTL = 24 * time.Hour

// Token keeps a fresh token of the ServiceAccount the proxy calls kube-apiserver
// as, from the TokenRequest API.
type Token struct {
	kube      kubernetes.Interface
	namespace string
	name      string
	current   atomic.Pointer[string]
}

// NewToken returns a Token for the ServiceAccount namespace/name; call Run.
func NewToken(kube kubernetes.Interface, namespace, name string) *Token {
	return &Token{kube: kube, namespace: namespace, name: name}
}

// Run fetches a token and renews it until ctx is done; failures are retried with
// a backoff of 10 ms up to 10 s.
func (t *Token) Run(ctx context.Context) {
	backoff := wait.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Steps: 1 << 30, Cap: 10 * time.Second}
	for {
		var renewIn time.Duration
		err := wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
			ttl, err := t.fetch(ctx)
			if err != nil {
				klog.ErrorS(err, "could not fetch the impersonation proxy's token; retrying",
					"serviceAccount", t.namespace+"/"+t.name)
				return false, nil
			}
			renewIn = ttl * 8 / 10
			return true, nil
		})
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(renewIn):
		}
	}
}

func (t *Token) fetch(ctx context.Context) (time.Duration, error) {
	seconds := int64(tokenTTL / time.Second)
	resp, err := t.kube.CoreV1().ServiceAccounts(t.namespace).CreateToken(ctx, t.name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}},
		metav1.CreateOptions{})
	if err != nil {
		return 0, err
	}
	token := resp.Status.Token
	t.current.Store(&token)
	return time.Until(resp.Status.ExpirationTimestamp.Time), nil
}

// errNoToken means the first token has not arrived yet.
var errNoToken = errors.New("impersonator: no token for the proxy's ServiceAccount yet")

// WrapTransport returns rt with the current token on every request; it fits
// rest.Config.WrapTransport.
func (t *Token) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		token := t.current.Load()
		if token == nil {
			return nil, errNoToken
		}
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+*token)
		return rt.RoundTrip(r)
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
