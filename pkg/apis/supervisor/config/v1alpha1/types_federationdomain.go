// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FederationDomainPhase summarises the conditions of a FederationDomain in one word.
type FederationDomainPhase string

const (
	// FederationDomainPhasePending means the Supervisor has not yet looked at the
	// FederationDomain.
	FederationDomainPhasePending FederationDomainPhase = "Pending"

	// FederationDomainPhaseReady means every condition is True and the issuer's endpoints
	// are being served.
	FederationDomainPhaseReady FederationDomainPhase = "Ready"

	// FederationDomainPhaseError means at least one condition is not True; the
	// conditions say which.
	FederationDomainPhaseError FederationDomainPhase = "Error"
)

// FederationDomainTransformsConstantType is the type of a transform constant.
//
// +kubebuilder:validation:Enum=string;stringList
type FederationDomainTransformsConstantType string

const (
	// FederationDomainTransformsConstantTypeString holds its value in stringValue.
	FederationDomainTransformsConstantTypeString FederationDomainTransformsConstantType = "string"

	// FederationDomainTransformsConstantTypeStringList holds its value in stringListValue.
	FederationDomainTransformsConstantTypeStringList FederationDomainTransformsConstantType = "stringList"
)

// FederationDomainTransformsExpressionType is the kind of a transform expression, which
// fixes the type its CEL expression must return.
//
// +kubebuilder:validation:Enum="policy/v1";"username/v1";"groups/v1"
type FederationDomainTransformsExpressionType string

const (
	// FederationDomainTransformsExpressionTypePolicy returns a bool; false rejects the
	// login.
	FederationDomainTransformsExpressionTypePolicy FederationDomainTransformsExpressionType = "policy/v1"

	// FederationDomainTransformsExpressionTypeUsername returns a string that replaces the
	// username.
	FederationDomainTransformsExpressionTypeUsername FederationDomainTransformsExpressionType = "username/v1"

	// FederationDomainTransformsExpressionTypeGroups returns a list of strings that
	// replaces the groups.
	FederationDomainTransformsExpressionTypeGroups FederationDomainTransformsExpressionType = "groups/v1"
)

// FederationDomainTLSSpec says which certificate the Supervisor presents for the issuer.
type FederationDomainTLSSpec struct {
	// SecretName is the name of a Secret of type kubernetes.io/tls, in the Supervisor's
	// namespace, whose tls.crt and tls.key are served to clients that ask for the
	// issuer's host name through SNI. All FederationDomains on one host name must name
	// the same Secret. It is ignored when the issuer's host is an IP address. When it is
	// empty, or the Secret is missing, the Supervisor's default certificate is served.
	//
	// +optional
	SecretName string `json:"secretName,omitempty"`
}

