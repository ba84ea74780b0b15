// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package filesession

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

// now is in the Local zone, as metav1.Time decodes.
var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Local()

func newCache(t *testing.T) (*Cache, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pinniped", "sessions.yaml")
	c := New(path, logr.Discard())
	c.now = func() time.Time { return now }
	return c, path
}

func key(issuer string) oidctypes.SessionCacheKey {
	return oidctypes.SessionCacheKey{
		Issuer: issuer, ClientID: "pinniped-cli", Scopes: []string{"groups", "openid"},
		RedirectURI: "http://localhost:0/callback",
	}
}

func TestPutThenGet(t *testing.T) {
	c, path := newCache(t)
	token := &oidctypes.Token{
		AccessToken:  &oidctypes.AccessToken{Token: "at", Type: "Bearer", Expiry: metav1.NewTime(now.Add(time.Minute))},
		RefreshToken: &oidctypes.RefreshToken{Token: "rt"},
		IDToken:      &oidctypes.IDToken{Token: "id", Expiry: metav1.NewTime(now.Add(time.Hour))},
	}
	c.PutToken(key("https://a"), token)
	require.Equal(t, token, c.GetToken(key("https://a")))
	require.Nil(t, c.GetToken(key("https://b")))

	other := key("https://a")
	other.UpstreamProviderName = "dex"
	require.Nil(t, c.GetToken(other), "keys match exactly")

	content, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, `apiVersion: config.supervisor.pinniped.dev/v1alpha1
kind: SessionCache
sessions:
- creationTimestamp: "2026-05-01T12:00:00Z"
  key:
    clientID: pinniped-cli
    issuer: https://a
    redirect_uri: http://localhost:0/callback
    scopes:
    - groups
    - openid
  lastUsedTimestamp: "2026-05-01T12:00:00Z"
  tokens:
    access:
      expiryTimestamp: "2026-05-01T12:01:00Z"
      token: at
      type: Bearer
    id:
      expiryTimestamp: "2026-05-01T13:00:00Z"
      token: id
    refresh:
      token: rt
`, string(content))
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestPrune(t *testing.T) {
	expired := metav1.NewTime(now.Add(-time.Second))
	tests := []struct {
		name  string
		token oidctypes.Token
		want  *oidctypes.Token
	}{
		{
			name: "expired_id_token_removed_refresh_kept",
			token: oidctypes.Token{
				IDToken:      &oidctypes.IDToken{Token: "id", Expiry: expired},
				RefreshToken: &oidctypes.RefreshToken{Token: "rt"},
			},
			want: &oidctypes.Token{RefreshToken: &oidctypes.RefreshToken{Token: "rt"}},
		},
		{
			name: "session_with_only_expired_tokens_dropped",
			token: oidctypes.Token{
				AccessToken:  &oidctypes.AccessToken{Token: "at", Expiry: expired},
				RefreshToken: &oidctypes.RefreshToken{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newCache(t)
			c.PutToken(key("https://a"), &tt.token)
			require.Equal(t, tt.want, c.GetToken(key("https://a")))
		})
	}

	t.Run("unused_for_90_days_dropped", func(t *testing.T) {
		c, _ := newCache(t)
		c.PutToken(key("https://old"), &oidctypes.Token{RefreshToken: &oidctypes.RefreshToken{Token: "rt"}})
		c.now = func() time.Time { return now.Add(91 * 24 * time.Hour) }
		require.Nil(t, c.GetToken(key("https://old")))
	})
}

func TestInvalidFileIsReset(t *testing.T) {
	for name, content := range map[string]string{
		"not_yaml":   "{{{{",
		"wrong_kind": "apiVersion: config.supervisor.pinniped.dev/v1alpha1\nkind: CredentialCache\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, path := newCache(t)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			require.Nil(t, c.GetToken(key("https://a")))
			c.PutToken(key("https://a"), &oidctypes.Token{RefreshToken: &oidctypes.RefreshToken{Token: "rt"}})
			require.NotNil(t, c.GetToken(key("https://a")))
		})
	}
}
