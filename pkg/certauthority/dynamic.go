// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package certauthority

import (
	"errors"
	"net"
	"sync/atomic"
	"time"
)

// ErrNoCA means a Dynamic CA has not been given a certificate and key yet.
var ErrNoCA = errors.New("certauthority: no signing certificate loaded")

// Dynamic is a CA whose certificate and key can be swapped while it is in use, for
// a signing key that lives in a Secret or in files that get rotated. Issuing never
// waits on a swap: it uses whichever CA was current when it started.
type Dynamic struct {
	name    string
	current atomic.Pointer[CA]
}

// NewDynamic returns a Dynamic CA with nothing loaded; name says what it is in errors.
func NewDynamic(name string) *Dynamic {
	return &Dynamic{name: name}
}

// Name returns the name the CA was created with.
func (d *Dynamic) Name() string { return d.name }

// SetPEM parses and loads a new certificate and key. On error the previous CA
// stays in use.
func (d *Dynamic) SetPEM(certPEM, keyPEM []byte) error {
	ca, err := Load(certPEM, keyPEM)
	if err != nil {
		return err
	}
	d.current.Store(ca)
	return nil
}

// Unset removes the loaded CA; issuing fails until SetPEM is called again.
func (d *Dynamic) Unset() { d.current.Store(nil) }

// Current returns the loaded CA, or nil.
func (d *Dynamic) Current() *CA { return d.current.Load() }

// IssueClientCert issues a client certificate with the current CA.
func (d *Dynamic) IssueClientCert(username string, groups []string, ttl time.Duration) (*PEMPair, error) {
	ca := d.current.Load()
	if ca == nil {
		return nil, ErrNoCA
	}
	return ca.IssueClientCert(username, groups, ttl)
}

// IssueServerCert issues a serving certificate with the current CA.
func (d *Dynamic) IssueServerCert(dnsNames []string, ips []net.IP, ttl time.Duration) (*PEMPair, error) {
	ca := d.current.Load()
	if ca == nil {
		return nil, ErrNoCA
	}
	return ca.IssueServerCert(dnsNames, ips, ttl)
}
