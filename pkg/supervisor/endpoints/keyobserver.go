// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package endpoints

import (
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"
	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
)

// KeyObserver keeps the keys of the valid FederationDomain key Secrets in memory, fed
// by a Secret informer, so that serving a request never reads a Secret from the API
// server. A Secret that is invalid is forgotten until the keys controller replaces it.
type KeyObserver struct {
	mu   sync.RWMutex
	keys map[string]observedKey
}

// observedKey is what one Secret holds: a public set with its private signing key,
// or a symmetric key.
type observedKey struct {
	publicJWKS []byte
	signingKey *jose.JSONWebKey
	symmetric  []byte
}

// NewKeyObserver returns an observer registered on the Secret informer of the
// Supervisor's namespace.
func NewKeyObserver(secrets coreinformers.SecretInformer) (*KeyObserver, error) {
	o := &KeyObserver{keys: map[string]observedKey{}}
	_, err := secrets.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    o.update,
		UpdateFunc: func(_, obj any) { o.update(obj) },
		DeleteFunc: o.delete,
	})
	if err != nil {
		return nil, fmt.Errorf("could not watch Secrets for keys: %w", err)
	}
	return o, nil
}

// PublicJWKS implements JWKSSource.
func (o *KeyObserver) PublicJWKS(secretName string) ([]byte, bool) {
	key, ok := o.get(secretName)
	return key.publicJWKS, ok && key.publicJWKS != nil
}

// SigningKey returns the private signing key of a JWKS Secret.
func (o *KeyObserver) SigningKey(secretName string) (*jose.JSONWebKey, bool) {
	key, ok := o.get(secretName)
	return key.signingKey, ok && key.signingKey != nil
}

// SymmetricKey returns the key held by a symmetric key Secret.
func (o *KeyObserver) SymmetricKey(secretName string) ([]byte, bool) {
	key, ok := o.get(secretName)
	return key.symmetric, ok && key.symmetric != nil
}

func (o *KeyObserver) get(secretName string) (observedKey, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	key, ok := o.keys[secretName]
	return key, ok
}

func (o *KeyObserver) update(obj any) {
	secret, ok := obj.(*corev1.Secret)
	if !ok {
		return
	}
	var kind fdsecrets.Kind
	switch secret.Type {
	case fdsecrets.TypeJWKS:
		kind = fdsecrets.JWKS
	case fdsecrets.TypeTokenSigningKey:
		kind = fdsecrets.TokenSigningKey
	case fdsecrets.TypeStateSigningKey:
		kind = fdsecrets.StateSigningKey
	case fdsecrets.TypeStateEncryptionKey:
		kind = fdsecrets.StateEncryptionKey
	default:
		return
	}
	key, err := load(kind, secret)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		// The keys controller replaces an invalid Secret; until then nothing is served.
		klog.InfoS("ignoring invalid key secret", "secret", klog.KObj(secret), "reason", err.Error())
		delete(o.keys, secret.Name)
		return
	}
	o.keys[secret.Name] = key
}

// load reads a key Secret of a kind after checking it.
func load(kind fdsecrets.Kind, secret *corev1.Secret) (observedKey, error) {
	if err := kind.Validate(secret); err != nil {
		return observedKey{}, err
	}
	if kind != fdsecrets.JWKS {
		return observedKey{symmetric: secret.Data[fdsecrets.KeySymmetric]}, nil
	}
	set, err := fdsecrets.PublicJWKS(secret)
	if err != nil {
		return observedKey{}, err
	}
	var active jose.JSONWebKey
	if err := active.UnmarshalJSON(secret.Data[fdsecrets.KeyActiveJWK]); err != nil {
		return observedKey{}, fmt.Errorf("could not parse %s: %w", fdsecrets.KeyActiveJWK, err)
	}
	return observedKey{publicJWKS: set, signingKey: &active}, nil
}

func (o *KeyObserver) delete(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	if secret, ok := obj.(*corev1.Secret); ok {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.keys, secret.Name)
	}
}
