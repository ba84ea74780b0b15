// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package config reads the Supervisor's configuration file (pinniped.yaml).
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// Config is the Supervisor's configuration file.
type Config struct {
	// APIGroupSuffix renames every Pinniped API group; default pinniped.dev.
	APIGroupSuffix string `json:"apiGroupSuffix,omitempty"`
	// Namespace is where the Supervisor finds its FederationDomains, identity providers
	// and Secrets. Empty means $POD_NAMESPACE, else the pod's namespace (downward API).
	Namespace string `json:"namespace,omitempty"`
	// Names of the objects the Supervisor reads.
	Names Names `json:"names"`
	// Endpoints are where the Supervisor listens.
	Endpoints Endpoints `json:"endpoints,omitempty"`
	// AggregatedAPIServerPort is the HTTPS port of the aggregated API
	// (clientsecret.supervisor); default 10250.
	AggregatedAPIServerPort int `json:"aggregatedAPIServerPort,omitempty"`
	// Log configures logging.
	Log Log `json:"log,omitempty"`
}

// Names are the names of objects in the Supervisor's namespace.
type Names struct {
	// DefaultTLSCertificateSecret is a kubernetes.io/tls Secret served to clients whose
	// SNI matches no FederationDomain with its own TLS Secret.
	DefaultTLSCertificateSecret string `json:"defaultTLSCertificateSecret"`
	// APIService is the name of the Service in front of the aggregated API; the
	// serving certificate is valid for <APIService>.<Namespace>.svc and is kept in
	// the Secret <APIService>-tls-serving-certificate. Default pinniped-supervisor-api.
	APIService string `json:"apiService,omitempty"`
}

// Endpoints are the Supervisor's listeners.
type Endpoints struct {
	// HTTPS is the listener of every FederationDomain and of /healthz.
	HTTPS *Endpoint `json:"https,omitempty"`
}

// Endpoint is one listener.
type Endpoint struct {
	// Network is "tcp", the only network supported so far.
	Network string `json:"network,omitempty"`
	// Address is host:port; an empty host means every interface.
	Address string `json:"address,omitempty"`
}

// Log configures logging.
type Log struct {
	// Level is info (default), debug, trace or all.
	Level string `json:"level,omitempty"`
}

const (
	// NetworkTCP is the only listener network supported.
	NetworkTCP = "tcp"
	// DefaultHTTPSAddress is where the HTTPS listener binds when none is configured.
	DefaultHTTPSAddress = ":8443"
	// DefaultAggregatedAPIServerPort is the aggregated API's port when none is configured.
	DefaultAggregatedAPIServerPort = 10250
	// DefaultAPIService names the aggregated API's Service when none is configured.
	DefaultAPIService = "pinniped-supervisor-api"

	// The aggregated API's serving certificate lives one year and is replaced after
	// nine months, as upstream does; unlike the Concierge, this is not configurable.
	servingCertDuration = 365 * 24 * time.Hour
	servingCertRenewAge = 270 * 24 * time.Hour
)

// ServingCertificateSecret names the Secret of the aggregated API's CA and
// serving certificate.
func (c *Config) ServingCertificateSecret() string {
	return c.Names.APIService + "-tls-serving-certificate"
}

// ServingCertDuration is the lifetime of the aggregated API's serving certificate.
func (c *Config) ServingCertDuration() time.Duration { return servingCertDuration }

// ServingCertRenewBefore is the age at which the serving certificate is replaced.
func (c *Config) ServingCertRenewBefore() time.Duration { return servingCertRenewAge }

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

func (c *Config) setDefaults() {
	if c.APIGroupSuffix == "" {
		c.APIGroupSuffix = groupsuffix.Default
	}
	if c.Endpoints.HTTPS == nil {
		c.Endpoints.HTTPS = &Endpoint{}
	}
	if c.Endpoints.HTTPS.Network == "" {
		c.Endpoints.HTTPS.Network = NetworkTCP
	}
	if c.Endpoints.HTTPS.Address == "" {
		c.Endpoints.HTTPS.Address = DefaultHTTPSAddress
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.AggregatedAPIServerPort == 0 {
		c.AggregatedAPIServerPort = DefaultAggregatedAPIServerPort
	}
	if c.Names.APIService == "" {
		c.Names.APIService = DefaultAPIService
	}
}

func (c *Config) validate() error {
	var errs []error
	if err := groupsuffix.Validate(c.APIGroupSuffix); err != nil {
		errs = append(errs, err)
	}
	if c.Names.DefaultTLSCertificateSecret == "" {
		errs = append(errs, errors.New("names.defaultTLSCertificateSecret is required"))
	}
	https := c.Endpoints.HTTPS
	if https.Network != NetworkTCP {
		errs = append(errs, fmt.Errorf("endpoints.https.network must be tcp, not %q", https.Network))
	}
	if _, _, err := net.SplitHostPort(https.Address); err != nil {
		errs = append(errs, fmt.Errorf("endpoints.https.address must be host:port: %w", err))
	}
	if c.AggregatedAPIServerPort < 1024 || c.AggregatedAPIServerPort > 65535 {
		errs = append(errs, fmt.Errorf("aggregatedAPIServerPort must be within 1024-65535, not %d",
			c.AggregatedAPIServerPort))
	}
	switch c.Log.Level {
	case "info", "debug", "trace", "all":
	default:
		errs = append(errs, fmt.Errorf("log.level must be info, debug, trace or all, not %q", c.Log.Level))
	}
	return errors.Join(errs...)
}
