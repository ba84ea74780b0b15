// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

func testOptions(now time.Time) *Options {
	return &Options{
		Namespace: "ns", SecretName: "serving", ServiceName: "api",
		Duration: 30 * time.Hour, RenewBefore: 25 * time.Hour,
		Clock: clocktesting.NewFakeClock(now),
	}
}

func TestNewSecret(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	opts := testOptions(now)
	secret, err := newSecret(opts)
	require.NoError(t, err)
	require.Equal(t, "serving", secret.Name)
	require.Equal(t, "ns", secret.Namespace)
	require.Equal(t, corev1.SecretTypeOpaque, secret.Type)

	parsed, err := parseSecret(secret, opts.dnsNames())
	require.NoError(t, err)
	require.Equal(t, []string{"api.ns.svc", "api.ns.svc.cluster.local"}, parsed.leaf.DNSNames)
	require.Equal(t, now.Add(-certauthority.Backdate), parsed.leaf.NotBefore)
	require.Equal(t, now.Add(30*time.Hour), parsed.leaf.NotAfter)

	ca, err := certauthority.Load(secret.Data[CACertificateKey], secret.Data[CACertificatePrivateKeyKey])
	require.NoError(t, err)
	require.Equal(t, "Pinniped Aggregation CA", ca.Certificate().Subject.CommonName)
	require.Equal(t, now.Add(30*time.Hour), ca.Certificate().NotAfter)
	_, err = parsed.leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "api.ns.svc", CurrentTime: now})
	require.NoError(t, err)
}

func TestParseSecretRefusesUnusableContent(t *testing.T) {
	opts := testOptions(time.Now())
	good, err := newSecretData(opts)
	require.NoError(t, err)
	other, err := newSecretData(opts)
	require.NoError(t, err)

	tests := []struct {
		name     string
		change   func(data map[string][]byte)
		dnsNames []string
		wantErr  string
	}{
		{
			name:    "missing_key",
			change:  func(d map[string][]byte) { delete(d, TLSPrivateKeyKey) },
			wantErr: `key "tlsPrivateKey" is missing`,
		},
		{
			name:    "garbage_ca",
			change:  func(d map[string][]byte) { d[CACertificateKey] = []byte("garbage") },
			wantErr: "could not load the CA: certauthority: no PEM CERTIFICATE block found",
		},
		{
			name:    "leaf_key_mismatch",
			change:  func(d map[string][]byte) { d[TLSPrivateKeyKey] = other[TLSPrivateKeyKey] },
			wantErr: "could not load the serving certificate: tls: private key does not match public key",
		},
		{
			name: "leaf_from_another_ca",
			change: func(d map[string][]byte) {
				d[TLSPrivateKeyKey], d[TLSCertificateChainKey] = other[TLSPrivateKeyKey], other[TLSCertificateChainKey]
			},
			wantErr: "the serving certificate is not signed by the CA: " +
				"x509: ECDSA verification failure",
		},
		{
			name:     "other_service_name",
			change:   func(map[string][]byte) {},
			dnsNames: []string{"renamed.ns.svc"},
			wantErr:  `the serving certificate is not valid for "renamed.ns.svc"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string][]byte{}
			for k, v := range good {
				data[k] = v
			}
			tt.change(data)
			dnsNames := tt.dnsNames
			if dnsNames == nil {
				dnsNames = opts.dnsNames()
			}
			_, err := parseSecret(&corev1.Secret{Data: data}, dnsNames)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestCheckAge(t *testing.T) {
	issued := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	leaf := &x509.Certificate{NotBefore: issued.Add(-certauthority.Backdate), NotAfter: issued.Add(30 * time.Hour)}
	tests := []struct {
		name        string
		now         time.Time
		renewBefore time.Duration
		wantErr     error
	}{
		{name: "fresh", now: issued, renewBefore: 25 * time.Hour},
		{name: "just_before_renewal", now: issued.Add(25*time.Hour - time.Second), renewBefore: 25 * time.Hour},
		{name: "renewal_due", now: issued.Add(25 * time.Hour), renewBefore: 25 * time.Hour, wantErr: errRenewalDue},
		{name: "expired", now: issued.Add(30 * time.Hour), renewBefore: 25 * time.Hour, wantErr: errExpired},
		{
			name: "expired_wins_over_due", now: issued.Add(31 * time.Hour), renewBefore: 30 * time.Hour,
			wantErr: errExpired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.wantErr, checkAge(leaf, tt.now, tt.renewBefore))
		})
	}
	require.Equal(t, issued.Add(25*time.Hour), renewAt(leaf, 25*time.Hour))
	require.Equal(t, issued.Add(30*time.Hour), renewAt(leaf, 40*time.Hour))
}
