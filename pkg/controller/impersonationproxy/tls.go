// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonationproxy

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
)

// The CA the controller makes for the serving certificate, and the certificate,
// live about a hundred years: clients pin the CA from the kubeconfig.
const (
	servingCAName = "Pinniped Impersonation Proxy Serving CA"
	longLived     = 100 * 365 * 24 * time.Hour
	caCertKey     = "ca.crt"
	caKeyKey      = "ca.key"
)

// servingKey is what a serving certificate was issued for.
type servingKey struct {
	host  string
	caPEM string
}

// servingPair is an issued serving certificate with the CA clients should trust.
type servingPair struct {
	cert, key, caPEM []byte
}

// servingCert returns the proxy's serving certificate for endpoint and the CA
// bundle clients need: from spec.tls's Secret when named, else issued by a CA of
// the controller's own, kept in a Secret so that every replica serves the same.
func (c *Controller) servingCert(ctx context.Context, spec *configv1alpha1.ImpersonationProxySpec, endpoint string,
) (*servingPair, error) {
	if spec.TLS != nil && spec.TLS.SecretName != "" {
		return c.configuredCert(spec.TLS)
	}
	ca, err := c.servingCA(ctx)
	if err != nil {
		return nil, err
	}
	host := endpointHost(endpoint)
	key := servingKey{host: host, caPEM: string(ca.Bundle())}
	if c.issued != nil && c.issuedTo == key {
		return c.issued, nil
	}
	var dnsNames []string
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		dnsNames = []string{host}
	}
	pair, err := ca.IssueServerCert(dnsNames, ips, longLived)
	if err != nil {
		return nil, fmt.Errorf("could not issue the proxy's serving certificate: %w", err)
	}
	c.issued = &servingPair{cert: pair.CertPEM, key: pair.KeyPEM, caPEM: ca.Bundle()}
	c.issuedTo = key
	klog.InfoS("issued impersonation proxy serving certificate", "host", host)
	return c.issued, nil
}

// configuredCert reads the Secret the administrator named.
func (c *Controller) configuredCert(tls *configv1alpha1.ImpersonationProxyTLSSpec) (*servingPair, error) {
	secret, err := c.secrets.Secrets(c.opts.Namespace).Get(tls.SecretName)
	if err != nil {
		return nil, fmt.Errorf("could not get secret %q: %w", c.opts.Namespace+"/"+tls.SecretName, err)
	}
	pair := &servingPair{cert: secret.Data[corev1.TLSCertKey], key: secret.Data[corev1.TLSPrivateKeyKey]}
	if len(pair.cert) == 0 || len(pair.key) == 0 {
		return nil, fmt.Errorf("secret %q has no tls.crt or tls.key", c.opts.Namespace+"/"+tls.SecretName)
	}
	pair.caPEM = secret.Data[caCertKey]
	if tls.CertificateAuthorityData != "" {
		pair.caPEM, err = base64.StdEncoding.DecodeString(tls.CertificateAuthorityData)
		if err != nil {
			return nil, fmt.Errorf("spec.impersonationProxy.tls.certificateAuthorityData is not base64: %w", err)
		}
	}
	return pair, nil
}

// servingCA loads the controller's CA, creating its Secret when missing. When
// another replica was quicker, its CA is read back.
func (c *Controller) servingCA(ctx context.Context) (*certauthority.CA, error) {
	name := c.opts.Namespace + "/" + c.opts.CASecretName
	secret, err := c.secrets.Secrets(c.opts.Namespace).Get(c.opts.CASecretName)
	if apierrors.IsNotFound(err) {
		secret, err = c.createCA(ctx)
	}
	if err != nil {
		return nil, err
	}
	ca, err := certauthority.Load(secret.Data[caCertKey], secret.Data[caKeyKey])
	if err != nil {
		return nil, fmt.Errorf("could not load the CA in secret %q: %w", name, err)
	}
	return ca, nil
}

func (c *Controller) createCA(ctx context.Context) (*corev1.Secret, error) {
	ca, err := certauthority.New(servingCAName, longLived)
	if err != nil {
		return nil, err
	}
	secrets := c.kube.CoreV1().Secrets(c.opts.Namespace)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.opts.Namespace, Name: c.opts.CASecretName},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{caCertKey: ca.Bundle(), caKeyKey: ca.PrivateKeyPEM()},
	}
	created, err := secrets.Create(ctx, secret, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = secrets.Get(ctx, c.opts.CASecretName, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("could not create secret %q: %w", c.opts.Namespace+"/"+c.opts.CASecretName, err)
	}
	klog.InfoS("created impersonation proxy serving CA", "secret", klog.KObj(created))
	return created, nil
}

// endpointHost is the host of host[:port].
func endpointHost(endpoint string) string {
	if host, _, err := net.SplitHostPort(endpoint); err == nil {
		return host
	}
	return endpoint
}
