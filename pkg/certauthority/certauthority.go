// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package certauthority is a small X.509 certificate authority: it creates or loads
// a CA and issues short-lived client and serving certificates signed by it. Both
// servers use it (the Concierge to mint cluster credentials, both for serving
// certs) and so does the test harness, for the clusters it starts.
package certauthority

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Backdate is how far before the issue time every certificate becomes valid, so
// that a peer whose clock runs slightly behind accepts it at once.
const Backdate = 5 * time.Minute

// CA signs certificates with one private key.
type CA struct {
	cert   *x509.Certificate
	signer crypto.Signer

	certPEM []byte
	keyPEM  []byte

	now func() time.Time
}

// Option changes how a CA is built.
type Option func(*CA)

// WithClock sets the clock used for validity periods; tests use it to avoid sleeps.
func WithClock(now func() time.Time) Option {
	return func(c *CA) { c.now = now }
}

// New creates a self-signed CA with an ECDSA P-256 key, valid for ttl.
func New(commonName string, ttl time.Duration, opts ...Option) (*CA, error) {
	ca := &CA{now: time.Now}
	for _, opt := range opts {
		opt(ca)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("could not generate CA private key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := ca.now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-Backdate),
		NotAfter:              now.Add(ttl),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("could not create CA certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return Load(encodeCert(der), keyPEM, opts...)
}

// Load builds a CA from a PEM certificate and its PEM private key (PKCS#8, SEC 1
// or PKCS#1), for example the cluster CA that kube-apiserver trusts for clients.
func Load(certPEM, keyPEM []byte, opts ...Option) (*CA, error) {
	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, err
	}
	if !cert.IsCA {
		return nil, errors.New("certauthority: certificate is not a CA")
	}
	signer, err := parseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	if !publicKeysEqual(cert.PublicKey, signer.Public()) {
		return nil, errors.New("certauthority: private key does not match the CA certificate")
	}
	ca := &CA{cert: cert, signer: signer, certPEM: certPEM, keyPEM: keyPEM, now: time.Now}
	for _, opt := range opts {
		opt(ca)
	}
	return ca, nil
}

// Bundle returns the CA certificate as PEM, to be trusted by peers.
func (c *CA) Bundle() []byte { return append([]byte(nil), c.certPEM...) }

// PrivateKeyPEM returns the CA's private key as PEM. Handle it like a password.
func (c *CA) PrivateKeyPEM() []byte { return append([]byte(nil), c.keyPEM...) }

// Certificate returns the parsed CA certificate.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// Pool returns a certificate pool holding only this CA.
func (c *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(c.cert)
	return pool
}

// IssueClientCert issues a client certificate whose subject kube-apiserver reads as
// a user: the common name is the username and each organization a group.
func (c *CA) IssueClientCert(username string, groups []string, ttl time.Duration) (*PEMPair, error) {
	return c.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: username, Organization: groups},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ttl)
}

// IssueServerCert issues a serving certificate for the given DNS names and IPs.
// The common name is the first DNS name (or IP) for readability; clients check the
// subject alternative names only.
func (c *CA) IssueServerCert(dnsNames []string, ips []net.IP, ttl time.Duration) (*PEMPair, error) {
	if len(dnsNames) == 0 && len(ips) == 0 {
		return nil, errors.New("certauthority: a serving certificate needs a DNS name or an IP")
	}
	cn := ""
	if len(dnsNames) > 0 {
		cn = dnsNames[0]
	} else {
		cn = ips[0].String()
	}
	return c.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    dnsNames,
		IPAddresses: ips,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ttl)
}

// PEMPair is a certificate and its private key, both PEM-encoded.
type PEMPair struct {
	CertPEM []byte
	KeyPEM  []byte
	// NotAfter is when the certificate expires.
	NotAfter time.Time
}

func (c *CA) issue(template *x509.Certificate, ttl time.Duration) (*PEMPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("could not generate private key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	// X.509 times have whole seconds; truncate so that NotAfter reports what the
	// certificate says.
	now := c.now().Truncate(time.Second)
	template.SerialNumber = serial
	template.NotBefore = now.Add(-Backdate)
	template.NotAfter = now.Add(ttl)
	template.KeyUsage = x509.KeyUsageDigitalSignature
	template.BasicConstraintsValid = true

	der, err := x509.CreateCertificate(rand.Reader, template, c.cert, key.Public(), c.signer)
	if err != nil {
		return nil, fmt.Errorf("could not sign certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &PEMPair{CertPEM: encodeCert(der), KeyPEM: keyPEM, NotAfter: template.NotAfter}, nil
}

// randomSerial returns a 128-bit random serial number, as RFC 5280 allows up to
// 20 octets and unpredictable serials defeat chosen-prefix collisions.
func randomSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("could not generate serial number: %w", err)
	}
	return serial, nil
}
