// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package config reads the Concierge's configuration file (pinniped.yaml).
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// Config is the Concierge's configuration file.
type Config struct {
	// APIGroupSuffix renames every Pinniped API group; default pinniped.dev.
	APIGroupSuffix string `json:"apiGroupSuffix,omitempty"`
	// Namespace is where the Concierge keeps its Secrets and reads its CA sources.
	// Empty means the namespace of the pod (downward API) or $POD_NAMESPACE.
	Namespace string `json:"namespace,omitempty"`
	// AggregatedAPIServerPort is the HTTPS port of the aggregated API; default 10250.
	AggregatedAPIServerPort int `json:"aggregatedAPIServerPort,omitempty"`
	// ImpersonationProxyServerPort is the HTTPS port of the impersonation proxy;
	// default 8444.
	ImpersonationProxyServerPort int `json:"impersonationProxyServerPort,omitempty"`
	// Names of the objects the Concierge owns.
	Names Names `json:"names"`
	// API configures the serving certificate of the aggregated API.
	API API `json:"api,omitempty"`
	// SigningKey says where the cluster's CA that signs client certificates comes
	// from. Without one (a managed cluster hides its key), certificates are signed
	// by the impersonation proxy's own signer CA and are only good at the proxy.
	SigningKey SigningKey `json:"signingKey,omitempty"`
	// Frontend, when set, is what the CredentialIssuer advertises to clients instead
	// of the server and CA found in kube-public/cluster-info.
	Frontend *Frontend `json:"frontend,omitempty"`
	// LogLevel is info (default), debug, trace or all.
	LogLevel string `json:"logLevel,omitempty"`
}

// Names are the names of objects the Concierge creates or updates.
type Names struct {
	// ServingCertificateSecret holds the aggregated API's CA and serving certificate.
	ServingCertificateSecret string `json:"servingCertificateSecret"`
	// CredentialIssuer is the cluster-scoped CredentialIssuer whose status the
	// Concierge keeps.
	CredentialIssuer string `json:"credentialIssuer"`
	// APIService is the name of the Service in front of the aggregated API; the
	// serving certificate is valid for <APIService>.<Namespace>.svc.
	APIService string `json:"apiService"`
	// ImpersonationSignerSecret holds the impersonation proxy's client-certificate
	// signer CA, which the Concierge makes itself.
	ImpersonationSignerSecret string `json:"impersonationSignerSecret,omitempty"`
	// ImpersonationCASecret holds the CA that signs the impersonation proxy's
	// serving certificate when spec.impersonationProxy.tls names none.
	ImpersonationCASecret string `json:"impersonationCASecret,omitempty"`
	// ImpersonationServiceAccount is the account the proxy calls kube-apiserver as;
	// it may only impersonate.
	ImpersonationServiceAccount string `json:"impersonationServiceAccount,omitempty"`
}

// HasClusterSigningKey reports whether a source of the cluster's signing key is
// configured.
func (k SigningKey) HasClusterSigningKey() bool { return k.CertFile != "" || k.SecretName != "" }

// API configures the aggregated API's serving certificate.
type API struct {
	ServingCertificate ServingCertificate `json:"servingCertificate,omitempty"`
}

// ServingCertificate sets the lifetime of the aggregated API's serving certificate.
type ServingCertificate struct {
	// DurationSeconds is the lifetime of a new certificate; default one year.
	DurationSeconds int64 `json:"durationSeconds,omitempty"`
	// RenewBeforeSeconds is the age at which it is replaced; default about 9 months.
	RenewBeforeSeconds int64 `json:"renewBeforeSeconds,omitempty"`
}

// SigningKey names the source of the client-certificate signing CA: files, or a
// Secret (keys tls.crt and tls.key) in the Concierge's namespace.
type SigningKey struct {
	CertFile   string `json:"certFile,omitempty"`
	KeyFile    string `json:"keyFile,omitempty"`
	SecretName string `json:"secretName,omitempty"`
}

// Frontend is how clients reach the cluster to use an issued certificate.
type Frontend struct {
	// Server is the cluster's API server URL.
	Server string `json:"server"`
	// CertificateAuthorityData is the base64 PEM CA bundle of that server.
	CertificateAuthorityData string `json:"certificateAuthorityData"`
}

const (
	defaultPort               = 10250
	defaultProxyPort          = 8444
	defaultServingDuration    = 365 * 24 * time.Hour
	defaultServingRenewBefore = 270 * 24 * time.Hour
)

