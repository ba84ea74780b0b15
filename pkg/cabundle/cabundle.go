// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package cabundle turns the "which CAs to trust" part of a spec (inline base64 PEM, or
// a key of a Secret or ConfigMap in the server's own namespace) into a certificate pool
// and the TLSConfigurationValid condition that reports it. Both servers use it; each
// converts its own API's TLS type into a Source at the call site.
package cabundle

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"

	"github.com/sealworks/pinniped/pkg/conditions"
)

// The condition this package reports, with the same names in every API that has a TLS spec.
const (
	// ConditionTLSConfigurationValid is True when the CA source could be used.
	ConditionTLSConfigurationValid = "TLSConfigurationValid"

	// ReasonInvalidTLSConfig is the reason of a False TLSConfigurationValid.
	ReasonInvalidTLSConfig = "InvalidTLSConfig"
)

// Kinds of object a CA bundle can be read from.
const (
	KindSecret    = "Secret"
	KindConfigMap = "ConfigMap"
)

// Source says where a CA bundle comes from. A nil or zero Source means the root CAs
// of the host (the container image) are trusted.
type Source struct {
	// Data is a base64 encoding of PEM certificates, given inline.
	Data string
	// Ref names a key of a Secret or ConfigMap that holds PEM certificates.
	Ref *Ref
}

// Ref names a key of a Secret or ConfigMap in the server's namespace.
type Ref struct {
	// Kind is KindSecret or KindConfigMap.
	Kind string
	// Name is the object's name.
	Name string
	// Key is the key within the object's data.
	Key string
}

// Bundle is a resolved CA source.
type Bundle struct {
	// PEM is the certificate bundle; nil when the host's roots are used.
	PEM []byte
	// Pool holds the certificates of PEM; nil when the host's roots are used, which is
	// what crypto/tls does with a nil RootCAs.
	Pool *x509.CertPool
	// Hash identifies the bundle, so a change can be noticed without comparing bytes;
	// it is empty when the host's roots are used.
	Hash string
}

// Resolver reads the objects a Source refers to from informer caches of one namespace.
type Resolver struct {
	namespace  string
	secrets    corev1listers.SecretLister
	configMaps corev1listers.ConfigMapLister
}

// NewResolver returns a Resolver that reads Secrets and ConfigMaps of a namespace only.
func NewResolver(namespace string, secrets corev1listers.SecretLister,
	configMaps corev1listers.ConfigMapLister) *Resolver {
	return &Resolver{namespace: namespace, secrets: secrets, configMaps: configMaps}
}

// Resolve reads a Source and returns the bundle with a TLSConfigurationValid condition.
// fieldPath names the spec field in messages, e.g. "spec.tls". On failure the bundle is
// nil and the condition is False with reason InvalidTLSConfig; the caller should not
// fall back to the host's roots then.
func (r *Resolver) Resolve(fieldPath string, src *Source) (*Bundle, metav1.Condition) {
	if src == nil || (src.Data == "" && src.Ref == nil) {
		return &Bundle{}, conditions.True(ConditionTLSConfigurationValid, fieldPath+
			" is valid: no TLS configuration provided: using default root CA bundle from container image")
	}
	bundle, err := r.resolve(fieldPath, src)
	if err != nil {
		return nil, conditions.False(ConditionTLSConfigurationValid, ReasonInvalidTLSConfig, err.Error())
	}
	return bundle, conditions.True(ConditionTLSConfigurationValid, fieldPath+" is valid: using configured CA bundle")
}

// resolve reads and parses a non-empty Source. Its errors name the field and say what
// is wrong, fit for a condition message.
func (r *Resolver) resolve(fieldPath string, src *Source) (*Bundle, error) {
	var data []byte
	var err error
	switch {
	case src.Data != "" && src.Ref != nil:
		return nil, fmt.Errorf("%s is invalid: only one of certificateAuthorityData and "+
			"certificateAuthorityDataSource may be set", fieldPath)
	case src.Data != "":
		fieldPath += ".certificateAuthorityData"
		if data, err = base64.StdEncoding.DecodeString(src.Data); err != nil {
			err = fmt.Errorf("not valid base64: %w", err)
		}
	default:
		fieldPath += ".certificateAuthorityDataSource"
		data, err = r.readRef(src.Ref)
	}
	var pool *x509.CertPool
	if err == nil {
		pool, err = parse(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is invalid: %w", fieldPath, err)
	}
	sum := sha256.Sum256(data)
	return &Bundle{PEM: data, Pool: pool, Hash: hex.EncodeToString(sum[:])}, nil
}

// readRef returns the value of the key a Ref names.
func (r *Resolver) readRef(ref *Ref) ([]byte, error) {
	switch ref.Kind {
	case KindSecret:
		secret, err := r.secrets.Secrets(r.namespace).Get(ref.Name)
		if err != nil {
			return nil, fmt.Errorf("could not get Secret %q in namespace %q: %w", ref.Name, r.namespace, err)
		}
		if secret.Type != corev1.SecretTypeTLS && secret.Type != corev1.SecretTypeOpaque {
			return nil, fmt.Errorf("Secret %q has type %q: only %q and %q are allowed",
				ref.Name, secret.Type, corev1.SecretTypeTLS, corev1.SecretTypeOpaque)
		}
		value, ok := secret.Data[ref.Key]
		if !ok {
			return nil, fmt.Errorf("Secret %q has no key %q", ref.Name, ref.Key)
		}
		return value, nil
	case KindConfigMap:
		configMap, err := r.configMaps.ConfigMaps(r.namespace).Get(ref.Name)
		if err != nil {
			return nil, fmt.Errorf("could not get ConfigMap %q in namespace %q: %w", ref.Name, r.namespace, err)
		}
		if value, ok := configMap.Data[ref.Key]; ok {
			return []byte(value), nil
		}
		if value, ok := configMap.BinaryData[ref.Key]; ok {
			return value, nil
		}
		return nil, fmt.Errorf("ConfigMap %q has no key %q", ref.Name, ref.Key)
	default:
		return nil, fmt.Errorf("kind %q is not supported: use %q or %q", ref.Kind, KindSecret, KindConfigMap)
	}
}

// errNoCertificates means a bundle holds no PEM certificate at all.
var errNoCertificates = errors.New("no PEM certificates found")

// parse builds a pool from PEM text. Every block must be a parseable certificate:
// a bundle that silently drops a garbled entry would fail later, far from the cause.
func parse(bundlePEM []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	rest := bundlePEM
	count := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, not a CERTIFICATE", count+1, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d is not a valid certificate: %w", count+1, err)
		}
		pool.AddCert(cert)
		count++
	}
	if count == 0 {
		return nil, errNoCertificates
	}
	return pool, nil
}
