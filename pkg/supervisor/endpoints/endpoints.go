// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package endpoints serves the HTTP endpoints of every FederationDomain on one
// listener, routing each request by its host and path to the issuer it belongs to.
package endpoints

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// Paths appended to an issuer.
const (
	DiscoveryPath         = "/.well-known/openid-configuration"
	JWKSPath              = "/jwks.json"
	AuthorizationPath     = "/oauth2/authorize"
	TokenPath             = "/oauth2/token"
	CallbackPath          = "/callback"
	ChooseIDPPath         = "/choose_identity_provider"
	IdentityProvidersPath = idpdiscoveryv1alpha1.IdentityProvidersPath
)

// FederationDomain is what the endpoints need to know about one valid FederationDomain.
type FederationDomain struct {
	// Name is the FederationDomain's name.
	Name string
	// UID is the FederationDomain's UID, which names its symmetric key Secrets.
	UID types.UID
	// Issuer is spec.issuer, already checked to be a valid https URL.
	Issuer string
	// JWKSSecretName names the Secret whose public key set is served at /jwks.json.
	JWKSSecretName string
	// TLSSecretName is spec.tls.secretName, empty when not set.
	TLSSecretName string
	// IdentityProviders are the identity providers the FederationDomain offers.
	IdentityProviders []IdentityProvider
	// Legacy is true when the FederationDomain lists no identity providers and so
	// serves the only one of its namespace, which clients may then leave unnamed.
	Legacy bool
}

// IdentityProvider is one identity provider as a FederationDomain offers it.
type IdentityProvider struct {
	// DisplayName is the name clients choose it by.
	DisplayName string
	// Type is its type.
	Type idpdiscoveryv1alpha1.IDPType
	// ResourceName is the name of the identity provider object.
	ResourceName string
	// AllowPasswordGrant is an OIDC identity provider's allowPasswordGrant.
	AllowPasswordGrant bool
}

// JWKSSource returns the public key set held by a JWKS Secret, or false while that
// Secret is missing or invalid.
type JWKSSource interface {
	PublicJWKS(secretName string) ([]byte, bool)
}

// RouteSource returns more handlers for a FederationDomain, by path below its issuer.
// The Supervisor's OAuth engine serves its endpoints this way.
type RouteSource func(fd FederationDomain) map[string]http.Handler

// Handler routes requests to the endpoints of the FederationDomains it was last
// given. It is safe for concurrent use.
type Handler struct {
	jwks     JWKSSource
	fallback http.Handler
	extra    RouteSource
	// routes maps lower(host)+path to its handler. It is replaced as a whole, so a
	// request sees either the old set of issuers or the new one, never a mixture.
	routes atomic.Pointer[map[string]http.Handler]
}

// New returns a Handler serving no FederationDomain yet. Requests that match no
// issuer go to fallback. extra, when not nil, adds routes to every FederationDomain.
func New(jwks JWKSSource, fallback http.Handler, extra RouteSource) *Handler {
	h := &Handler{jwks: jwks, fallback: fallback, extra: extra}
	h.routes.Store(&map[string]http.Handler{})
	return h
}

// SetFederationDomains replaces the FederationDomains being served. Each must have a
// valid issuer; duplicates are the caller's to refuse, and the last one wins.
func (h *Handler) SetFederationDomains(fds ...FederationDomain) {
	routes := make(map[string]http.Handler, 3*len(fds))
	for _, fd := range fds {
		u, err := url.Parse(fd.Issuer)
		if err != nil {
			klog.ErrorS(err, "could not parse issuer, not serving it", "federationDomain", fd.Name)
			continue
		}
		prefix := routeKey(u.Host, u.Path)
		routes[prefix+DiscoveryPath] = getOnly(newDiscoveryHandler(fd.Issuer))
		routes[prefix+JWKSPath] = getOnly(&jwksHandler{source: h.jwks, secretName: fd.JWKSSecretName})
		routes[prefix+IdentityProvidersPath] = getOnly(newIDPDiscoveryHandler(fd.IdentityProviders))
		if h.extra != nil {
			for path, handler := range h.extra(fd) {
				routes[prefix+path] = handler
			}
		}
	}
	h.routes.Store(&routes)
	klog.InfoS("serving federation domains", "count", len(fds))
}

// ServeHTTP serves a request with the endpoint of its issuer, if any.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if handler, ok := (*h.routes.Load())[routeKey(r.Host, r.URL.Path)]; ok {
		handler.ServeHTTP(w, r)
		return
	}
	h.fallback.ServeHTTP(w, r)
}

// routeKey is the key of a route: the host in lower case, since host names are not
// case sensitive, followed by the path, which is. The https default port is dropped,
// so an issuer without a port matches a client that writes :443 and the reverse.
func routeKey(host, path string) string {
	return strings.TrimSuffix(strings.ToLower(host), ":443") + path
}

// getOnly refuses every method but GET.
func getOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "Method not allowed (try GET)", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// writeJSON writes a prepared JSON body.
func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
