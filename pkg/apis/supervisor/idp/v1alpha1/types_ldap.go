// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LDAPIdentityProviderPhase summarises the conditions of an LDAPIdentityProvider in one
// word.
type LDAPIdentityProviderPhase string

const (
	// LDAPIdentityProviderPhasePending means the Supervisor has not yet checked the
	// identity provider.
	LDAPIdentityProviderPhasePending LDAPIdentityProviderPhase = "Pending"

	// LDAPIdentityProviderPhaseReady means every condition is True and users can log in.
	LDAPIdentityProviderPhaseReady LDAPIdentityProviderPhase = "Ready"

	// LDAPIdentityProviderPhaseError means at least one condition is not True; the
	// conditions say which.
	LDAPIdentityProviderPhaseError LDAPIdentityProviderPhase = "Error"
)

// LDAPIdentityProviderBind names the account the Supervisor binds as before it searches.
type LDAPIdentityProviderBind struct {
	// SecretName is the name of a Secret of type kubernetes.io/basic-auth, in the
	// Supervisor's namespace, whose username key holds the bind account's DN and whose
	// password key holds its password. The account only needs to read users and groups.
	// The Supervisor notices changes to the Secret.
	//
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName"`
}

// LDAPIdentityProviderUserSearchAttributes says which attributes of the user's entry
// become the user's identity.
type LDAPIdentityProviderUserSearchAttributes struct {
	// Username is the attribute whose value becomes the username, for example "mail" or
	// "uid". The value "dn" uses the entry's distinguished name. When filter is omitted,
	// this attribute is also what the typed username is matched against.
	//
	// +kubebuilder:validation:MinLength=1
	Username string `json:"username,omitempty"`

	// UID is the attribute whose value uniquely and permanently identifies the user, for
	// example "uidNumber" or "entryUUID". The value "dn" uses the entry's distinguished
	// name.
	//
	// +kubebuilder:validation:MinLength=1
	UID string `json:"uid,omitempty"`
}

// LDAPIdentityProviderUserSearch says how to find the entry of the user who logs in.
type LDAPIdentityProviderUserSearch struct {
	// Base is the DN of the subtree searched for users, for example
	// "ou=users,dc=example,dc=com".
	//
	// +kubebuilder:validation:MinLength=1
	Base string `json:"base,omitempty"`

	// Filter is the LDAP filter that finds the user. Every "{}" in it is replaced by the
	// typed username, escaped for LDAP. When it is omitted the filter is
	// "<username attribute>={}". It is required when the username attribute is "dn".
	// Surrounding parentheses are optional.
	//
	// +optional
	Filter string `json:"filter,omitempty"`

	// Attributes says which attributes of the user's entry become the identity.
	//
	// +optional
	Attributes LDAPIdentityProviderUserSearchAttributes `json:"attributes,omitempty"`
}

// LDAPIdentityProviderGroupSearchAttributes says which attribute of a group's entry
// becomes the group name.
type LDAPIdentityProviderGroupSearchAttributes struct {
	// GroupName is the attribute of a group's entry whose value becomes the group name,
	// for example "cn". When it is omitted the group's DN is used.
	//
	// +optional
	GroupName string `json:"groupName,omitempty"`
}

// LDAPIdentityProviderGroupSearch says how to find the groups of the user who logs in.
type LDAPIdentityProviderGroupSearch struct {
	// Base is the DN of the subtree searched for groups. When it is omitted no group
	// search is made and users have no groups.
	//
	// +optional
	Base string `json:"base,omitempty"`

	// Filter is the LDAP filter that finds the user's groups. Every "{}" in it is
	// replaced by the value of the user's userAttributeForFilter attribute. When it is
	// omitted the filter is "member={}". Surrounding parentheses are optional.
	//
	// +optional
	Filter string `json:"filter,omitempty"`

	// UserAttributeForFilter is the attribute of the user's entry whose value replaces
	// "{}" in the filter, for example "uid" for posixGroup memberUid searches. When it is
	// omitted the user's DN is used.
	//
	// +optional
	UserAttributeForFilter string `json:"userAttributeForFilter,omitempty"`

	// Attributes says which attribute of a group's entry becomes the group name.
	//
	// +optional
	Attributes LDAPIdentityProviderGroupSearchAttributes `json:"attributes,omitempty"`

	// SkipGroupRefresh makes a session refresh keep the groups found at login instead of
	// searching again. It lightens the load on the server when group searches are slow;
	// the user's own entry is still checked on every refresh. Group changes then take
	// effect only at the next login.
	//
	// +optional
	SkipGroupRefresh bool `json:"skipGroupRefresh,omitempty"`
}

// LDAPIdentityProviderSpec configures an LDAP server as an identity provider.
type LDAPIdentityProviderSpec struct {
	// Host is the host name or IP address of the LDAP server, with an optional port, for
	// example "ldap.example.com:636". Without a port, 636 is used for TLS and 389 for
	// StartTLS; the Supervisor tries TLS first and falls back to StartTLS.
	//
	// +kubebuilder:validation:MinLength=1
	Host string `json:"host"`

	// TLS says which certificate authorities to trust when connecting to the server.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`

	// Bind names the account the Supervisor binds as before it searches.
	Bind LDAPIdentityProviderBind `json:"bind,omitempty"`

	// UserSearch says how to find the entry of the user who logs in.
	UserSearch LDAPIdentityProviderUserSearch `json:"userSearch,omitempty"`

	// GroupSearch says how to find the groups of the user who logs in.
	//
	// +optional
	GroupSearch LDAPIdentityProviderGroupSearch `json:"groupSearch,omitempty"`
}

// LDAPIdentityProviderStatus is what the Supervisor observed about an
// LDAPIdentityProvider.
type LDAPIdentityProviderStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase LDAPIdentityProviderPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// LDAPIdentityProvider lets users log in to the Supervisor with a username and password
// that are checked against an LDAP server, such as OpenLDAP.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped;pinniped-idp;pinniped-idps
// +kubebuilder:printcolumn:name="Host",type=string,JSONPath=`.spec.host`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type LDAPIdentityProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec configures the identity provider.
	Spec LDAPIdentityProviderSpec `json:"spec"`

	// Status is what the Supervisor observed about the identity provider.
	//
	// +optional
	Status LDAPIdentityProviderStatus `json:"status,omitempty"`
}

// LDAPIdentityProviderList is a list of LDAPIdentityProviders.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type LDAPIdentityProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the LDAPIdentityProviders.
	Items []LDAPIdentityProvider `json:"items"`
}
