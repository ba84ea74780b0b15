// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessiongc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/sealworks/pinniped/pkg/sessionstore"
	"github.com/sealworks/pinniped/test/harness"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// revocation is one request the test's revocation endpoint received.
type revocation struct {
	Token, Hint, ClientID, ClientSecret string
	// SecretExisted says whether the session's Secret was still there, which shows
	// that revocation happens before deletion.
	SecretExisted bool
}

// revocationServer is a real RFC 7009 endpoint over HTTP. Status is what it answers;
// OnRequest runs inside the request, before it answers.
type revocationServer struct {
	mu        sync.Mutex
	calls     []revocation
	status    int
	onRequest func()
	exists    func(token string) bool
}

func (s *revocationServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	onRequest, status := s.onRequest, s.status
	s.calls = append(s.calls, revocation{
		Token: r.PostForm.Get("token"), Hint: r.PostForm.Get("token_type_hint"),
		ClientID: r.PostForm.Get("client_id"), ClientSecret: r.PostForm.Get("client_secret"),
		SecretExisted: s.exists(r.PostForm.Get("token")),
	})
	s.mu.Unlock()
	if onRequest != nil {
		onRequest()
	}
	w.WriteHeader(status)
}

func (s *revocationServer) set(status int, onRequest func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.onRequest, s.calls = status, onRequest, nil
}

func (s *revocationServer) got() []revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// httpRevoker posts to the test endpoint with client_secret_post, the way the
// upstream client would, and sorts failures into retryable or not.
type httpRevoker struct{ url string }

func (r httpRevoker) Revoke(ctx context.Context, providerName, token, hint string) error {
	if providerName != "dex" {
		return fmt.Errorf("unknown upstream provider %q: %w", providerName, ErrNotRetryable)
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {"pinniped"},
		"client_secret": {"client-secret"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("could not revoke: %w", err)
	}
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode >= 500:
		return fmt.Errorf("revocation endpoint answered %d", resp.StatusCode)
	default:
		return fmt.Errorf("revocation endpoint answered %d: %w", resp.StatusCode, ErrNotRetryable)
	}
}

type value struct {
	sessionstore.WithUpstream
	Subject string `json:"subject"`
}

type env struct {
	client kubernetes.Interface
	ns     string
	clock  *clocktesting.FakeClock
	store  *sessionstore.Store
	server *revocationServer
	c      *Controller
}

func newEnv(t *testing.T, h *harness.Harness, ns string) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	client := h.Client()
	_, err := client.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)

	e := &env{client: client, ns: ns, clock: clocktesting.NewFakeClock(start)}
	e.store = sessionstore.New(client.CoreV1().Secrets(ns), e.clock)
	e.server = &revocationServer{status: http.StatusOK, exists: e.holderExists}
	srv := httptest.NewServer(e.server)
	t.Cleanup(srv.Close)

	factory := kubeinformers.NewSharedInformerFactoryWithOptions(client, 0, kubeinformers.WithNamespace(ns))
	e.c, err = New(Options{
		Kube: client, Secrets: factory.Core().V1().Secrets(), Namespace: ns,
		Revoker: httpRevoker{url: srv.URL + "/revoke"}, Clock: e.clock,
	})
	require.NoError(t, err)
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	return e
}

// holderExists says whether a Secret of the namespace holds token upstream.
func (e *env) holderExists(token string) bool {
	list, err := e.client.CoreV1().Secrets(e.ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return false
	}
	for _, s := range list.Items {
		if tokens, _ := sessionstore.UpstreamTokensOf(&s); tokens != nil &&
			(tokens.RefreshToken == token || tokens.AccessToken == token) {
			return true
		}
	}
	return false
}

// create stores an entry and waits until the controller's informer has it.
func (e *env) create(t *testing.T, kind sessionstore.Kind, sig string, v value, lifetime time.Duration) string {
	t.Helper()
	rv, err := e.store.Create(context.Background(), kind, sig, v, lifetime, nil)
	require.NoError(t, err)
	e.waitForVersion(t, rv)
	return rv
}

func (e *env) waitForVersion(t *testing.T, rv string) {
	t.Helper()
	// The condition runs on another goroutine, so it must not call require.
	require.Eventually(t, func() bool {
		list, _ := e.c.secrets.Secrets(e.ns).List(labels.Everything())
		for _, s := range list {
			if s.ResourceVersion == rv {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond)
}

// exists says whether a Secret is still in the API server.
func (e *env) exists(t *testing.T, name string) bool {
	t.Helper()
	_, err := e.client.CoreV1().Secrets(e.ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false
	}
	require.NoError(t, err)
	return true
}

func upstream(refresh, access string) value {
	return value{WithUpstream: sessionstore.WithUpstream{Upstream: &sessionstore.UpstreamTokens{
		ProviderName: "dex", RefreshToken: refresh, AccessToken: access,
	}}, Subject: "alice"}
}

func TestNew(t *testing.T) {
	_, err := New(Options{})
	require.EqualError(t, err, "sessiongc: a required option is missing")
	require.True(t, errors.Is(fmt.Errorf("x: %w", ErrNotRetryable), ErrNotRetryable))
}
