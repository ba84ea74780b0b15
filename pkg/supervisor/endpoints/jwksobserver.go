// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package endpoints

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
)

// JWKSObserver keeps the public key sets of the valid JWKS Secrets in memory, fed by a
// Secret informer, so that serving /jwks.json never calls the API server.
type JWKSObserver struct {
	mu   sync.RWMutex
	sets map[string][]byte
}

// NewJWKSObserver returns an observer registered on the Secret informer of the
// Supervisor's namespace.
func NewJWKSObserver(secrets coreinformers.SecretInformer) (*JWKSObserver, error) {
	o := &JWKSObserver{sets: map[string][]byte{}}
	_, err := secrets.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    o.update,
		UpdateFunc: func(_, obj any) { o.update(obj) },
		DeleteFunc: o.delete,
	})
	if err != nil {
		return nil, fmt.Errorf("could not watch Secrets for JWKS: %w", err)
	}
	return o, nil
}

// PublicJWKS implements JWKSSource.
func (o *JWKSObserver) PublicJWKS(secretName string) ([]byte, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	set, ok := o.sets[secretName]
	return set, ok
}

func (o *JWKSObserver) update(obj any) {
	secret, ok := obj.(*corev1.Secret)
	if !ok || secret.Type != fdsecrets.TypeJWKS {
		return
	}
	set, err := fdsecrets.PublicJWKS(secret)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		// The keys controller replaces an invalid Secret; until then nothing is served.
		klog.InfoS("ignoring invalid JWKS secret", "secret", klog.KObj(secret), "reason", err.Error())
		delete(o.sets, secret.Name)
		return
	}
	o.sets[secret.Name] = set
}

func (o *JWKSObserver) delete(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	if secret, ok := obj.(*corev1.Secret); ok {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.sets, secret.Name)
	}
}
