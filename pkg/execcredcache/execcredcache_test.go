// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package execcredcache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/utils/ptr"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Local()

func TestKey(t *testing.T) {
	args := []string{"login", "static", "--token-env=T"}
	require.Equal(t, sha(`{"args":["login","static","--token-env=T"],"cluster":null}`+"\n"), Key(args, nil, nil))
	require.Equal(t, sha(`{"args":["login","static","--token-env=T"],"token":"s3cret","cluster":null}`+"\n"),
		Key(args, ptr.To("s3cret"), nil))
	cluster := &clientauthv1beta1.Cluster{Server: "https://k"}
	require.Equal(t, sha(`{"args":["login","static","--token-env=T"],"cluster":{"server":"https://k","config":null}}`+"\n"),
		Key(args, nil, cluster))
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newCache(t *testing.T) (*Cache, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials.yaml")
	c := New(path, logr.Discard())
	c.now = func() time.Time { return now }
	return c, path
}

func credential(expiry *time.Time) *clientauthv1beta1.ExecCredential {
	status := &clientauthv1beta1.ExecCredentialStatus{ClientCertificateData: "cert", ClientKeyData: "key"}
	if expiry != nil {
		status.ExpirationTimestamp = ptr.To(metav1.NewTime(*expiry))
	}
	return &clientauthv1beta1.ExecCredential{Status: status}
}

func TestGetAndPut(t *testing.T) {
	tests := []struct {
		name    string
		expiry  *time.Time
		readAt  time.Time
		wantHit bool
	}{
		{name: "unexpired_is_a_hit", expiry: ptr.To(now.Add(5 * time.Minute)), readAt: now, wantHit: true},
		{name: "expired_is_a_miss", expiry: ptr.To(now.Add(5 * time.Minute)), readAt: now.Add(6 * time.Minute)},
		{name: "no_expiry_is_never_cached", readAt: now},
		{name: "older_than_an_hour_is_a_miss", expiry: ptr.To(now.Add(3 * time.Hour)), readAt: now.Add(61 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, path := newCache(t)
			c.Put("k", credential(tt.expiry))
			c.now = func() time.Time { return tt.readAt }
			got := c.Get("k")
			if !tt.wantHit {
				require.Nil(t, got)
				return
			}
			require.Equal(t, "client.authentication.k8s.io/v1beta1", got.APIVersion)
			require.Equal(t, "ExecCredential", got.Kind)
			require.Equal(t, "cert", got.Status.ClientCertificateData)
			require.Nil(t, c.Get("other"))
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		})
	}
}

func TestCorruptFileIsReset(t *testing.T) {
	c, path := newCache(t)
	require.NoError(t, os.WriteFile(path, []byte("\x00 not yaml ]["), 0o600))
	require.Nil(t, c.Get("k"))
	c.Put("k", credential(ptr.To(now.Add(time.Minute))))
	require.NotNil(t, c.Get("k"))
}