// FederationDomainTransformsConstant is a named value that transform expressions can
// read, as strConst.<name> or strListConst.<name> depending on its type.
type FederationDomainTransformsConstant struct {
	// Name is how expressions refer to the constant. It must be a valid identifier:
	// a letter followed by letters, digits or underscores.
	//
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[a-zA-Z][_a-zA-Z0-9]*$`
	Name string `json:"name"`

	// Type says which value field is used: "string" uses stringValue and "stringList"
	// uses stringListValue. The other field is ignored.
	Type FederationDomainTransformsConstantType `json:"type"`

	// StringValue is the value of a constant of type "string".
	//
	// +optional
	StringValue string `json:"stringValue,omitempty"`

	// StringListValue is the value of a constant of type "stringList".
	//
	// +optional
	StringListValue []string `json:"stringListValue,omitempty"`
}

// FederationDomainTransformsExpression is one CEL expression run against the identity
// that an identity provider returned. Expressions can read the variables username
// (a string) and groups (a list of strings), plus the constants.
type FederationDomainTransformsExpression struct {
	// Type says what the expression does and what it must return. "policy/v1" returns a
	// bool and rejects the login when false; "username/v1" returns the new username;
	// "groups/v1" returns the new list of groups.
	Type FederationDomainTransformsExpressionType `json:"type"`

	// Expression is the CEL source of the expression.
	//
	// +kubebuilder:validation:MinLength=1
	Expression string `json:"expression"`

	// Message is shown to the user when a policy expression rejects a login. It is used
	// only by "policy/v1" expressions; when it is empty a generic message is shown.
	//
	// +optional
	Message string `json:"message,omitempty"`
}

// FederationDomainTransformsExampleExpects is the outcome a transform example must have.
type FederationDomainTransformsExampleExpects struct {
	// Username is the username expected after all transforms ran. It is compared only
	// when the login is not expected to be rejected.
	//
	// +optional
	Username string `json:"username,omitempty"`

	// Groups is the list of groups expected after all transforms ran, in any order. It is
	// compared only when the login is not expected to be rejected; an omitted list means
	// no groups are expected.
	//
	// +optional
	Groups []string `json:"groups,omitempty"`

	// Rejected says whether a policy is expected to reject the login.
	//
	// +optional
	Rejected bool `json:"rejected,omitempty"`

	// Message is the rejection message expected when rejected is true. When it is empty
	// the generic rejection message is expected.
	//
	// +optional
	Message string `json:"message,omitempty"`
}

// FederationDomainTransformsExample is a test case for the transforms. The Supervisor
// runs every example whenever the FederationDomain changes and reports failures in the
// TransformsExamplesPassed condition, so a mistake in an expression is caught before
// any user logs in.
type FederationDomainTransformsExample struct {
	// Username is the username given to the transforms.
	//
	// +kubebuilder:validation:MinLength=1
	Username string `json:"username"`

	// Groups is the list of groups given to the transforms.
	//
	// +optional
	Groups []string `json:"groups,omitempty"`

	// Expects is the outcome the transforms must produce for this input.
	Expects FederationDomainTransformsExampleExpects `json:"expects"`
}

// FederationDomainTransforms changes or checks the identity that an identity provider
// returned before the Supervisor puts it into its own tokens.
type FederationDomainTransforms struct {
	// Constants are named values the expressions can read.
	//
	// +optional
	Constants []FederationDomainTransformsConstant `json:"constants,omitempty"`

	// Expressions run in order on every login and every refresh. Each one sees the
	// username and groups left by the expressions before it. The first policy that
	// returns false stops the run and rejects the login.
	//
	// +optional
	Expressions []FederationDomainTransformsExpression `json:"expressions,omitempty"`

	// Examples are test cases that the expressions must pass.
	//
	// +optional
	Examples []FederationDomainTransformsExample `json:"examples,omitempty"`
}

// FederationDomainIdentityProvider makes one identity provider available through the
// FederationDomain.
type FederationDomainIdentityProvider struct {
	// DisplayName is the name users and clients use to choose this identity provider,
	// for example in the pinniped CLI's --upstream-identity-provider-name flag. It must
	// be unique within the FederationDomain. Changing it ends the sessions that were
	// started through the old name.
	//
	// +kubebuilder:validation:MinLength=1
	DisplayName string `json:"displayName"`

	// ObjectRef names an identity provider in the Supervisor's namespace. Its apiGroup
	// must be the Supervisor's identity provider group (idp.supervisor.pinniped.dev by
	// default) and its kind one of OIDCIdentityProvider, LDAPIdentityProvider,
	// ActiveDirectoryIdentityProvider or GitHubIdentityProvider.
	ObjectRef corev1.TypedLocalObjectReference `json:"objectRef"`

	// Transforms change or check the identities this identity provider returns, only
	// for logins through this FederationDomain.
	//
	// +optional
	Transforms FederationDomainTransforms `json:"transforms,omitempty"`
}

// FederationDomainSpec configures one OIDC issuer served by the Supervisor.
type FederationDomainSpec struct {
	// Issuer is the issuer URL of this FederationDomain: it appears in the iss claim of
	// the tokens it issues, and its endpoints are served below it (for example
	// <issuer>/.well-known/openid-configuration). It must be an https URL with a host and
	// without user info, query, fragment or trailing slash, and no two FederationDomains
	// may share it.
	//
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="issuer must be an HTTPS URL"
	Issuer string `json:"issuer"`

	// TLS says which certificate is served for the issuer's host name.
	//
	// +optional
	TLS *FederationDomainTLSSpec `json:"tls,omitempty"`

	// IdentityProviders lists the identity providers users may log in with through this
	// FederationDomain. When the list is empty, the only identity provider in the
	// Supervisor's namespace is used with its own name as display name; this legacy mode
	// works only while exactly one identity provider exists there.
	//
	// +optional
	IdentityProviders []FederationDomainIdentityProvider `json:"identityProviders,omitempty"`
}

// FederationDomainSecrets names the Secrets that hold a FederationDomain's keys. The
// Supervisor creates and rotates them itself.
type FederationDomainSecrets struct {
	// JWKS names the Secret holding the private keys used to sign ID tokens and the
	// public key set served at <issuer>/jwks.json.
	//
	// +optional
	JWKS corev1.LocalObjectReference `json:"jwks,omitempty"`

	// TokenSigningKey names the Secret holding the HMAC key that signs opaque tokens
	// such as authorization codes, access tokens and refresh tokens.
	//
	// +optional
	TokenSigningKey corev1.LocalObjectReference `json:"tokenSigningKey,omitempty"`

	// StateSigningKey names the Secret holding the key that signs the state parameter
	// sent to upstream identity providers.
	//
	// +optional
	StateSigningKey corev1.LocalObjectReference `json:"stateSigningKey,omitempty"`

	// StateEncryptionKey names the Secret holding the key that encrypts the state
	// parameter sent to upstream identity providers.
	//
	// +optional
	StateEncryptionKey corev1.LocalObjectReference `json:"stateEncryptionKey,omitempty"`
}

// FederationDomainStatus is what the Supervisor observed about a FederationDomain.
type FederationDomainStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase FederationDomainPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// Secrets names the Secrets holding this FederationDomain's keys.
	//
	// +optional
	Secrets FederationDomainSecrets `json:"secrets,omitempty"`
}

// FederationDomain is an OIDC issuer served by the Supervisor. Kubernetes clusters whose
// JWTAuthenticator trusts the issuer accept the ID tokens it issues for the users of its
// identity providers.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped
// +kubebuilder:printcolumn:name="Issuer",type=string,JSONPath=`.spec.issuer`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FederationDomain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the configuration of the issuer.
	Spec FederationDomainSpec `json:"spec"`

	// Status is what the Supervisor observed about the issuer.
	//
	// +optional
	Status FederationDomainStatus `json:"status,omitempty"`
}

// FederationDomainList is a list of FederationDomains.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type FederationDomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the FederationDomains.
	Items []FederationDomain `json:"items"`
}