// FromPath reads, defaults and validates a configuration file.
func FromPath(path string) (*Config, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not read config file: %w", err)
	}
	return Parse(content)
}

// Parse defaults and validates configuration YAML. Unknown fields are refused,
// so a typo is an error instead of a silently ignored setting.
func Parse(content []byte) (*Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(content, &c); err != nil {
		return nil, fmt.Errorf("could not parse config file: %w", err)
	}
	c.setDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("invalid config file: %w", err)
	}
	return &c, nil
}

// ServingCertDuration is the serving certificate lifetime.
func (c *Config) ServingCertDuration() time.Duration {
	return time.Duration(c.API.ServingCertificate.DurationSeconds) * time.Second
}

// ServingCertRenewBefore is the age at which the serving certificate is replaced.
func (c *Config) ServingCertRenewBefore() time.Duration {
	return time.Duration(c.API.ServingCertificate.RenewBeforeSeconds) * time.Second
}

func (c *Config) setDefaults() {
	if c.APIGroupSuffix == "" {
		c.APIGroupSuffix = groupsuffix.Default
	}
	if c.AggregatedAPIServerPort == 0 {
		c.AggregatedAPIServerPort = defaultPort
	}
	if c.ImpersonationProxyServerPort == 0 {
		c.ImpersonationProxyServerPort = defaultProxyPort
	}
	for _, name := range []struct {
		field *string
		value string
	}{
		{&c.Names.ImpersonationSignerSecret, "pinniped-concierge-impersonation-proxy-signer-ca-certificate"},
		{&c.Names.ImpersonationCASecret, "pinniped-concierge-impersonation-proxy-ca-certificate"},
		{&c.Names.ImpersonationServiceAccount, "pinniped-concierge-impersonation-proxy"},
	} {
		if *name.field == "" {
			*name.field = name.value
		}
	}
	if c.API.ServingCertificate.DurationSeconds == 0 {
		c.API.ServingCertificate.DurationSeconds = int64(defaultServingDuration / time.Second)
	}
	if c.API.ServingCertificate.RenewBeforeSeconds == 0 {
		c.API.ServingCertificate.RenewBeforeSeconds = int64(defaultServingRenewBefore / time.Second)
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
}

func (c *Config) validate() error {
	var errs []error
	if err := groupsuffix.Validate(c.APIGroupSuffix); err != nil {
		errs = append(errs, err)
	}
	if c.AggregatedAPIServerPort < 1024 || c.AggregatedAPIServerPort > 65535 {
		errs = append(errs, fmt.Errorf("aggregatedAPIServerPort must be within 1024-65535, not %d",
			c.AggregatedAPIServerPort))
	}
	if c.ImpersonationProxyServerPort < 1024 || c.ImpersonationProxyServerPort > 65535 {
		errs = append(errs, fmt.Errorf("impersonationProxyServerPort must be within 1024-65535, not %d",
			c.ImpersonationProxyServerPort))
	}
	for _, name := range []struct{ field, value string }{
		{"names.servingCertificateSecret", c.Names.ServingCertificateSecret},
		{"names.credentialIssuer", c.Names.CredentialIssuer},
		{"names.apiService", c.Names.APIService},
	} {
		if name.value == "" {
			errs = append(errs, fmt.Errorf("%s is required", name.field))
		}
	}
	serving := c.API.ServingCertificate
	if serving.RenewBeforeSeconds <= 0 || serving.RenewBeforeSeconds > serving.DurationSeconds {
		errs = append(errs, errors.New("api.servingCertificate.renewBeforeSeconds must be positive "+
			"and at most api.servingCertificate.durationSeconds"))
	}
	key := c.SigningKey
	switch {
	case key.SecretName != "" && (key.CertFile != "" || key.KeyFile != ""):
		errs = append(errs, errors.New("signingKey takes either secretName or certFile and keyFile, not both"))
	case (key.CertFile == "") != (key.KeyFile == ""):
		errs = append(errs, errors.New("signingKey.certFile and signingKey.keyFile must be given together"))
	}
	if c.Frontend != nil && !strings.HasPrefix(c.Frontend.Server, "https://") {
		errs = append(errs, errors.New("frontend.server must be an https URL"))
	}
	switch c.LogLevel {
	case "info", "debug", "trace", "all":
	default:
		errs = append(errs, fmt.Errorf("logLevel must be info, debug, trace or all, not %q", c.LogLevel))
	}
	return errors.Join(errs...)
}
