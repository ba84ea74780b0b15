// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonator

import (
	"crypto/x509"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// SignerCA presents the signer of the proxy's client certificates to the
// authenticator. The CA is read at each use, so a rotated signer takes effect at
// once; its listeners are not told, as nothing caches it.
type SignerCA struct{ CA *certauthority.Dynamic }

var _ dynamiccertificates.CAContentProvider = SignerCA{}

// Name names the CA in logs.
func (s SignerCA) Name() string { return s.CA.Name() }

// CurrentCABundleContent is the CA's certificate, or nothing before it is loaded.
func (s SignerCA) CurrentCABundleContent() []byte {
	if ca := s.CA.Current(); ca != nil {
		return ca.Bundle()
	}
	return nil
}

// VerifyOptions accept client certificates of the CA.
func (s SignerCA) VerifyOptions() (x509.VerifyOptions, bool) {
	ca := s.CA.Current()
	if ca == nil {
		return x509.VerifyOptions{}, false
	}
	return x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, true
}

// AddListener does nothing; see SignerCA.
func (s SignerCA) AddListener(dynamiccertificates.Listener) {}
