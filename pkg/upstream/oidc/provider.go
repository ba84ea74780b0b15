// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidc is the Supervisor's client of an upstream OpenID Connect issuer: it
// discovers the issuer, builds authorization requests (PKCE S256 and a nonce, always),
// redeems codes, runs the password grant and refreshes, validates the ID tokens it gets
// back, merges userinfo, and maps the claims to a username, groups and additional
// claims as an OIDCIdentityProvider's spec says.
package oidc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	coreosoidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// HTTPTimeout bounds every request to an upstream issuer.
const HTTPTimeout = time.Minute

// maxDiscoveryBytes bounds the discovery document read, so a misbehaving issuer cannot
// make the Supervisor buffer without limit.
const maxDiscoveryBytes = 1 << 20

// DefaultScopes are requested when an OIDCIdentityProvider lists no additional scopes.
var DefaultScopes = []string{"openid", "offline_access", "email", "profile"}

// Config is everything the client needs to know about one upstream issuer, already
// resolved from an OIDCIdentityProvider, its client Secret and its CA bundle.
type Config struct {
	// Name is the OIDCIdentityProvider's name, for logs and sessions.
	Name string
	// ResourceUID is the OIDCIdentityProvider's UID, so that sessions can tell a
	// re-created provider of the same name from the one they started with.
	ResourceUID string
	// Issuer is the upstream issuer URL.
	Issuer string
	// ClientID and ClientSecret are the Supervisor's credentials at the issuer.
	ClientID, ClientSecret string
	// Scopes are requested in every authorization and password grant; see Scopes.
	Scopes []string
	// AdditionalAuthorizeParameters are added to every authorization URL. Their names
	// must not be ones the client sets itself; the controller checks that.
	AdditionalAuthorizeParameters []Parameter
	// AllowPasswordGrant enables PasswordGrant.
	AllowPasswordGrant bool
	// Claims says how ID token claims become an identity.
	Claims ClaimsConfig
	// RootCAs verifies the issuer's certificate; nil means the host's roots.
	RootCAs *x509.CertPool
}

// Parameter is one additional query parameter of an authorization request.
type Parameter struct {
	Name, Value string
}

// Scopes returns the scopes to request for a spec's additionalScopes: DefaultScopes
// when none are given, else the given ones with openid added first when missing,
// because without openid the issuer would return no ID token.
func Scopes(additional []string) []string {
	if len(additional) == 0 {
		return slices.Clone(DefaultScopes)
	}
	if slices.Contains(additional, coreosoidc.ScopeOpenID) {
		return slices.Clone(additional)
	}
	return append([]string{coreosoidc.ScopeOpenID}, additional...)
}

// Provider is a discovered upstream issuer. It is safe for concurrent use and cheap
// to keep: the controller caches it and the Supervisor's endpoints share it.
type Provider struct {
	config     Config
	httpClient *http.Client
	provider   *coreosoidc.Provider
	oauth2     oauth2.Config
	verifier   *coreosoidc.IDTokenVerifier
	// revocationURL is the issuer's revocation endpoint, empty when it has none.
	revocationURL string
}

// NewHTTPClient returns the client used for every request to an issuer: TLS 1.2 or
// later verified against rootCAs (nil means the host's roots), and HTTPTimeout.
func NewHTTPClient(rootCAs *x509.CertPool) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: rootCAs, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: transport, Timeout: HTTPTimeout}
}

// Discover reads the issuer's discovery document and returns a ready Provider. Its
// errors wrap ErrUnreachable when the document could not be fetched and
// ErrInvalidResponse when it could not be used.
func Discover(ctx context.Context, config Config) (*Provider, error) {
	doc, err := FetchDiscovery(ctx, config.Issuer, config.RootCAs)
	if err != nil {
		return nil, err
	}
	return New(config, doc), nil
}

