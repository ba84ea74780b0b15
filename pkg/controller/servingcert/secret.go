// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// Keys of the Secret, the same as upstream Pinniped's so that either can read the
// other's Secret.
const (
	// CACertificateKey holds the PEM CA certificate, the APIServices' caBundle.
	CACertificateKey = "caCertificate"
	// CACertificatePrivateKeyKey holds the CA's PEM private key.
	CACertificatePrivateKeyKey = "caCertificatePrivateKey"
	// TLSPrivateKeyKey holds the serving certificate's PEM private key.
	TLSPrivateKeyKey = "tlsPrivateKey"
	// TLSCertificateChainKey holds the PEM serving certificate.
	TLSCertificateChainKey = "tlsCertificateChain"
)

// CACommonName is the common name of every CA the controller makes.
const CACommonName = "Pinniped Aggregation CA"

// servingSecret is the parsed content of the Secret.
type servingSecret struct {
	caPEM   []byte
	certPEM []byte
	keyPEM  []byte
	// leaf is the serving certificate.
	leaf *x509.Certificate
}

// newSecretData makes a new CA and a serving certificate signed by it.
func newSecretData(opts *Options) (map[string][]byte, error) {
	ca, err := certauthority.New(CACommonName, opts.Duration, certauthority.WithClock(opts.Clock.Now))
	if err != nil {
		return nil, fmt.Errorf("could not create serving CA: %w", err)
	}
	pair, err := ca.IssueServerCert(opts.dnsNames(), nil, opts.Duration)
	if err != nil {
		return nil, fmt.Errorf("could not issue serving certificate: %w", err)
	}
	return map[string][]byte{
		CACertificateKey:           ca.Bundle(),
		CACertificatePrivateKeyKey: ca.PrivateKeyPEM(),
		TLSPrivateKeyKey:           pair.KeyPEM,
		TLSCertificateChainKey:     pair.CertPEM,
	}, nil
}

// newSecret returns the Secret to create.
func newSecret(opts *Options) (*corev1.Secret, error) {
	data, err := newSecretData(opts)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: opts.SecretName, Namespace: opts.Namespace, Labels: opts.Labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}, nil
}

// parseSecret checks that the Secret holds a usable CA and a serving certificate
// signed by it for every name in dnsNames.
func parseSecret(secret *corev1.Secret, dnsNames []string) (*servingSecret, error) {
	for _, key := range []string{CACertificateKey, CACertificatePrivateKeyKey, TLSPrivateKeyKey, TLSCertificateChainKey} {
		if len(secret.Data[key]) == 0 {
			return nil, fmt.Errorf("key %q is missing", key)
		}
	}
	ca, err := certauthority.Load(secret.Data[CACertificateKey], secret.Data[CACertificatePrivateKeyKey])
	if err != nil {
		return nil, fmt.Errorf("could not load the CA: %w", err)
	}
	pair, err := tls.X509KeyPair(secret.Data[TLSCertificateChainKey], secret.Data[TLSPrivateKeyKey])
	if err != nil {
		return nil, fmt.Errorf("could not load the serving certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("could not parse the serving certificate: %w", err)
	}
	// The caBundle written to the APIServices is the CA, so a certificate signed by
	// anything else would never be trusted.
	if err := leaf.CheckSignatureFrom(ca.Certificate()); err != nil {
		return nil, fmt.Errorf("the serving certificate is not signed by the CA: %w", err)
	}
	for _, name := range dnsNames {
		if err := leaf.VerifyHostname(name); err != nil {
			return nil, fmt.Errorf("the serving certificate is not valid for %q", name)
		}
	}
	return &servingSecret{
		caPEM:   secret.Data[CACertificateKey],
		certPEM: secret.Data[TLSCertificateChainKey],
		keyPEM:  secret.Data[TLSPrivateKeyKey],
		leaf:    leaf,
	}, nil
}

// errRenewalDue and errExpired say why a valid Secret must still be replaced.
var (
	errRenewalDue = errors.New("the serving certificate is due for renewal")
	errExpired    = errors.New("the serving certificate has expired")
)

// checkAge returns an error when the serving certificate must be replaced at now.
// Its age counts from when it was issued, which is its NotBefore plus the backdating
// certauthority applies.
func checkAge(leaf *x509.Certificate, now time.Time, renewBefore time.Duration) error {
	if !now.Before(leaf.NotAfter) {
		return errExpired
	}
	if issued := leaf.NotBefore.Add(certauthority.Backdate); now.Sub(issued) >= renewBefore {
		return errRenewalDue
	}
	return nil
}

// renewAt is when the serving certificate will be due for replacement.
func renewAt(leaf *x509.Certificate, renewBefore time.Duration) time.Time {
	due := leaf.NotBefore.Add(certauthority.Backdate).Add(renewBefore)
	if leaf.NotAfter.Before(due) {
		return leaf.NotAfter
	}
	return due
}
