// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package fdsecrets

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	corev1 "k8s.io/api/core/v1"
)

// KeyID is the kid of every FederationDomain's signing key. There is one key per
// FederationDomain and no rotation, so a fixed ID is enough.
const KeyID = "pinniped-supervisor-key"

// generateJWKS makes an ES256 (P-256) signing key and the public set that holds only it.
func generateJWKS() (map[string][]byte, error) {
	private, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("could not generate signing key: %w", err)
	}
	active := jose.JSONWebKey{Key: private, KeyID: KeyID, Algorithm: string(jose.ES256), Use: "sig"}
	activeJSON, err := active.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("could not encode signing key: %w", err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{active.Public()}}
	setJSON, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("could not encode public key set: %w", err)
	}
	return map[string][]byte{KeyActiveJWK: activeJSON, KeyJWKS: setJSON}, nil
}

// PublicJWKS returns the public key set of a JWKS Secret after checking that the Secret
// holds a private ES256 key and a set with exactly its public half.
func PublicJWKS(secret *corev1.Secret) ([]byte, error) {
	var active jose.JSONWebKey
	if err := active.UnmarshalJSON(secret.Data[KeyActiveJWK]); err != nil {
		return nil, fmt.Errorf("could not parse %s: %w", KeyActiveJWK, err)
	}
	private, ok := active.Key.(*ecdsa.PrivateKey)
	if !ok || active.IsPublic() || private.Curve != elliptic.P256() {
		return nil, errors.New(KeyActiveJWK + " is not a private P-256 key")
	}
	if active.KeyID != KeyID || active.Use != "sig" || active.Algorithm != string(jose.ES256) {
		return nil, fmt.Errorf("%s must have kid %q, use sig and alg ES256", KeyActiveJWK, KeyID)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(secret.Data[KeyJWKS], &set); err != nil {
		return nil, fmt.Errorf("could not parse %s: %w", KeyJWKS, err)
	}
	if len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
		return nil, errors.New(KeyJWKS + " must hold exactly one public key")
	}
	public, ok := set.Keys[0].Key.(*ecdsa.PublicKey)
	if !ok || !public.Equal(&private.PublicKey) || set.Keys[0].KeyID != KeyID {
		return nil, errors.New(KeyJWKS + " does not hold the public half of " + KeyActiveJWK)
	}
	return secret.Data[KeyJWKS], nil
}
