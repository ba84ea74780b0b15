// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"bytes"
	"sync"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
)

// Provider hands the current serving certificate to a k8s.io/apiserver secure
// server: put it in SecureServingOptions.ServerCert.GeneratedCert. The server
// registers itself as a listener and re-reads the content whenever it changes.
//
// Until the controller has loaded a certificate the content is empty. The
// server's dynamic TLS configuration refuses empty content, so until then every
// TLS handshake fails and kube-apiserver's aggregator reports the APIService as
// unavailable (clients get 503). Once a certificate was loaded the server keeps
// serving it until a newer one replaces it.
type Provider struct {
	name string

	mu        sync.RWMutex
	cert, key []byte
	listeners []dynamiccertificates.Listener
}

var _ dynamiccertificates.CertKeyContentProvider = (*Provider)(nil)

// NewProvider returns an empty provider; name identifies it in the server's logs,
// e.g. "concierge-serving-cert".
func NewProvider(name string) *Provider {
	return &Provider{name: name}
}

// Name returns the name the provider was created with.
func (p *Provider) Name() string { return p.name }

// CurrentCertKeyContent returns the PEM certificate chain and private key, or two
// empty slices when none is loaded.
func (p *Provider) CurrentCertKeyContent() ([]byte, []byte) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.cert, p.key
}

// AddListener registers a listener that is told when the content changes.
func (p *Provider) AddListener(listener dynamiccertificates.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listeners = append(p.listeners, listener)
}

// Set loads a certificate chain and key, and tells the listeners when they differ
// from what was loaded. It reports whether they did.
func (p *Provider) Set(certPEM, keyPEM []byte) bool {
	p.mu.Lock()
	if bytes.Equal(p.cert, certPEM) && bytes.Equal(p.key, keyPEM) {
		p.mu.Unlock()
		return false
	}
	p.cert = append([]byte(nil), certPEM...)
	p.key = append([]byte(nil), keyPEM...)
	listeners := append([]dynamiccertificates.Listener(nil), p.listeners...)
	p.mu.Unlock()

	// Listeners are called without the lock: they read the content back at once.
	for _, l := range listeners {
		l.Enqueue()
	}
	return true
}
