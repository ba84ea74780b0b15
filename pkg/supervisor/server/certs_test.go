// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

func tlsSecret(t *testing.T, ca *certauthority.CA, name, host string) *corev1.Secret {
	t.Helper()
	pair, err := ca.IssueServerCert([]string{host}, nil, time.Hour)
	require.NoError(t, err)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: "1"},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: pair.CertPEM, corev1.TLSPrivateKeyKey: pair.KeyPEM},
	}
}

func TestCertStore(t *testing.T) {
	ca, err := certauthority.New("test-ca", time.Hour)
	require.NoError(t, err)
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	store, err := newCertStore(corelisters.NewSecretLister(indexer), "ns", "default-tls")
	require.NoError(t, err)
	store.SetFederationDomains(
		endpoints.FederationDomain{Issuer: "https://One.example.com/a", TLSSecretName: "tls-one"},
		endpoints.FederationDomain{Issuer: "https://10.0.0.1/a", TLSSecretName: "tls-ip"},
	)
	serve := store.guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("next")) }))
	request := func(serverName, path string) (int, string) {
		req := httptest.NewRequest("GET", "https://x"+path, nil)
		req.TLS = &tls.ConnectionState{ServerName: serverName}
		rec := httptest.NewRecorder()
		serve.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	source := func(serverName string) string {
		_, s := store.lookup(serverName)
		return s
	}

	// 1. Nothing loaded: the bootstrap cert, on which only /healthz passes.
	require.Equal(t, "bootstrap", source("one.example.com"))
	code, body := request("one.example.com", "/a/jwks.json")
	require.Equal(t, []any{500, "pinniped supervisor has invalid TLS serving certificate configuration\n"},
		[]any{code, body})
	code, body = request("one.example.com", "/healthz")
	require.Equal(t, []any{200, "next"}, []any{code, body})

	// 2. The default cert serves every name without its own.
	require.NoError(t, indexer.Add(tlsSecret(t, ca, "default-tls", "default.example.com")))
	require.Equal(t, "secret/default-tls", source("one.example.com"))
	code, _ = request("one.example.com", "/a/jwks.json")
	require.Equal(t, 200, code)

	// 3. An issuer host's own cert wins, whatever the case of the SNI.
	require.NoError(t, indexer.Add(tlsSecret(t, ca, "tls-one", "one.example.com")))
	require.NoError(t, indexer.Add(tlsSecret(t, ca, "tls-ip", "ip.example.com")))
	require.Equal(t, "secret/tls-one", source("ONE.example.com"))
	require.Equal(t, "secret/default-tls", source("10.0.0.1"))
	cert, err := store.GetCertificate(&tls.ClientHelloInfo{ServerName: "one.example.com"})
	require.NoError(t, err)
	require.NotNil(t, cert)

	// 4. An unusable Secret is skipped.
	broken := tlsSecret(t, ca, "tls-one", "one.example.com")
	broken.ResourceVersion = "2"
	broken.Data[corev1.TLSPrivateKeyKey] = []byte("not a key")
	require.NoError(t, indexer.Update(broken))
	require.Equal(t, "secret/default-tls", source("one.example.com"))
}