// New returns a Provider for a discovery document fetched earlier for the same issuer
// and CA bundle. It makes no request: a caller that caches documents can rebuild
// providers cheaply when only the client credentials or claim mappings change.
func New(config Config, doc *Discovery) *Provider {
	httpClient := NewHTTPClient(config.RootCAs)
	// The provider keeps the client of this context for fetching keys and userinfo long
	// after New returns, so the context is a background one.
	clientCtx := coreosoidc.ClientContext(context.Background(), httpClient)
	provider := doc.config.NewProvider(clientCtx)
	return &Provider{
		config:     config,
		httpClient: httpClient,
		provider:   provider,
		oauth2: oauth2.Config{
			ClientID:     config.ClientID,
			ClientSecret: config.ClientSecret,
			Endpoint:     provider.Endpoint(),
			Scopes:       config.Scopes,
		},
		verifier:      provider.VerifierContext(clientCtx, &coreosoidc.Config{ClientID: config.ClientID}),
		revocationURL: doc.revocationURL,
	}
}

// Config returns the configuration the provider was discovered with.
func (p *Provider) Config() Config { return p.config }

// HasUserInfo reports whether the issuer has a userinfo endpoint.
func (p *Provider) HasUserInfo() bool { return p.provider.UserInfoEndpoint() != "" }

// Discovery is an issuer's validated discovery document.
type Discovery struct {
	config coreosoidc.ProviderConfig
	// revocationURL is the RFC 7009 revocation_endpoint; empty when there is none.
	revocationURL string
}

// FetchDiscovery gets <issuer>/.well-known/openid-configuration with a client that
// trusts rootCAs (nil: the host's roots) and validates it. Its errors wrap
// ErrUnreachable when the document could not be fetched and ErrInvalidResponse when it
// could not be used.
func FetchDiscovery(ctx context.Context, issuer string, rootCAs *x509.CertPool) (*Discovery, error) {
	client := NewHTTPClient(rootCAs)
	defer client.CloseIdleConnections()
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: could not build a request for %q: %w", ErrUnreachable, wellKnown, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: could not get %q: %w", ErrUnreachable, wellKnown, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: could not read %q: %w", ErrUnreachable, wellKnown, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %q returned %s", ErrUnreachable, wellKnown, resp.Status)
	}
	var doc Discovery
	if err := json.Unmarshal(body, &doc.config); err != nil {
		return nil, fmt.Errorf("%w: %q is not a JSON discovery document: %w", ErrInvalidResponse, wellKnown, err)
	}
	var extra struct {
		RevocationEndpoint string `json:"revocation_endpoint"`
	}
	if err := json.Unmarshal(body, &extra); err == nil && requireHTTPS(extra.RevocationEndpoint) == nil {
		doc.revocationURL = extra.RevocationEndpoint
	}
	if err := doc.validate(issuer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidResponse, err)
	}
	return &doc, nil
}

// validate checks what the flows rely on: the issuer is the one configured (OpenID
// Connect Discovery section 4.3), and the endpoints the Supervisor sends users and
// secrets to are https URLs.
func (d *Discovery) validate(issuer string) error {
	c := d.config
	if c.IssuerURL != issuer {
		return fmt.Errorf("the discovery document names issuer %q instead of %q", c.IssuerURL, issuer)
	}
	endpoints := []struct{ name, value string }{
		{"authorization_endpoint", c.AuthURL},
		{"token_endpoint", c.TokenURL},
		{"jwks_uri", c.JWKSURL},
	}
	for _, e := range endpoints {
		if err := requireHTTPS(e.value); err != nil {
			return fmt.Errorf("the discovery document's %s is invalid: %w", e.name, err)
		}
	}
	if c.UserInfoURL != "" {
		if err := requireHTTPS(c.UserInfoURL); err != nil {
			return fmt.Errorf("the discovery document's userinfo_endpoint is invalid: %w", err)
		}
	}
	return nil
}

func requireHTTPS(raw string) error {
	if raw == "" {
		return errors.New("it is missing")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an https URL", raw)
	}
	return nil
}
