// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package certauthority

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIssueClientCert(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ca, err := New("test-ca", time.Hour, WithClock(func() time.Time { return now }))
	require.NoError(t, err)

	pair, err := ca.IssueClientCert("alice", []string{"eks-admins", "eks-users"}, 5*time.Minute)
	require.NoError(t, err)

	cert := parseLeaf(t, pair)
	require.Equal(t, "alice", cert.Subject.CommonName)
	// DER sorts the members of a SET OF, so the order of groups is not kept.
	require.ElementsMatch(t, []string{"eks-admins", "eks-users"}, cert.Subject.Organization)
	require.Equal(t, now.Add(-5*time.Minute), cert.NotBefore)
	require.Equal(t, now.Add(5*time.Minute), cert.NotAfter)
	require.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, cert.ExtKeyUsage)
	require.False(t, cert.IsCA)
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok)
	require.Equal(t, elliptic.P256(), pub.Curve)

	_, err = cert.Verify(x509.VerifyOptions{
		Roots:       ca.Pool(),
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	require.NoError(t, err)
}

func TestIssueServerCert(t *testing.T) {
	ca, err := New("test-ca", time.Hour)
	require.NoError(t, err)

	t.Run("dns_and_ip", func(t *testing.T) {
		pair, err := ca.IssueServerCert([]string{"api.example.svc"}, []net.IP{net.ParseIP("127.0.0.1")}, time.Hour)
		require.NoError(t, err)
		cert := parseLeaf(t, pair)
		require.Equal(t, "api.example.svc", cert.Subject.CommonName)
		for _, name := range []string{"api.example.svc", "127.0.0.1"} {
			_, err = cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name})
			require.NoError(t, err, name)
		}
		_, err = cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "other.example.svc"})
		require.Error(t, err)
	})

	t.Run("no_names_refused", func(t *testing.T) {
		_, err := ca.IssueServerCert(nil, nil, time.Hour)
		require.EqualError(t, err, "certauthority: a serving certificate needs a DNS name or an IP")
	})
}

func TestLoad(t *testing.T) {
	ca, err := New("test-ca", time.Hour)
	require.NoError(t, err)
	other, err := New("other-ca", time.Hour)
	require.NoError(t, err)
	leaf, err := ca.IssueClientCert("bob", nil, time.Minute)
	require.NoError(t, err)

	tests := []struct {
		name    string
		certPEM []byte
		keyPEM  []byte
		wantErr string
	}{
		{name: "round_trip", certPEM: ca.Bundle(), keyPEM: ca.PrivateKeyPEM()},
		{
			name: "mismatched_key", certPEM: ca.Bundle(), keyPEM: other.PrivateKeyPEM(),
			wantErr: "certauthority: private key does not match the CA certificate",
		},
		{
			name: "leaf_is_not_a_ca", certPEM: leaf.CertPEM, keyPEM: leaf.KeyPEM,
			wantErr: "certauthority: certificate is not a CA",
		},
		{
			name: "garbage_cert", certPEM: []byte("nope"), keyPEM: ca.PrivateKeyPEM(),
			wantErr: "certauthority: no PEM CERTIFICATE block found",
		},
		{
			name: "garbage_key", certPEM: ca.Bundle(), keyPEM: []byte("nope"),
			wantErr: "certauthority: no PEM private key block found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loaded, err := Load(tt.certPEM, tt.keyPEM)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, ca.Certificate().Raw, loaded.Certificate().Raw)
			pair, err := loaded.IssueClientCert("carol", nil, time.Minute)
			require.NoError(t, err)
			_, err = parseLeaf(t, pair).Verify(x509.VerifyOptions{
				Roots:     ca.Pool(),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			})
			require.NoError(t, err)
		})
	}
}

func parseLeaf(t *testing.T, pair *PEMPair) *x509.Certificate {
	t.Helper()
	kp, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(kp.Certificate[0])
	require.NoError(t, err)
	return cert
}
