// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessionstore

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/sealworks/pinniped/test/harness"
)

type payload struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// env is one namespace of a shared harness, with a store whose API calls are counted.
type env struct {
	client kubernetes.Interface
	ns     string
	clock  *clocktesting.FakeClock
	store  *Store
	calls  *atomic.Int64
}

type countingTransport struct {
	next  http.RoundTripper
	calls *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return c.next.RoundTrip(r)
}

func newEnv(t *testing.T, h *harness.Harness, ns string) *env {
	t.Helper()
	ctx := context.Background()
	client := h.Client()
	_, err := client.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)

	calls := &atomic.Int64{}
	cfg := rest.CopyConfig(h.AdminConfig)
	cfg.QPS, cfg.Burst = -1, 0
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{next: rt, calls: calls}
	}
	counted, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	fakeClock := clocktesting.NewFakeClock(start)
	return &env{
		client: client, ns: ns, clock: fakeClock, calls: calls,
		store: New(counted.CoreV1().Secrets(ns), fakeClock),
	}
}

func (e *env) secret(t *testing.T, name string) *corev1.Secret {
	t.Helper()
	s, err := e.client.CoreV1().Secrets(e.ns).Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return s
}

func TestStore(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx := context.Background()

	t.Run("round_trip_with_one_api_call_per_operation", func(t *testing.T) {
		e := newEnv(t, h, "round-trip")
		rv, err := e.store.Create(ctx, KindRefreshToken, "aGVsbG8", payload{Name: "a", Count: 1}, time.Hour, nil)
		require.NoError(t, err)
		require.NotEmpty(t, rv)
		require.Equal(t, int64(1), e.calls.Load())

		var got payload
		gotRV, err := e.store.Get(ctx, KindRefreshToken, "aGVsbG8", &got)
		require.NoError(t, err)
		require.Equal(t, payload{Name: "a", Count: 1}, got)
		require.Equal(t, rv, gotRV)
		require.Equal(t, int64(2), e.calls.Load())

		newRV, err := e.store.Update(ctx, KindRefreshToken, "aGVsbG8", rv, payload{Name: "b", Count: 2})
		require.NoError(t, err)
		require.NotEqual(t, rv, newRV)
		require.Equal(t, int64(3), e.calls.Load())

		gotRV, err = e.store.Get(ctx, KindRefreshToken, "aGVsbG8", &got)
		require.NoError(t, err)
		require.Equal(t, payload{Name: "b", Count: 2}, got)
		require.Equal(t, newRV, gotRV)

		require.NoError(t, e.store.Delete(ctx, KindRefreshToken, "aGVsbG8"))
		require.Equal(t, int64(5), e.calls.Load())
		_, err = e.store.Get(ctx, KindRefreshToken, "aGVsbG8", &got)
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, e.store.Delete(ctx, KindRefreshToken, "aGVsbG8"), ErrNotFound)
		_, err = e.store.Update(ctx, KindRefreshToken, "aGVsbG8", newRV, payload{})
		require.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("exact_secret_shape", func(t *testing.T) {
		e := newEnv(t, h, "shape")
		tests := []struct {
			name      string
			kind      Kind
			signature string
			wantName  string
		}{
			{"base64url_signature_is_decoded", KindAuthCode, "aGVsbG8", "pinniped-storage-authcode-nbswy3dp"},
			{"other_signature_is_used_as_is", KindOIDC, "pin_ac_x.y", "pinniped-storage-oidc-obuw4x3bmnpxqltz"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.store.Create(ctx, tt.kind, tt.signature, payload{Name: "a", Count: 1}, 10*time.Minute,
					map[string]string{"session": "s1"})
				require.NoError(t, err)
				s := e.secret(t, tt.wantName)
				require.Equal(t, corev1.SecretType("storage.pinniped.dev/"+string(tt.kind)), s.Type)
				require.Equal(t, map[string]string{"storage.pinniped.dev/type": string(tt.kind), "session": "s1"},
					s.Labels)
				require.Equal(t, map[string]string{"storage.pinniped.dev/garbage-collect-after": "2026-01-02T03:14:05Z"},
					s.Annotations)
				require.Equal(t, map[string][]byte{
					"pinniped-storage-data":    []byte(`{"name":"a","count":1}`),
					"pinniped-storage-version": []byte("1"),
				}, s.Data)
			})
		}
	})

	t.Run("update_preserves_metadata", func(t *testing.T) {
		e := newEnv(t, h, "preserve")
		_, err := e.store.Create(ctx, KindAccessToken, "aGVsbG8", payload{Name: "a"}, time.Hour,
			map[string]string{"session": "s1"})
		require.NoError(t, err)
		s := e.secret(t, "pinniped-storage-access-token-nbswy3dp")
		s.Annotations["extra"] = "kept"
		s.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: "u1"}}
		s, err = e.client.CoreV1().Secrets(e.ns).Update(ctx, s, metav1.UpdateOptions{})
		require.NoError(t, err)

		_, err = e.store.Update(ctx, KindAccessToken, "aGVsbG8", s.ResourceVersion, payload{Name: "b"})
		require.NoError(t, err)
		got := e.secret(t, s.Name)
		require.Equal(t, s.Labels, got.Labels)
		require.Equal(t, s.Annotations, got.Annotations)
		require.Equal(t, s.OwnerReferences, got.OwnerReferences)
		require.Equal(t, s.Type, got.Type)
		require.Equal(t, []byte(`{"name":"b","count":0}`), got.Data[DataKey])
		require.Equal(t, []byte("1"), got.Data[VersionKey])
	})

	t.Run("stale_resource_version_conflicts", func(t *testing.T) {
		e := newEnv(t, h, "conflict")
		rv, err := e.store.Create(ctx, KindRefreshToken, "aGVsbG8", payload{Name: "a"}, time.Hour, nil)
		require.NoError(t, err)

		// Two updaters that read the same version race; exactly one may win.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.store.Update(ctx, KindRefreshToken, "aGVsbG8", rv, payload{Name: "updater", Count: i})
			}()
		}
		wg.Wait()
		winners := 0
		for _, err := range errs {
			if err == nil {
				winners++
				continue
			}
			require.ErrorIs(t, err, ErrConflict)
		}
		require.Equal(t, 1, winners)

		// A later update with the old version conflicts too.
		_, err = e.store.Update(ctx, KindRefreshToken, "aGVsbG8", rv, payload{Name: "late"})
		require.ErrorIs(t, err, ErrConflict)
		var got payload
		_, err = e.store.Get(ctx, KindRefreshToken, "aGVsbG8", &got)
		require.NoError(t, err)
		require.Equal(t, "updater", got.Name)

		_, err = e.store.Create(ctx, KindRefreshToken, "aGVsbG8", payload{}, time.Hour, nil)
		require.ErrorIs(t, err, ErrConflict)
	})

	t.Run("expired_entry_reads_as_not_found", func(t *testing.T) {
		e := newEnv(t, h, "expired")
		_, err := e.store.Create(ctx, KindPKCE, "aGVsbG8", payload{Name: "a"}, time.Minute, nil)
		require.NoError(t, err)
		var got payload
		e.clock.Step(time.Minute - time.Second)
		_, err = e.store.Get(ctx, KindPKCE, "aGVsbG8", &got)
		require.NoError(t, err)
		e.clock.Step(time.Second)
		_, err = e.store.Get(ctx, KindPKCE, "aGVsbG8", &got)
		require.ErrorIs(t, err, ErrNotFound)
		require.EqualError(t, err, "pkce entry expired at 2026-01-02T03:05:05Z: sessionstore: entry not found")
		e.secret(t, "pinniped-storage-pkce-nbswy3dp") // still there for the collector
	})

	t.Run("version_mismatch_is_invalid", func(t *testing.T) {
		e := newEnv(t, h, "version")
		_, err := e.store.Create(ctx, KindOIDC, "aGVsbG8", payload{Name: "a"}, time.Hour, nil)
		require.NoError(t, err)
		_, err = e.client.CoreV1().Secrets(e.ns).Patch(ctx, "pinniped-storage-oidc-nbswy3dp", types.MergePatchType,
			[]byte(`{"data":{"pinniped-storage-version":"Mg=="}}`), metav1.PatchOptions{})
		require.NoError(t, err)
		var got payload
		_, err = e.store.Get(ctx, KindOIDC, "aGVsbG8", &got)
		require.ErrorIs(t, err, ErrInvalid)
		require.EqualError(t, err, `oidc entry has storage version "2", want "1": sessionstore: invalid entry`)
	})

	t.Run("bad_input_refused_without_api_calls", func(t *testing.T) {
		e := newEnv(t, h, "refused")
		tests := []struct {
			name      string
			kind      Kind
			signature string
			wantErr   string
		}{
			{"one_mebibyte", KindRefreshToken, strings.Repeat("a", 1<<20),
				"refresh-token signature must have 1 to 512 bytes: sessionstore: invalid entry"},
			{"513_bytes", KindRefreshToken, strings.Repeat("a", 513),
				"refresh-token signature must have 1 to 512 bytes: sessionstore: invalid entry"},
			{"too_long_for_a_name", KindRefreshToken, strings.Repeat("a.", 100),
				"refresh-token signature is too long for a Secret name: sessionstore: invalid entry"},
			{"empty", KindAuthCode, "", "authcode signature must have 1 to 512 bytes: sessionstore: invalid entry"},
			{"unknown_kind", Kind("nope"), "aGVsbG8", `unknown kind "nope": sessionstore: invalid entry`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.store.Create(ctx, tt.kind, tt.signature, payload{}, time.Hour, nil)
				require.EqualError(t, err, tt.wantErr)
				_, err = e.store.Get(ctx, tt.kind, tt.signature, &payload{})
				require.EqualError(t, err, tt.wantErr)
				_, err = e.store.Update(ctx, tt.kind, tt.signature, "1", payload{})
				require.EqualError(t, err, tt.wantErr)
				require.EqualError(t, e.store.Delete(ctx, tt.kind, tt.signature), tt.wantErr)
				require.True(t, errors.Is(err, ErrInvalid))
			})
		}
		_, err := e.store.Create(ctx, KindAuthCode, "aGVsbG8", payload{}, 0, nil)
		require.EqualError(t, err, "authcode lifetime must be positive: sessionstore: invalid entry")
		_, err = e.store.Create(ctx, KindAuthCode, "aGVsbG8", payload{}, time.Hour,
			map[string]string{TypeLabel: "x"})
		require.EqualError(t, err, "label storage.pinniped.dev/type is reserved: sessionstore: invalid entry")
		_, err = e.store.Update(ctx, KindAuthCode, "aGVsbG8", "", payload{})
		require.EqualError(t, err, "authcode update needs a resourceVersion: sessionstore: invalid entry")
		require.EqualError(t, e.store.DeleteByLabel(ctx, KindAuthCode, nil),
			"authcode delete needs labels to match: sessionstore: invalid entry")
		require.Equal(t, int64(0), e.calls.Load())
	})

	t.Run("delete_by_label", func(t *testing.T) {
		e := newEnv(t, h, "by-label")
		for _, c := range []struct {
			kind      Kind
			signature string
			session   string
		}{
			{KindAccessToken, "YQ", "a"}, {KindAccessToken, "Yg", "a"},
			{KindAccessToken, "Yw", "b"}, {KindRefreshToken, "YQ", "a"},
		} {
			_, err := e.store.Create(ctx, c.kind, c.signature, payload{}, time.Hour, map[string]string{"session": c.session})
			require.NoError(t, err)
		}
		before := e.calls.Load()
		require.NoError(t, e.store.DeleteByLabel(ctx, KindAccessToken, map[string]string{"session": "a"}))
		require.Equal(t, before+1, e.calls.Load())

		list, err := e.client.CoreV1().Secrets(e.ns).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		var names []string
		for _, s := range list.Items {
			if s.Type != corev1.SecretTypeServiceAccountToken {
				names = append(names, s.Name)
			}
		}
		require.ElementsMatch(t, []string{
			"pinniped-storage-access-token-mm", "pinniped-storage-refresh-token-me",
		}, names)
	})

	t.Run("cached_reads", func(t *testing.T) {
		e := newEnv(t, h, "cached")
		factory := informers.NewSharedInformerFactoryWithOptions(e.client, 0, informers.WithNamespace(e.ns))
		lister := factory.Core().V1().Secrets().Lister().Secrets(e.ns)
		stop := make(chan struct{})
		defer close(stop)
		factory.Start(stop)
		factory.WaitForCacheSync(stop)
		counted := New(e.store.secrets, e.clock, WithCachedReads(lister, KindAccessToken))

		// An entry the cache does not have yet is read from the API.
		_, err := counted.Create(ctx, KindAccessToken, "YWNjZXNz", payload{Name: "at"}, time.Hour, nil)
		require.NoError(t, err)
		_, err = counted.Create(ctx, KindAuthCode, "Y29kZQ", payload{Name: "code"}, time.Hour, nil)
		require.NoError(t, err)
		name, err := secretName(KindAccessToken, "YWNjZXNz")
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			_, err := lister.Get(name)
			return err == nil
		}, 10*time.Second, 10*time.Millisecond)
		before := e.calls.Load()
		var got payload
		_, err = counted.Get(ctx, KindAccessToken, "YWNjZXNz", &got)
		require.NoError(t, err)
		require.Equal(t, payload{Name: "at"}, got)
		require.Equal(t, before, e.calls.Load(), "a cached kind was read from the API")

		// Other kinds always come from the API.
		_, err = counted.Get(ctx, KindAuthCode, "Y29kZQ", &got)
		require.NoError(t, err)
		require.Equal(t, before+1, e.calls.Load())

		// Expiry is checked on cached entries too.
		e.clock.Step(2 * time.Hour)
		_, err = counted.Get(ctx, KindAccessToken, "YWNjZXNz", &got)
		require.ErrorIs(t, err, ErrNotFound)

		// Unknown entries fall through to the API and are not found there either.
		_, err = counted.Get(ctx, KindAccessToken, "bm9wZQ", &got)
		require.ErrorIs(t, err, ErrNotFound)
	})
}
