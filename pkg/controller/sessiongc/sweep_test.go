// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessiongc

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sealworks/pinniped/pkg/sessionstore"
	"github.com/sealworks/pinniped/test/harness"
)

const (
	authcodeA     = "pinniped-storage-authcode-me"
	refreshA      = "pinniped-storage-refresh-token-me"
	refreshB      = "pinniped-storage-refresh-token-mi"
	accessB       = "pinniped-storage-access-token-mi"
	accessC       = "pinniped-storage-access-token-mm"
	clientID      = "pinniped"
	clientSecret  = "client-secret"
	signatureA    = "YQ"
	signatureB    = "Yg"
	signatureC    = "Yw"
	refreshTokens = "refresh_token"
	accessTokens  = "access_token"
)

func TestSweep(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx := context.Background()

	t.Run("expired_deleted_unexpired_kept", func(t *testing.T) {
		e := newEnv(t, h, "expiry")
		e.create(t, sessionstore.KindAuthCode, signatureA, value{Subject: "a"}, time.Minute)
		e.create(t, sessionstore.KindRefreshToken, signatureB, upstream("rt1", ""), time.Hour)
		other, err := e.client.CoreV1().Secrets(e.ns).Create(ctx,
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other"}}, metav1.CreateOptions{})
		require.NoError(t, err)
		e.waitForVersion(t, other.ResourceVersion)

		e.clock.Step(time.Minute - time.Second)
		e.c.sweep(ctx)
		require.True(t, e.exists(t, authcodeA))

		e.clock.Step(time.Second)
		e.c.sweep(ctx)
		require.False(t, e.exists(t, authcodeA))
		require.True(t, e.exists(t, refreshB))
		require.True(t, e.exists(t, "other"))
		require.Empty(t, e.server.got())
	})

	t.Run("revokes_before_deleting", func(t *testing.T) {
		e := newEnv(t, h, "revoke")
		e.create(t, sessionstore.KindRefreshToken, signatureA, upstream("rt1", "at1"), time.Minute)
		e.create(t, sessionstore.KindAccessToken, signatureB, upstream("", "at2"), time.Minute)
		gone := upstream("rt3", "")
		gone.Upstream.ProviderName = "deleted-provider"
		e.create(t, sessionstore.KindAccessToken, signatureC, gone, time.Minute)

		e.clock.Step(time.Minute)
		e.c.sweep(ctx)
		require.ElementsMatch(t, []revocation{
			{Token: "rt1", Hint: refreshTokens, ClientID: clientID, ClientSecret: clientSecret, SecretExisted: true},
			{Token: "at2", Hint: accessTokens, ClientID: clientID, ClientSecret: clientSecret, SecretExisted: true},
		}, e.server.got())
		require.False(t, e.exists(t, refreshA))
		require.False(t, e.exists(t, accessB))
		// A revocation that cannot succeed later does not hold the session back.
		require.False(t, e.exists(t, accessC))
	})

	t.Run("refused_revocation_deletes_at_once", func(t *testing.T) {
		e := newEnv(t, h, "refused")
		e.server.set(http.StatusBadRequest, nil)
		e.create(t, sessionstore.KindRefreshToken, signatureA, upstream("rt1", ""), time.Minute)
		e.clock.Step(time.Minute)
		e.c.sweep(ctx)
		require.Len(t, e.server.got(), 1)
		require.False(t, e.exists(t, refreshA))
	})

	t.Run("retryable_failure_delays_deletion_up_to_4h", func(t *testing.T) {
		e := newEnv(t, h, "retry")
		e.server.set(http.StatusServiceUnavailable, nil)
		e.create(t, sessionstore.KindRefreshToken, signatureA, upstream("rt1", ""), time.Minute)

		steps := []struct {
			step      time.Duration
			wantCalls int
			wantKept  bool
		}{
			{time.Minute, 1, true},
			{4*time.Hour - time.Second, 2, true},
			{time.Second, 3, false},
		}
		for _, s := range steps {
			e.clock.Step(s.step)
			e.c.sweep(ctx)
			require.Len(t, e.server.got(), s.wantCalls)
			require.Equal(t, s.wantKept, e.exists(t, refreshA))
		}
	})

	t.Run("secret_updated_during_sweep_is_not_deleted", func(t *testing.T) {
		e := newEnv(t, h, "precondition")
		rv := e.create(t, sessionstore.KindRefreshToken, signatureA, upstream("rt1", ""), time.Minute)
		var newRV string
		var updateErr error
		// While the sweep revokes rt1, a refresh stores rt2 in the same session. The
		// handler runs on the server's goroutine, so its result is checked after.
		e.server.set(http.StatusOK, func() {
			newRV, updateErr = e.store.Update(ctx, sessionstore.KindRefreshToken, signatureA, rv, upstream("rt2", ""))
		})
		e.clock.Step(time.Minute)
		e.c.sweep(ctx)
		require.NoError(t, updateErr)
		require.Equal(t, []string{"rt1"}, tokens(e.server.got()))
		require.True(t, e.exists(t, refreshA))

		// The next sweep sees the new version, revokes the new token and deletes it.
		e.waitForVersion(t, newRV)
		e.server.set(http.StatusOK, nil)
		e.c.sweep(ctx)
		require.Equal(t, []string{"rt2"}, tokens(e.server.got()))
		require.False(t, e.exists(t, refreshA))
	})

	t.Run("sweeps_at_most_every_30s", func(t *testing.T) {
		e := newEnv(t, h, "pacing")
		e.c.sync(ctx)
		e.create(t, sessionstore.KindAuthCode, signatureA, value{}, 10*time.Second)
		e.clock.Step(10 * time.Second)
		e.c.sync(ctx)
		require.True(t, e.exists(t, authcodeA))
		e.clock.Step(20 * time.Second)
		e.c.sync(ctx)
		require.False(t, e.exists(t, authcodeA))
	})

	t.Run("run_collects_without_real_waits", func(t *testing.T) {
		e := newEnv(t, h, "run")
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { e.c.Run(runCtx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })

		e.create(t, sessionstore.KindRefreshToken, signatureA, upstream("rt1", ""), time.Minute)
		// Each step passes a sweep interval on the fake clock, which fires the
		// sweep the controller scheduled for itself.
		require.Eventually(t, func() bool {
			e.clock.Step(SweepInterval)
			_, err := e.client.CoreV1().Secrets(e.ns).Get(ctx, refreshA, metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		}, 20*time.Second, 100*time.Millisecond)
		require.Equal(t, []string{"rt1"}, tokens(e.server.got()))
	})
}

func tokens(calls []revocation) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Token)
	}
	return out
}
