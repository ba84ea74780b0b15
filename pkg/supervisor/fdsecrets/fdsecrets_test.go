// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package fdsecrets

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestSecretNames(t *testing.T) {
	require.Equal(t, []string{
		"fd-jwks",
		"pinniped-oidc-provider-hmac-key-uid1",
		"pinniped-oidc-provider-upstream-state-signature-key-uid1",
		"pinniped-oidc-provider-upstream-state-encryption-key-uid1",
	}, []string{
		JWKS.SecretName("fd", "uid1"), TokenSigningKey.SecretName("fd", "uid1"),
		StateSigningKey.SecretName("fd", "uid1"), StateEncryptionKey.SecretName("fd", "uid1"),
	})
}

func TestGenerateAndValidate(t *testing.T) {
	for _, kind := range Kinds {
		data, err := kind.Generate()
		require.NoError(t, err)
		require.NoError(t, kind.Validate(&corev1.Secret{Type: kind.Type(), Data: data}))
	}

	jwks, err := JWKS.Generate()
	require.NoError(t, err)
	var set map[string][]map[string]string
	require.NoError(t, json.Unmarshal(jwks[KeyJWKS], &set))
	require.Len(t, set["keys"], 1)
	key := set["keys"][0]
	require.Equal(t, []string{"pinniped-supervisor-key", "ES256", "sig", "EC", "P-256", ""},
		[]string{key["kid"], key["alg"], key["use"], key["kty"], key["crv"], key["d"]})

	other, err := JWKS.Generate()
	require.NoError(t, err)
	tests := []struct {
		name    string
		kind    Kind
		secret  *corev1.Secret
		wantErr string
	}{
		{
			name: "wrong_type", kind: TokenSigningKey,
			secret:  &corev1.Secret{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"key": make([]byte, 32)}},
			wantErr: `secret has type "Opaque", not "secrets.pinniped.dev/federation-domain-token-signing-key"`,
		},
		{
			name: "short_key", kind: StateEncryptionKey,
			secret:  &corev1.Secret{Type: TypeStateEncryptionKey, Data: map[string][]byte{"key": make([]byte, 16)}},
			wantErr: `key "key" has 16 bytes, not 32`,
		},
		{
			name: "unparsable_jwk", kind: JWKS,
			secret: &corev1.Secret{Type: TypeJWKS, Data: map[string][]byte{
				KeyActiveJWK: []byte("{"), KeyJWKS: jwks[KeyJWKS],
			}},
			wantErr: "could not parse activeJWK: unexpected end of JSON input",
		},
		{
			name: "public_set_of_another_key", kind: JWKS,
			secret: &corev1.Secret{Type: TypeJWKS, Data: map[string][]byte{
				KeyActiveJWK: jwks[KeyActiveJWK], KeyJWKS: other[KeyJWKS],
			}},
			wantErr: "jwks does not hold the public half of activeJWK",
		},
		{
			name: "public_key_as_active_key", kind: JWKS,
			secret: &corev1.Secret{Type: TypeJWKS, Data: map[string][]byte{
				KeyActiveJWK: []byte(`{"kty":"EC","crv":"P-256","kid":"pinniped-supervisor-key","use":"sig",` +
					`"alg":"ES256","x":"` + key["x"] + `","y":"` + key["y"] + `"}`),
				KeyJWKS: jwks[KeyJWKS],
			}},
			wantErr: "activeJWK is not a private P-256 key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.EqualError(t, tt.kind.Validate(tt.secret), tt.wantErr)
		})
	}
}
