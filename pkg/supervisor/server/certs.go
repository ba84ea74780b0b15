// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

const (
	// bootstrapCAName is the common name of the CA of the in-memory bootstrap cert.
	bootstrapCAName = "pinniped-supervisor-bootstrap-ca"
	// bootstrapLifetime is long because the bootstrap cert lives only as long as the
	// process, and nothing should ever trust it.
	bootstrapLifetime = 10 * 365 * 24 * time.Hour
	// bootstrapMessage answers every request but /healthz on a bootstrap connection.
	bootstrapMessage = "pinniped supervisor has invalid TLS serving certificate configuration"
	healthzPath      = "/healthz"
)

// certStore picks the serving certificate of each TLS connection: the TLS Secret of the
// FederationDomain whose issuer host matches the SNI, else the default TLS Secret, else
// the bootstrap cert. Secrets come from an informer's lister; each is parsed once per
// resource version.
type certStore struct {
	secrets       corelisters.SecretLister
	namespace     string
	defaultSecret string
	bootstrap     *tls.Certificate
	// hosts maps a lower-case issuer host name to its TLS Secret name; it is replaced
	// as a whole when the FederationDomains change.
	hosts atomic.Pointer[map[string]string]

	mu     sync.Mutex
	parsed map[string]parsedCert
}

type parsedCert struct {
	resourceVersion string
	cert            *tls.Certificate
}

func newCertStore(secrets corelisters.SecretLister, namespace, defaultSecret string) (*certStore, error) {
	ca, err := certauthority.New(bootstrapCAName, bootstrapLifetime)
	if err != nil {
		return nil, fmt.Errorf("could not create bootstrap CA: %w", err)
	}
	pair, err := ca.IssueServerCert([]string{"pinniped-supervisor-bootstrap"}, nil, bootstrapLifetime)
	if err != nil {
		return nil, fmt.Errorf("could not issue bootstrap certificate: %w", err)
	}
	bootstrap, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("could not load bootstrap certificate: %w", err)
	}
	s := &certStore{
		secrets: secrets, namespace: namespace, defaultSecret: defaultSecret,
		bootstrap: &bootstrap, parsed: map[string]parsedCert{},
	}
	s.hosts.Store(&map[string]string{})
	return s, nil
}

// SetFederationDomains records the TLS Secret of each issuer host. IP hosts are left
// out: clients send no SNI for them, so they always get the default certificate.
func (s *certStore) SetFederationDomains(fds ...endpoints.FederationDomain) {
	hosts := map[string]string{}
	for _, fd := range fds {
		u, err := url.Parse(fd.Issuer)
		if err != nil || fd.TLSSecretName == "" || net.ParseIP(u.Hostname()) != nil {
			continue
		}
		hosts[strings.ToLower(u.Hostname())] = fd.TLSSecretName
	}
	s.hosts.Store(&hosts)
}

// GetCertificate is the tls.Config hook that picks the certificate of a connection.
func (s *certStore) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, source := s.lookup(hello.ServerName)
	klog.V(4).InfoS("chose serving certificate", "serverName", hello.ServerName, "source", source)
	return cert, nil
}

// lookup returns the certificate for a server name and says where it came from.
func (s *certStore) lookup(serverName string) (*tls.Certificate, string) {
	if name, ok := (*s.hosts.Load())[strings.ToLower(serverName)]; ok {
		if cert := s.load(name); cert != nil {
			return cert, "secret/" + name
		}
	}
	if cert := s.load(s.defaultSecret); cert != nil {
		return cert, "secret/" + s.defaultSecret
	}
	return s.bootstrap, "bootstrap"
}

// load returns the certificate of a kubernetes.io/tls Secret, or nil when it is missing
// or unusable.
func (s *certStore) load(name string) *tls.Certificate {
	secret, err := s.secrets.Secrets(s.namespace).Get(name)
	if err != nil || secret.Type != corev1.SecretTypeTLS {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.parsed[name]; ok && p.resourceVersion == secret.ResourceVersion {
		return p.cert
	}
	cert, err := tls.X509KeyPair(secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey])
	if err != nil {
		klog.InfoS("ignoring unusable TLS secret", "secret", klog.KObj(secret), "reason", err.Error())
		s.parsed[name] = parsedCert{resourceVersion: secret.ResourceVersion}
		return nil
	}
	s.parsed[name] = parsedCert{resourceVersion: secret.ResourceVersion, cert: &cert}
	return &cert
}

// guard refuses every request but /healthz on a connection that would be served the
// bootstrap cert, because no client should trust what comes over it. The choice is
// made again from the SNI rather than remembered per connection; both read the same
// state, so they agree unless a Secret changed in between.
func (s *certStore) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != healthzPath && r.TLS != nil {
			if _, source := s.lookup(r.TLS.ServerName); source == "bootstrap" {
				http.Error(w, bootstrapMessage, http.StatusInternalServerError)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// healthz answers the health checks of the kubelet.
func healthz() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(healthzPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}
