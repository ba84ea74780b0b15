// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

const (
	pkiLifetime = 24 * time.Hour
	// frontProxyClientName is the CN kube-apiserver presents to aggregated API
	// servers, and the only name they accept request headers from.
	frontProxyClientName = "front-proxy-client"
	adminUser            = "pinniped-test-admin"
)

// pki is every credential one harness needs, written as files under dir/pki.
type pki struct {
	clusterCA     *certauthority.CA
	clusterCACert string
	clusterCAKey  string

	frontProxyCACert string
	proxyClientCert  string
	proxyClientKey   string

	servingCert string
	servingKey  string

	serviceAccountKey string

	admin *certauthority.PEMPair
}

func newPKI(dir string) (*pki, error) {
	pkiDir := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pkiDir, 0o700); err != nil {
		return nil, fmt.Errorf("could not create PKI directory: %w", err)
	}
	path := func(name string) string { return filepath.Join(pkiDir, name) }
	p := &pki{
		clusterCACert:     path("ca.crt"),
		clusterCAKey:      path("ca.key"),
		frontProxyCACert:  path("front-proxy-ca.crt"),
		proxyClientCert:   path("front-proxy-client.crt"),
		proxyClientKey:    path("front-proxy-client.key"),
		servingCert:       path("apiserver.crt"),
		servingKey:        path("apiserver.key"),
		serviceAccountKey: path("sa.key"),
	}

	var err error
	if p.clusterCA, err = certauthority.New("pinniped-harness-cluster-ca", pkiLifetime); err != nil {
		return nil, err
	}
	// The front proxy has its own CA, as on a kubeadm cluster, so that a client
	// certificate from the cluster CA cannot pose as the aggregator.
	frontProxyCA, err := certauthority.New("pinniped-harness-front-proxy-ca", pkiLifetime)
	if err != nil {
		return nil, err
	}
	proxyClient, err := frontProxyCA.IssueClientCert(frontProxyClientName, nil, pkiLifetime)
	if err != nil {
		return nil, err
	}
	serving, err := p.clusterCA.IssueServerCert(
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		[]net.IP{net.IPv4(127, 0, 0, 1)}, pkiLifetime)
	if err != nil {
		return nil, err
	}
	if p.admin, err = p.clusterCA.IssueClientCert(adminUser, []string{"system:masters"}, pkiLifetime); err != nil {
		return nil, err
	}
	saKey, err := newServiceAccountKey()
	if err != nil {
		return nil, err
	}

	files := map[string][]byte{
		p.clusterCACert:     p.clusterCA.Bundle(),
		p.clusterCAKey:      p.clusterCA.PrivateKeyPEM(),
		p.frontProxyCACert:  frontProxyCA.Bundle(),
		p.proxyClientCert:   proxyClient.CertPEM,
		p.proxyClientKey:    proxyClient.KeyPEM,
		p.servingCert:       serving.CertPEM,
		p.servingKey:        serving.KeyPEM,
		p.serviceAccountKey: saKey,
	}
	for name, content := range files {
		if err := os.WriteFile(name, content, 0o600); err != nil {
			return nil, fmt.Errorf("could not write %s: %w", name, err)
		}
	}
	return p, nil
}

func newServiceAccountKey() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("could not generate service account key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("could not encode service account key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}
