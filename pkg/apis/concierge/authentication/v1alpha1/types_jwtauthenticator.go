// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types and reasons that both JWTAuthenticator and WebhookAuthenticator report.
const (
	// ConditionReady summarizes the other conditions: it is True only when all of them are.
	ConditionReady = "Ready"

	// ConditionAuthenticatorValid is True when a working authenticator could be built from
	// the spec and loaded into the Concierge's authenticator cache.
	ConditionAuthenticatorValid = "AuthenticatorValid"

	// ReasonSuccess is the reason of every condition that is True.
	ReasonSuccess = "Success"

	// ReasonNotReady is the reason of a False Ready condition.
	ReasonNotReady = "NotReady"

	// ReasonUnableToValidate is the reason of an Unknown condition whose check was skipped
	// because a check it depends on failed.
	ReasonUnableToValidate = "UnableToValidate"
)

// Condition types and reasons that only JWTAuthenticator reports.
const (
	// ConditionIssuerURLValid is True when spec.issuer is a usable https URL.
	ConditionIssuerURLValid = "IssuerURLValid"

	// ConditionDiscoveryURLValid is True when the issuer's OIDC discovery document was
	// fetched and parsed.
	ConditionDiscoveryURLValid = "DiscoveryURLValid"

	// ConditionJWKSURLValid is True when the discovery document names a usable https
	// jwks_uri.
	ConditionJWKSURLValid = "JWKSURLValid"

	// ConditionJWKSFetchValid is True when the issuer's signing keys were fetched from its
	// jwks_uri.
	ConditionJWKSFetchValid = "JWKSFetchValid"

	// ReasonInvalidIssuerURL means spec.issuer does not parse as a URL.
	ReasonInvalidIssuerURL = "InvalidIssuerURL"

	// ReasonInvalidIssuerURLScheme means spec.issuer does not use the https scheme.
	ReasonInvalidIssuerURLScheme = "InvalidIssuerURLScheme"

	// ReasonInvalidIssuerURLContainsWellKnownEndpoint means spec.issuer ends with
	// /.well-known/openid-configuration, which is the discovery URL, not the issuer.
	ReasonInvalidIssuerURLContainsWellKnownEndpoint = "InvalidIssuerURLContainsWellKnownEndpoint"

	// ReasonInvalidIssuerURLContainsQueryParams means spec.issuer has a query string.
	ReasonInvalidIssuerURLContainsQueryParams = "InvalidIssuerURLContainsQueryParams"

	// ReasonInvalidIssuerURLContainsFragment means spec.issuer has a fragment.
	ReasonInvalidIssuerURLContainsFragment = "InvalidIssuerURLContainsFragment"

	// ReasonInvalidDiscoveryProbe means the discovery document could not be fetched or
	// parsed.
	ReasonInvalidDiscoveryProbe = "InvalidDiscoveryProbe"

	// ReasonInvalidProviderJWKSURL means the discovery document's jwks_uri is missing or
	// does not parse as a URL.
	ReasonInvalidProviderJWKSURL = "InvalidProviderJWKSURL"

	// ReasonInvalidProviderJWKSURLScheme means the discovery document's jwks_uri does not
	// use the https scheme.
	ReasonInvalidProviderJWKSURLScheme = "InvalidProviderJWKSURLScheme"

	// ReasonInvalidCouldNotFetchJWKS means the signing keys could not be fetched from the
	// jwks_uri.
	ReasonInvalidCouldNotFetchJWKS = "InvalidCouldNotFetchJWKS"

	// ReasonInvalidAuthenticator means no authenticator could be built from a spec that
	// otherwise passed every check.
	ReasonInvalidAuthenticator = "InvalidAuthenticator"
)

// Claim names that a JWTAuthenticator reads when spec.claims leaves them empty. They match
// the claims in the ID tokens that the Pinniped Supervisor issues.
const (
	// JWTAuthenticatorDefaultUsernameClaim is the claim that holds the username.
	JWTAuthenticatorDefaultUsernameClaim = "username"

	// JWTAuthenticatorDefaultGroupsClaim is the claim that holds the group names.
	JWTAuthenticatorDefaultGroupsClaim = "groups"
)

