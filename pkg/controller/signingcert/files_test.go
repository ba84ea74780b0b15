// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package signingcert

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

type countingListener struct{ count atomic.Int32 }

func (l *countingListener) Enqueue() { l.count.Add(1) }

func TestFileSourceSync(t *testing.T) {
	caA := newCA(t, "signer A")
	caB := newCA(t, "signer B")
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")

	dynamic := certauthority.NewDynamic("test-signer")
	c, err := NewFromFiles(dynamic, FileOptions{CertPath: certPath, KeyPath: keyPath})
	require.NoError(t, err)
	listener := &countingListener{}
	c.AddListener(listener)
	source := &fileSource{loader: c.loader, opts: FileOptions{CertPath: certPath, KeyPath: keyPath}}

	loaded, message := c.LoadStatus()
	require.False(t, loaded)
	require.Equal(t, "the signing key has not been loaded yet", message)

	// Each step changes the files (nil removes one), syncs once, and checks the outcome.
	steps := []struct {
		name         string
		cert, key    []byte
		wantIssuer   string // CN of the CA that signs new client certs; "" when none is loaded
		wantMessage  string
		wantNotified int32
	}{
		{
			name:        "files_missing",
			wantMessage: "could not read signing key: open " + certPath + ": no such file or directory",
			// The message changed from "not loaded yet".
			wantNotified: 1,
		},
		{
			name: "only_cert_present", cert: caA.Bundle(),
			wantMessage:  "could not read signing key: open " + keyPath + ": no such file or directory",
			wantNotified: 2,
		},
		{name: "loads_a", cert: caA.Bundle(), key: caA.PrivateKeyPEM(), wantIssuer: "signer A", wantNotified: 3},
		{name: "unchanged_is_quiet", cert: caA.Bundle(), key: caA.PrivateKeyPEM(), wantIssuer: "signer A", wantNotified: 3},
		{
			name: "half_rotated_keeps_a", cert: caB.Bundle(), key: caA.PrivateKeyPEM(),
			wantIssuer: "signer A", wantNotified: 4,
		},
		{name: "swaps_to_b", cert: caB.Bundle(), key: caB.PrivateKeyPEM(), wantIssuer: "signer B", wantNotified: 5},
		{
			name:         "removed_unloads",
			wantMessage:  "could not read signing key: open " + certPath + ": no such file or directory",
			wantNotified: 6,
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			writeOrRemove(t, certPath, step.cert)
			writeOrRemove(t, keyPath, step.key)
			source.sync()

			loaded, message := c.LoadStatus()
			require.Equal(t, step.wantIssuer != "", loaded)
			require.Equal(t, step.wantMessage, message)
			require.Equal(t, step.wantNotified, listener.count.Load())
			require.Equal(t, step.wantIssuer, issuerOfNewCert(t, dynamic))
		})
	}
}

func TestFileSourceRunPollsOnItsClock(t *testing.T) {
	caA := newCA(t, "signer A")
	caB := newCA(t, "signer B")
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeOrRemove(t, certPath, caA.Bundle())
	writeOrRemove(t, keyPath, caA.PrivateKeyPEM())

	fakeClock := clocktesting.NewFakeClock(time.Now())
	dynamic := certauthority.NewDynamic("test-signer")
	c, err := NewFromFiles(dynamic, FileOptions{
		CertPath: certPath, KeyPath: keyPath, PollInterval: 30 * time.Second, Clock: fakeClock,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	require.Eventually(t, func() bool { return issuerOfNewCert(t, dynamic) == "signer A" },
		5*time.Second, 10*time.Millisecond)
	require.Eventually(t, fakeClock.HasWaiters, 5*time.Second, 10*time.Millisecond)

	writeOrRemove(t, certPath, caB.Bundle())
	writeOrRemove(t, keyPath, caB.PrivateKeyPEM())
	fakeClock.Step(30 * time.Second)
	require.Eventually(t, func() bool { return issuerOfNewCert(t, dynamic) == "signer B" },
		5*time.Second, 10*time.Millisecond)
}

func TestNewFromFilesRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    FileOptions
		wantErr string
	}{
		{
			name: "no_key_path", opts: FileOptions{CertPath: "/c"},
			wantErr: "signingcert: both a certificate path and a key path are required",
		},
		{
			name: "negative_interval", opts: FileOptions{CertPath: "/c", KeyPath: "/k", PollInterval: -time.Second},
			wantErr: "signingcert: poll interval must not be negative, got -1s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFromFiles(certauthority.NewDynamic("x"), tt.opts)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func newCA(t *testing.T, cn string) *certauthority.CA {
	t.Helper()
	ca, err := certauthority.New(cn, time.Hour)
	require.NoError(t, err)
	return ca
}

func writeOrRemove(t *testing.T, path string, content []byte) {
	t.Helper()
	if content == nil {
		require.NoError(t, os.RemoveAll(path))
		return
	}
	require.NoError(t, os.WriteFile(path, content, 0o600))
}

// issuerOfNewCert issues a client certificate and returns its issuer's common
// name, or "" when no CA is loaded.
func issuerOfNewCert(t *testing.T, ca *certauthority.Dynamic) string {
	t.Helper()
	pair, err := ca.IssueClientCert("alice", []string{"devs"}, time.Minute)
	if err != nil {
		require.ErrorIs(t, err, certauthority.ErrNoCA)
		return ""
	}
	block, _ := pem.Decode(pair.CertPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert.Issuer.CommonName
}
