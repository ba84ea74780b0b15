// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package endpoints

import (
	"encoding/json"
	"net/http"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// discoveryDocument is the OIDC discovery document of a FederationDomain, with
// Pinniped's extension that points at the identity provider discovery endpoint.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	idpdiscoveryv1alpha1.OIDCDiscoveryResponse
}

// newDiscoveryHandler serves the discovery document of an issuer. The document never
// changes while the issuer is served, so it is encoded once.
func newDiscoveryHandler(issuer string) http.Handler {
	doc := discoveryDocument{
		Issuer:                            issuer,
		AuthorizationEndpoint:             issuer + AuthorizationPath,
		TokenEndpoint:                     issuer + TokenPath,
		JWKSURI:                           issuer + JWKSPath,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query", "form_post"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"ES256"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		ScopesSupported: []string{
			"openid", "offline_access", "pinniped:request-audience", "username", "groups",
		},
		ClaimsSupported:               []string{"username", "groups", "additionalClaims"},
		CodeChallengeMethodsSupported: []string{"S256"},
		OIDCDiscoveryResponse: idpdiscoveryv1alpha1.OIDCDiscoveryResponse{
			SupervisorDiscovery: idpdiscoveryv1alpha1.OIDCDiscoveryResponseIDPEndpoint{
				IdentityProvidersEndpoint: issuer + IdentityProvidersPath,
			},
		},
	}
	body, _ := json.Marshal(doc) // cannot fail: only strings and string slices
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, body) })
}

// jwksHandler serves the public key set of the FederationDomain's JWKS Secret.
type jwksHandler struct {
	source     JWKSSource
	secretName string
}

func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	body, ok := h.source.PublicJWKS(h.secretName)
	if !ok {
		http.Error(w, "JWKS not found for requested issuer", http.StatusNotFound)
		return
	}
	writeJSON(w, body)
}
