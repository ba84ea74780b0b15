// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package fdsecrets names, generates and checks the Secrets that hold the keys of
// each FederationDomain. The controller that writes them and the observers that
// load them into the serving path share it, so both agree on what a valid key is.
package fdsecrets

import (
	"crypto/rand"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Secret types, one per kind of key. They are fixed strings: they do not follow the
// API group suffix.
const (
	TypeJWKS               corev1.SecretType = "secrets.pinniped.dev/federation-domain-jwks"
	TypeTokenSigningKey    corev1.SecretType = "secrets.pinniped.dev/federation-domain-token-signing-key"
	TypeStateSigningKey    corev1.SecretType = "secrets.pinniped.dev/federation-domain-state-signing-key"
	TypeStateEncryptionKey corev1.SecretType = "secrets.pinniped.dev/federation-domain-state-encryption-key"
)

// Data keys of the Secrets.
const (
	// KeyActiveJWK holds the private signing key as a JWK.
	KeyActiveJWK = "activeJWK"
	// KeyJWKS holds the public key set served at <issuer>/jwks.json.
	KeyJWKS = "jwks"
	// KeySymmetric holds a random symmetric key.
	KeySymmetric = "key"
)

// SymmetricKeyLength is the length in bytes of every symmetric key: enough for
// HMAC-SHA256 and AES-256.
const SymmetricKeyLength = 32

// Kind is one of the four keys of a FederationDomain.
type Kind int

// The keys of a FederationDomain, in the order they are created.
const (
	JWKS Kind = iota
	TokenSigningKey
	StateSigningKey
	StateEncryptionKey
)

// Kinds lists every Kind.
var Kinds = []Kind{JWKS, TokenSigningKey, StateSigningKey, StateEncryptionKey}

// Type is the Secret type of the kind.
func (k Kind) Type() corev1.SecretType {
	return [...]corev1.SecretType{TypeJWKS, TypeTokenSigningKey, TypeStateSigningKey, TypeStateEncryptionKey}[k]
}

// SecretName is the name of the Secret of the kind for a FederationDomain. The JWKS
// Secret is named after the FederationDomain; the symmetric keys after its UID, so a
// FederationDomain deleted and created again under the same name gets new ones.
func (k Kind) SecretName(fdName string, fdUID types.UID) string {
	switch k {
	case JWKS:
		return fdName + "-jwks"
	case TokenSigningKey:
		return "pinniped-oidc-provider-hmac-key-" + string(fdUID)
	case StateSigningKey:
		return "pinniped-oidc-provider-upstream-state-signature-key-" + string(fdUID)
	default:
		return "pinniped-oidc-provider-upstream-state-encryption-key-" + string(fdUID)
	}
}

// Generate returns fresh Secret data for the kind.
func (k Kind) Generate() (map[string][]byte, error) {
	if k == JWKS {
		return generateJWKS()
	}
	key := make([]byte, SymmetricKeyLength)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("could not generate symmetric key: %w", err)
	}
	return map[string][]byte{KeySymmetric: key}, nil
}

// Validate says why a Secret cannot hold the kind's key, or nil when it can.
func (k Kind) Validate(secret *corev1.Secret) error {
	if secret.Type != k.Type() {
		return fmt.Errorf("secret has type %q, not %q", secret.Type, k.Type())
	}
	if k == JWKS {
		_, err := PublicJWKS(secret)
		return err
	}
	if n := len(secret.Data[KeySymmetric]); n != SymmetricKeyLength {
		return fmt.Errorf("key %q has %d bytes, not %d", KeySymmetric, n, SymmetricKeyLength)
	}
	return nil
}
