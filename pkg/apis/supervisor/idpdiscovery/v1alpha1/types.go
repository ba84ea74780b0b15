// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package v1alpha1 holds the JSON documents a FederationDomain serves so that clients
// such as the pinniped CLI can find out which identity providers they may log in with
// and how. These are plain HTTP responses, not Kubernetes API objects.
package v1alpha1

// DiscoveryExtensionKey is the key of Pinniped's object inside a FederationDomain's OIDC
// discovery document. It stays the same when the API group suffix is changed.
const DiscoveryExtensionKey = "discovery.supervisor.pinniped.dev/v1alpha1"

// IdentityProvidersPath is appended to a FederationDomain's issuer to make the URL of its
// identity provider discovery endpoint.
const IdentityProvidersPath = "/v1alpha1/pinniped_identity_providers"

// IDPType is the type of an identity provider, as named in discovery documents and in the
// pinniped CLI's --upstream-identity-provider-type flag.
type IDPType string

const (
	// IDPTypeOIDC is an OIDCIdentityProvider.
	IDPTypeOIDC IDPType = "oidc"

	// IDPTypeLDAP is an LDAPIdentityProvider.
	IDPTypeLDAP IDPType = "ldap"

	// IDPTypeActiveDirectory is an ActiveDirectoryIdentityProvider.
	IDPTypeActiveDirectory IDPType = "activedirectory"

	// IDPTypeGitHub is a GitHubIdentityProvider.
	IDPTypeGitHub IDPType = "github"
)

// IDPFlow is a way for the pinniped CLI to log a user in through an identity provider.
type IDPFlow string

const (
	// IDPFlowCLIPassword logs in without a browser: the CLI asks for the username and
	// password and sends them to the Supervisor.
	IDPFlowCLIPassword IDPFlow = "cli_password"

	// IDPFlowBrowserAuthcode logs in through a browser with the authorization code flow.
	IDPFlowBrowserAuthcode IDPFlow = "browser_authcode"
)

// OIDCDiscoveryResponse is the part of a FederationDomain's OIDC discovery document that
// Pinniped adds to the standard fields. Its presence tells a client that the issuer is a
// Pinniped Supervisor.
type OIDCDiscoveryResponse struct {
	// SupervisorDiscovery is Pinniped's object in the discovery document.
	SupervisorDiscovery OIDCDiscoveryResponseIDPEndpoint `json:"discovery.supervisor.pinniped.dev/v1alpha1"`
}

// OIDCDiscoveryResponseIDPEndpoint points at the identity provider discovery endpoint.
type OIDCDiscoveryResponseIDPEndpoint struct {
	// IdentityProvidersEndpoint is the full URL of the identity provider discovery
	// endpoint: the issuer followed by IdentityProvidersPath.
	IdentityProvidersEndpoint string `json:"pinniped_identity_providers_endpoint"`
}

// IDPDiscoveryResponse is the body served by the identity provider discovery endpoint.
type IDPDiscoveryResponse struct {
	// PinnipedIDPs are the identity providers of the FederationDomain, sorted by name.
	PinnipedIDPs []PinnipedIDP `json:"pinniped_identity_providers"`

	// PinnipedSupportedIDPTypes are all the identity provider types this Supervisor
	// supports, whether or not the FederationDomain uses them.
	PinnipedSupportedIDPTypes []PinnipedSupportedIDPType `json:"pinniped_supported_identity_provider_types"`
}

// PinnipedIDP describes one identity provider of a FederationDomain.
type PinnipedIDP struct {
	// Name is the identity provider's display name in the FederationDomain.
	Name string `json:"name"`

	// Type is the identity provider's type.
	Type IDPType `json:"type"`

	// Flows are the login flows the identity provider supports, the CLI's default first.
	Flows []IDPFlow `json:"flows,omitempty"`
}

// PinnipedSupportedIDPType names one identity provider type the Supervisor supports.
type PinnipedSupportedIDPType struct {
	// Type is the identity provider type.
	Type IDPType `json:"type"`
}
