// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
)

const testClientID = configv1alpha1.OIDCClientNamePrefix + "app"

// fakeClients holds one OIDCClient.
type fakeClients struct {
	spec   configv1alpha1.OIDCClientSpec
	hashes []string
}

func (f fakeClients) OIDCClient(name string) (*configv1alpha1.OIDCClient, []string, error) {
	if name != testClientID {
		return nil, nil, nil
	}
	return &configv1alpha1.OIDCClient{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: f.spec}, f.hashes, nil
}

func validSpec() configv1alpha1.OIDCClientSpec {
	return configv1alpha1.OIDCClientSpec{
		AllowedRedirectURIs: []configv1alpha1.RedirectURI{"https://app.example.com/callback"},
		AllowedGrantTypes:   []configv1alpha1.GrantType{configv1alpha1.GrantTypeAuthorizationCode},
		AllowedScopes:       []configv1alpha1.Scope{configv1alpha1.ScopeOpenID},
	}
}

// hashes returns n hashes at cost of the secrets "secret-0" ... "secret-<n-1>".
func hashes(t testing.TB, n, cost int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		h, err := bcrypt.GenerateFromPassword([]byte(fmt.Sprintf("secret-%d", i)), cost)
		require.NoError(t, err)
		out[i] = string(h)
	}
	return out
}

func TestLookupClient(t *testing.T) {
	good := hashes(t, 2, 12)
	withLifetime := validSpec()
	withLifetime.TokenLifetimes.IDTokenSeconds = ptr.To[int32](900)
	badGrants := validSpec()
	badGrants.AllowedScopes = append(badGrants.AllowedScopes, configv1alpha1.ScopeOfflineAccess)
	tests := []struct {
		name         string
		id           string
		clients      fakeClients
		wantNil      bool
		wantLifetime time.Duration
	}{
		{name: "cli_client", id: CLIClientID, wantLifetime: IDTokenLifetime},
		{name: "valid_client", id: testClientID, clients: fakeClients{validSpec(), good},
			wantLifetime: IDTokenLifetime},
		{name: "own_id_token_lifetime", id: testClientID, clients: fakeClients{withLifetime, good},
			wantLifetime: 15 * time.Minute},
		{name: "unknown_client", id: configv1alpha1.OIDCClientNamePrefix + "other",
			clients: fakeClients{validSpec(), good}, wantNil: true},
		{name: "name_without_prefix", id: "app", clients: fakeClients{validSpec(), good}, wantNil: true},
		{name: "invalid_spec", id: testClientID, clients: fakeClients{badGrants, good}, wantNil: true},
		{name: "no_secret", id: testClientID, clients: fakeClients{validSpec(), nil}, wantNil: true},
		{name: "low_cost_hash", id: testClientID, clients: fakeClients{validSpec(), hashes(t, 1, 4)},
			wantNil: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &federationDomain{name: "fd", clients: tt.clients}
			client := f.lookupClient(tt.id)
			if tt.wantNil {
				require.Nil(t, client)
				return
			}
			require.NotNil(t, client)
			require.Equal(t, tt.id, client.GetID())
			require.Equal(t, tt.wantLifetime, client.IDTokenLifetime())
		})
	}
}

func TestAuthenticateClient(t *testing.T) {
	f := &federationDomain{name: "fd", clients: fakeClients{validSpec(), hashes(t, 2, 12)}}
	for _, secret := range []string{"secret-0", "secret-1"} {
		require.NoError(t, f.authenticateClient(t.Context(), testClientID, secret), secret)
	}
	for _, secret := range []string{"", "secret-2", "secret-0 "} {
		require.ErrorContains(t, f.authenticateClient(t.Context(), testClientID, secret), "invalid_client")
	}
	require.Error(t, f.authenticateClient(t.Context(), CLIClientID, ""))
}

// BenchmarkClientAuthentication is the cost of client_secret_basic per token
// request at bcrypt cost 12: the lookup, the validation of the stored hashes, and
// the comparisons. The newest secret matches the first hash; the oldest of five,
// or a wrong secret, costs a comparison with each.
func BenchmarkClientAuthentication(b *testing.B) {
	for _, bc := range []struct {
		name   string
		stored int
		secret string
	}{
		{"1_hash/match", 1, "secret-0"},
		{"1_hash/wrong", 1, "wrong"},
		{"5_hashes/match_newest", 5, "secret-0"},
		{"5_hashes/match_oldest", 5, "secret-4"},
		{"5_hashes/wrong", 5, "wrong"},
	} {
		f := &federationDomain{name: "fd", clients: fakeClients{validSpec(), hashes(b, bc.stored, 12)}}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_ = f.authenticateClient(b.Context(), testClientID, bc.secret)
			}
		})
	}
}