// JWTAuthenticatorPhase is a one-word summary of a JWTAuthenticator's conditions.
type JWTAuthenticatorPhase string

const (
	// JWTAuthenticatorPhasePending means the authenticator has not been checked yet.
	JWTAuthenticatorPhasePending JWTAuthenticatorPhase = "Pending"

	// JWTAuthenticatorPhaseReady means every condition is True and the authenticator is
	// accepting tokens.
	JWTAuthenticatorPhaseReady JWTAuthenticatorPhase = "Ready"

	// JWTAuthenticatorPhaseError means at least one condition is not True; the conditions
	// say which and why.
	JWTAuthenticatorPhaseError JWTAuthenticatorPhase = "Error"
)

// JWTAuthenticator configures the Concierge to accept JSON Web Tokens, such as OIDC ID
// tokens, from one issuer for one audience. A TokenCredentialRequest that names a
// JWTAuthenticator is exchanged for a cluster credential when its token is valid.
//
// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=pinniped;pinniped-authenticator;pinniped-authenticators
// +kubebuilder:printcolumn:name="Issuer",type=string,JSONPath=`.spec.issuer`
// +kubebuilder:printcolumn:name="Audience",type=string,JSONPath=`.spec.audience`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type JWTAuthenticator struct {
	metav1.TypeMeta `json:",inline"`

	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the configuration of the authenticator.
	Spec JWTAuthenticatorSpec `json:"spec"`

	// Status is the state of the authenticator as last observed by the Concierge.
	//
	// +optional
	Status JWTAuthenticatorStatus `json:"status,omitempty"`
}

// JWTAuthenticatorSpec is the configuration of a JWTAuthenticator.
type JWTAuthenticatorSpec struct {
	// Issuer is the URL of the token issuer. It must use https, and it must equal the iss
	// claim of accepted tokens exactly. The Concierge finds the issuer's signing keys
	// through OIDC discovery at <issuer>/.well-known/openid-configuration.
	//
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^https://`
	Issuer string `json:"issuer"`

	// Audience is the value that the aud claim of accepted tokens must contain. Give every
	// cluster its own audience, so that a token issued for one cluster is refused by the
	// others.
	//
	// +kubebuilder:validation:MinLength=1
	Audience string `json:"audience"`

	// Claims chooses which token claims become the Kubernetes username and groups.
	//
	// +optional
	Claims JWTTokenClaims `json:"claims"`

	// TLS configures which certificate authorities are trusted when the Concierge connects
	// to the issuer. When it is absent, the root CAs of the Concierge's image are trusted.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`
}

// JWTTokenClaims chooses which claims of a token become the user's Kubernetes identity.
// The schema has no defaults for these fields, so an omitted value stays omitted; the
// Concierge applies the defaults when it builds the authenticator.
type JWTTokenClaims struct {
	// Groups is the name of the claim that holds the user's group memberships, as a string
	// or a list of strings. When it is empty, the "groups" claim is used; a token without
	// that claim yields a user with no groups.
	//
	// +optional
	Groups string `json:"groups,omitempty"`

	// Username is the name of the claim that holds the username. When it is empty, the
	// "username" claim is used. A token without the claim is refused.
	//
	// +optional
	Username string `json:"username,omitempty"`
}

// JWTAuthenticatorStatus is the state of a JWTAuthenticator as last observed by the
// Concierge.
type JWTAuthenticatorStatus struct {
	// Conditions are the results of the checks the Concierge ran on the spec, one per
	// type, with a summary of them all in the Ready condition.
	//
	// +optional
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// Phase summarizes the conditions: Pending before the first check, Ready when every
	// condition is True, and Error otherwise.
	//
	// +optional
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	Phase JWTAuthenticatorPhase `json:"phase,omitempty"`
}

// JWTAuthenticatorList is a list of JWTAuthenticators.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type JWTAuthenticatorList struct {
	metav1.TypeMeta `json:",inline"`

	// Standard list metadata.
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the JWTAuthenticators in the list.
	Items []JWTAuthenticator `json:"items"`
}
