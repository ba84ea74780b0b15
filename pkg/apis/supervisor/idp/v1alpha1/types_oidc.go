// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OIDCIdentityProviderPhase summarises the conditions of an OIDCIdentityProvider in one
// word.
type OIDCIdentityProviderPhase string

const (
	// OIDCIdentityProviderPhasePending means the Supervisor has not yet checked the
	// identity provider.
	OIDCIdentityProviderPhasePending OIDCIdentityProviderPhase = "Pending"

	// OIDCIdentityProviderPhaseReady means every condition is True and users can log in.
	OIDCIdentityProviderPhaseReady OIDCIdentityProviderPhase = "Ready"

	// OIDCIdentityProviderPhaseError means at least one condition is not True; the
	// conditions say which.
	OIDCIdentityProviderPhaseError OIDCIdentityProviderPhase = "Error"
)

// OIDCIdentityProviderSecretType is the type of the Secret that holds the Supervisor's
// client credentials at an OIDC issuer.
const OIDCIdentityProviderSecretType = "secrets.pinniped.dev/oidc-client"

// Parameter is a name and value added to the query of an authorization request.
type Parameter struct {
	// Name is the name of the query parameter.
	//
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name,omitempty"`

	// Value is the value of the query parameter.
	//
	// +optional
	Value string `json:"value,omitempty"`
}

// OIDCAuthorizationConfig tunes the requests the Supervisor sends to the OIDC issuer.
type OIDCAuthorizationConfig struct {
	// AdditionalScopes are the scopes requested from the issuer, besides openid which is
	// always requested. When the list is omitted, openid, offline_access, email and
	// profile are requested. List offline_access when the issuer needs it to return a
	// refresh token; without a refresh token the Supervisor can check the user's session
	// at the issuer only with an access token, or not at all.
	//
	// +optional
	AdditionalScopes []string `json:"additionalScopes,omitempty"`

	// AdditionalAuthorizeParameters are added to every authorization request sent to the
	// issuer, for example to ask for a consent prompt. The names the Supervisor sets
	// itself are refused: response_type, scope, client_id, state, nonce, code_challenge,
	// code_challenge_method, redirect_uri and hd.
	//
	// +optional
	AdditionalAuthorizeParameters []Parameter `json:"additionalAuthorizeParameters,omitempty"`

	// AllowPasswordGrant lets users of the pinniped CLI log in without a browser by giving
	// their username and password, which the Supervisor sends to the issuer with the
	// OAuth 2.0 resource owner password credentials grant. The issuer must support that
	// grant for this client. It is false by default; browser logins are always allowed.
	//
	// +optional
	AllowPasswordGrant bool `json:"allowPasswordGrant,omitempty"`
}

// OIDCClaims says which claims of the issuer's ID token become the user's identity.
type OIDCClaims struct {
	// Username is the claim whose value becomes the username. When it is omitted, the
	// username is the issuer URL followed by "?sub=" and the sub claim. When it is
	// "email", a present email_verified claim must be true.
	//
	// +optional
	Username string `json:"username"`

	// Groups is the claim whose value becomes the list of groups; it may hold a string or
	// a list of strings. When it is omitted the user has no groups.
	//
	// +optional
	Groups string `json:"groups"`

	// AdditionalClaimMappings copies claims of the issuer's ID token into the
	// additionalClaims claim of the Supervisor's ID tokens. Each key is the name used in
	// additionalClaims and each value the name of the issuer's claim. Missing claims are
	// skipped.
	//
	// +optional
	AdditionalClaimMappings map[string]string `json:"additionalClaimMappings,omitempty"`
}

// OIDCClient names the Secret holding the Supervisor's client credentials at the issuer.
type OIDCClient struct {
	// SecretName is the name of a Secret of type secrets.pinniped.dev/oidc-client, in the
	// Supervisor's namespace, with the keys clientID and clientSecret.
	//
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName"`
}

// OIDCIdentityProviderSpec configures an OIDC issuer as an identity provider.
type OIDCIdentityProviderSpec struct {
	// Issuer is the issuer URL of the identity provider. Its discovery document is read
	// from <issuer>/.well-known/openid-configuration.
	//
	// +kubebuilder:validation:Pattern=`^https://`
	Issuer string `json:"issuer"`

	// TLS says which certificate authorities to trust when connecting to the issuer.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`

	// AuthorizationConfig tunes the requests sent to the issuer.
	//
	// +optional
	AuthorizationConfig OIDCAuthorizationConfig `json:"authorizationConfig,omitempty"`

	// Claims says which ID token claims become the username and groups.
	//
	// +optional
	Claims OIDCClaims `json:"claims,omitempty"`

	// Client names the Secret holding the client credentials registered at the issuer.
	// The redirect URI registered there must be <FederationDomain issuer>/callback.
	Client OIDCClient `json:"client"`
}

// OIDCIdentityProviderStatus is what the Supervisor observed about an
// OIDCIdentityProvider.
type OIDCIdentityProviderStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase OIDCIdentityProviderPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// OIDCIdentityProvider lets users log in to the Supervisor through an OpenID Connect
// issuer, such as Okta, Dex or Google.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped;pinniped-idp;pinniped-idps
// +kubebuilder:printcolumn:name="Issuer",type=string,JSONPath=`.spec.issuer`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type OIDCIdentityProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec configures the identity provider.
	Spec OIDCIdentityProviderSpec `json:"spec"`

	// Status is what the Supervisor observed about the identity provider.
	//
	// +optional
	Status OIDCIdentityProviderStatus `json:"status,omitempty"`
}

// OIDCIdentityProviderList is a list of OIDCIdentityProviders.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type OIDCIdentityProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the OIDCIdentityProviders.
	Items []OIDCIdentityProvider `json:"items"`
}
