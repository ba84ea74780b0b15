// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cabundle

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

const namespace = "pinniped-concierge"

func TestResolve(t *testing.T) {
	ca, err := certauthority.New("test CA", time.Hour)
	require.NoError(t, err)
	otherCA, err := certauthority.New("other CA", time.Hour)
	require.NoError(t, err)
	caPEM := ca.Bundle()
	twoPEM := append(ca.Bundle(), otherCA.Bundle()...)

	resolver := newResolver(t,
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "tls"},
			Type:       corev1.SecretTypeTLS, Data: map[string][]byte{"ca.crt": caPEM},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "opaque"},
			Type:       corev1.SecretTypeOpaque, Data: map[string][]byte{"bundle": twoPEM, "junk": []byte("junk")},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "basic"},
			Type:       corev1.SecretTypeBasicAuth, Data: map[string][]byte{"ca.crt": caPEM},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "elsewhere", Name: "foreign"},
			Type:       corev1.SecretTypeOpaque, Data: map[string][]byte{"ca.crt": caPEM},
		},
		&corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "cm"},
			Data:       map[string]string{"ca.crt": string(caPEM), "key": string(ca.PrivateKeyPEM())},
			BinaryData: map[string][]byte{"binary": caPEM},
		},
	)

	const systemRoots = "spec.tls is valid: no TLS configuration provided: " +
		"using default root CA bundle from container image"
	const configured = "spec.tls is valid: using configured CA bundle"
	const badSource = "spec.tls.certificateAuthorityDataSource is invalid: "
	tests := []struct {
		name        string
		src         *Source
		wantPEM     []byte
		wantCerts   int
		wantMessage string
		wantInvalid bool
	}{
		{name: "nil_source_uses_system_roots", wantMessage: systemRoots},
		{name: "empty_source_uses_system_roots", src: &Source{}, wantMessage: systemRoots},
		{
			name: "inline_data", src: &Source{Data: base64.StdEncoding.EncodeToString(twoPEM)},
			wantPEM: twoPEM, wantCerts: 2, wantMessage: configured,
		},
		{
			name: "inline_data_not_base64", src: &Source{Data: "abc!"}, wantInvalid: true,
			wantMessage: "spec.tls.certificateAuthorityData is invalid: not valid base64: " +
				"illegal base64 data at input byte 3",
		},
		{
			name: "inline_data_not_pem", src: &Source{Data: base64.StdEncoding.EncodeToString([]byte("hello"))},
			wantInvalid: true, wantMessage: "spec.tls.certificateAuthorityData is invalid: no PEM certificates found",
		},
		{
			name: "both_fields_set", wantInvalid: true,
			src: &Source{Data: "abcd", Ref: &Ref{Kind: KindSecret, Name: "tls", Key: "ca.crt"}},
			wantMessage: "spec.tls is invalid: only one of certificateAuthorityData and " +
				"certificateAuthorityDataSource may be set",
		},
		{
			name: "tls_secret", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "tls", Key: "ca.crt"}},
			wantPEM: caPEM, wantCerts: 1, wantMessage: configured,
		},
		{
			name: "opaque_secret", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "opaque", Key: "bundle"}},
			wantPEM: twoPEM, wantCerts: 2, wantMessage: configured,
		},
		{
			name: "secret_value_not_pem", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "opaque", Key: "junk"}},
			wantInvalid: true, wantMessage: badSource + "no PEM certificates found",
		},
		{
			name: "secret_of_other_type", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "basic", Key: "ca.crt"}},
			wantInvalid: true, wantMessage: badSource + `Secret "basic" has type "kubernetes.io/basic-auth": ` +
				`only "kubernetes.io/tls" and "Opaque" are allowed`,
		},
		{
			name: "secret_missing_key", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "tls", Key: "nope"}},
			wantInvalid: true, wantMessage: badSource + `Secret "tls" has no key "nope"`,
		},
		{
			name: "secret_missing", src: &Source{Ref: &Ref{Kind: KindSecret, Name: "absent", Key: "ca.crt"}},
			wantInvalid: true, wantMessage: badSource +
				`could not get Secret "absent" in namespace "pinniped-concierge": secret "absent" not found`,
		},
		{
			name: "secret_in_other_namespace_is_not_read",
			src:  &Source{Ref: &Ref{Kind: KindSecret, Name: "foreign", Key: "ca.crt"}}, wantInvalid: true,
			wantMessage: badSource +
				`could not get Secret "foreign" in namespace "pinniped-concierge": secret "foreign" not found`,
		},
		{
			name: "configmap_data", src: &Source{Ref: &Ref{Kind: KindConfigMap, Name: "cm", Key: "ca.crt"}},
			wantPEM: caPEM, wantCerts: 1, wantMessage: configured,
		},
		{
			name: "configmap_binary_data", src: &Source{Ref: &Ref{Kind: KindConfigMap, Name: "cm", Key: "binary"}},
			wantPEM: caPEM, wantCerts: 1, wantMessage: configured,
		},
		{
			name: "configmap_value_is_a_key", src: &Source{Ref: &Ref{Kind: KindConfigMap, Name: "cm", Key: "key"}},
			wantInvalid: true, wantMessage: badSource + `PEM block 1 is a "PRIVATE KEY", not a CERTIFICATE`,
		},
		{
			name: "configmap_missing_key", src: &Source{Ref: &Ref{Kind: KindConfigMap, Name: "cm", Key: "nope"}},
			wantInvalid: true, wantMessage: badSource + `ConfigMap "cm" has no key "nope"`,
		},
		{
			name: "configmap_missing", src: &Source{Ref: &Ref{Kind: KindConfigMap, Name: "absent", Key: "k"}},
			wantInvalid: true, wantMessage: badSource +
				`could not get ConfigMap "absent" in namespace "pinniped-concierge": configmap "absent" not found`,
		},
		{
			name: "unknown_kind", src: &Source{Ref: &Ref{Kind: "Pod", Name: "p", Key: "k"}},
			wantInvalid: true, wantMessage: badSource + `kind "Pod" is not supported: use "Secret" or "ConfigMap"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle, cond := resolver.Resolve("spec.tls", tt.src)
			require.Equal(t, "TLSConfigurationValid", cond.Type)
			require.Equal(t, tt.wantMessage, cond.Message)
			if tt.wantInvalid {
				require.Nil(t, bundle)
				require.Equal(t, metav1.ConditionFalse, cond.Status)
				require.Equal(t, "InvalidTLSConfig", cond.Reason)
				return
			}
			require.Equal(t, metav1.ConditionTrue, cond.Status)
			require.Equal(t, "Success", cond.Reason)
			require.NotNil(t, bundle)
			require.Equal(t, tt.wantPEM, bundle.PEM)
			if tt.wantPEM == nil {
				require.Nil(t, bundle.Pool)
				require.Empty(t, bundle.Hash)
				return
			}
			sum := sha256.Sum256(tt.wantPEM)
			require.Equal(t, hex.EncodeToString(sum[:]), bundle.Hash)
			require.True(t, bundle.Pool.Equal(poolOf(t, tt.wantPEM, tt.wantCerts)))
		})
	}
}

func newResolver(t *testing.T, objects ...any) *Resolver {
	t.Helper()
	indexers := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	secrets := cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers)
	configMaps := cache.NewIndexer(cache.MetaNamespaceKeyFunc, indexers)
	for _, obj := range objects {
		switch obj.(type) {
		case *corev1.Secret:
			require.NoError(t, secrets.Add(obj))
		case *corev1.ConfigMap:
			require.NoError(t, configMaps.Add(obj))
		}
	}
	return NewResolver(namespace, corev1listers.NewSecretLister(secrets), corev1listers.NewConfigMapLister(configMaps))
}

// poolOf builds the pool a bundle should resolve to, independently of parse.
func poolOf(t *testing.T, bundlePEM []byte, wantCerts int) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	rest := bundlePEM
	for i := 0; i < wantCerts; i++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		require.NotNil(t, block)
		cert, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		pool.AddCert(cert)
	}
	block, _ := pem.Decode(rest)
	require.Nil(t, block, "more certificates than expected")
	return pool
}
