// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OIDCClientNamePrefix starts the name of every OIDCClient. The prefix keeps dynamic
// client IDs apart from the Supervisor's built-in pinniped-cli client. It is the same
// whatever the API group suffix is.
const OIDCClientNamePrefix = "client.oauth.pinniped.dev-"

// OIDCClientPhase summarises the conditions of an OIDCClient in one word.
type OIDCClientPhase string

const (
	// OIDCClientPhasePending means the Supervisor has not yet looked at the OIDCClient.
	OIDCClientPhasePending OIDCClientPhase = "Pending"

	// OIDCClientPhaseReady means every condition is True and the client can be used.
	OIDCClientPhaseReady OIDCClientPhase = "Ready"

	// OIDCClientPhaseError means at least one condition is not True; the conditions say
	// which.
	OIDCClientPhaseError OIDCClientPhase = "Error"
)

// RedirectURI is a URI the Supervisor may redirect a browser to after a login. It must
// be an https URI, or an http URI on the loopback address 127.0.0.1 or [::1]; for
// loopback URIs the port is ignored when a redirect is checked.
//
// +kubebuilder:validation:Pattern=`^https://.+|^http://(127\.0\.0\.1|\[::1\])(:\d+)?/`
type RedirectURI string

// GrantType is an OAuth 2.0 grant type a client may use at the token endpoint.
//
// +kubebuilder:validation:Enum="authorization_code";"refresh_token";"urn:ietf:params:oauth:grant-type:token-exchange"
type GrantType string

const (
	// GrantTypeAuthorizationCode lets the client exchange an authorization code for
	// tokens. Every client must allow it.
	GrantTypeAuthorizationCode GrantType = "authorization_code"

	// GrantTypeRefreshToken lets the client refresh its tokens. It requires the
	// offline_access scope.
	GrantTypeRefreshToken GrantType = "refresh_token"

	// GrantTypeTokenExchange lets the client exchange its ID token for one whose audience
	// is a cluster (RFC 8693). It requires the pinniped:request-audience scope.
	GrantTypeTokenExchange GrantType = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// Scope is an OAuth 2.0 scope a client may request.
//
// +kubebuilder:validation:Enum="openid";"offline_access";"username";"groups";"pinniped:request-audience"
type Scope string

const (
	// ScopeOpenID asks for an ID token. Every client must allow it.
	ScopeOpenID Scope = "openid"

	// ScopeOfflineAccess asks for a refresh token. It requires the refresh_token grant
	// type.
	ScopeOfflineAccess Scope = "offline_access"

	// ScopeUsername asks for the username claim in the ID token.
	ScopeUsername Scope = "username"

	// ScopeGroups asks for the groups claim in the ID token.
	ScopeGroups Scope = "groups"

	// ScopeRequestAudience asks for the right to exchange tokens for cluster-scoped ones.
	// It requires the token exchange grant type and the username and groups scopes.
	ScopeRequestAudience Scope = "pinniped:request-audience"
)

// OIDCClientTokenLifetimes overrides how long the tokens issued to a client are valid.
type OIDCClientTokenLifetimes struct {
	// IDTokenSeconds is how many seconds the ID tokens issued to this client by the
	// authorization code and refresh grants are valid. ID tokens from a token exchange
	// are not affected. When it is omitted the Supervisor's default is used.
	//
	// +kubebuilder:validation:Minimum=120
	// +kubebuilder:validation:Maximum=1800
	// +optional
	IDTokenSeconds *int32 `json:"idTokenSeconds,omitempty"`
}

// OIDCClientSpec says what a client may do.
type OIDCClientSpec struct {
	// AllowedRedirectURIs are the redirect URIs the client may use. A redirect URI in a
	// request must match one of them exactly, except for the port of a loopback URI.
	//
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	AllowedRedirectURIs []RedirectURI `json:"allowedRedirectURIs"`

	// AllowedGrantTypes are the grant types the client may use. authorization_code is
	// required; refresh_token must be listed exactly when offline_access is an allowed
	// scope, and the token exchange grant exactly when pinniped:request-audience is.
	//
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	AllowedGrantTypes []GrantType `json:"allowedGrantTypes"`

	// AllowedScopes are the scopes the client may request. openid is required;
	// offline_access must be listed exactly when the refresh_token grant is allowed, and
	// pinniped:request-audience exactly when the token exchange grant is, in which case
	// username and groups must be listed too.
	//
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	AllowedScopes []Scope `json:"allowedScopes"`

	// TokenLifetimes overrides the lifetimes of the tokens issued to the client.
	//
	// +optional
	TokenLifetimes OIDCClientTokenLifetimes `json:"tokenLifetimes,omitempty"`
}

// OIDCClientStatus is what the Supervisor observed about an OIDCClient.
type OIDCClientStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase OIDCClientPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// TotalClientSecrets is how many client secrets the client currently has. It is
	// always written, even when zero, so that the printer column shows it.
	//
	// +optional
	TotalClientSecrets int32 `json:"totalClientSecrets"`
}

// OIDCClient registers an OAuth 2.0 client of the Supervisor's FederationDomains, such as
// a web application that logs users in. The client ID is the object's name, which must
// start with client.oauth.pinniped.dev-. Its secrets are created with an
// OIDCClientSecretRequest.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped
// +kubebuilder:validation:XValidation:rule="self.metadata.name.startsWith('client.oauth.pinniped.dev-')",message="metadata.name must start with client.oauth.pinniped.dev-"
// +kubebuilder:printcolumn:name="Privileged Scopes",type=string,JSONPath=`.spec.allowedScopes[?(@ == "pinniped:request-audience")]`
// +kubebuilder:printcolumn:name="Client Secrets",type=integer,JSONPath=`.status.totalClientSecrets`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OIDCClient struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what the client may do.
	Spec OIDCClientSpec `json:"spec"`

	// Status is what the Supervisor observed about the client.
	//
	// +optional
	Status OIDCClientStatus `json:"status,omitempty"`
}

// OIDCClientList is a list of OIDCClients.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type OIDCClientList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the OIDCClients.
	Items []OIDCClient `json:"items"`
}
