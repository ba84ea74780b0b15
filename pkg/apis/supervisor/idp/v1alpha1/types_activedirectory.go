// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ActiveDirectoryIdentityProviderPhase summarises the conditions of an
// ActiveDirectoryIdentityProvider in one word.
type ActiveDirectoryIdentityProviderPhase string

const (
	// ActiveDirectoryIdentityProviderPhasePending means the Supervisor has not yet checked
	// the identity provider.
	ActiveDirectoryIdentityProviderPhasePending ActiveDirectoryIdentityProviderPhase = "Pending"

	// ActiveDirectoryIdentityProviderPhaseReady means every condition is True and users
	// can log in.
	ActiveDirectoryIdentityProviderPhaseReady ActiveDirectoryIdentityProviderPhase = "Ready"

	// ActiveDirectoryIdentityProviderPhaseError means at least one condition is not True;
	// the conditions say which.
	ActiveDirectoryIdentityProviderPhaseError ActiveDirectoryIdentityProviderPhase = "Error"
)

// ActiveDirectoryIdentityProviderBind names the account the Supervisor binds as before it
// searches.
type ActiveDirectoryIdentityProviderBind struct {
	// SecretName is the name of a Secret of type kubernetes.io/basic-auth, in the
	// Supervisor's namespace, whose username key holds the bind account's name (a DN or a
	// userPrincipalName) and whose password key holds its password. The account only
	// needs to read users and groups. The Supervisor notices changes to the Secret.
	//
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName"`
}

// ActiveDirectoryIdentityProviderUserSearchAttributes says which attributes of the user's
// entry become the user's identity.
type ActiveDirectoryIdentityProviderUserSearchAttributes struct {
	// Username is the attribute whose value becomes the username. When it is omitted
	// "userPrincipalName" is used. The value "dn" uses the entry's distinguished name.
	//
	// +optional
	Username string `json:"username,omitempty"`

	// UID is the attribute whose value uniquely and permanently identifies the user. When
	// it is omitted "objectGUID" is used. The value "dn" uses the entry's distinguished
	// name.
	//
	// +optional
	UID string `json:"uid,omitempty"`
}

// ActiveDirectoryIdentityProviderUserSearch says how to find the entry of the user who
// logs in.
type ActiveDirectoryIdentityProviderUserSearch struct {
	// Base is the DN of the subtree searched for users. When it is omitted the domain's
	// defaultNamingContext, read from the server's root DSE, is used.
	//
	// +optional
	Base string `json:"base,omitempty"`

	// Filter is the LDAP filter that finds the user. Every "{}" in it is replaced by the
	// typed username, escaped for LDAP. When it is omitted the filter matches normal user
	// accounts, excluding computers and hidden objects, whose sAMAccountName, mail or
	// userPrincipalName equals the typed username. It is required when the username
	// attribute is "dn". Surrounding parentheses are optional.
	//
	// +optional
	Filter string `json:"filter,omitempty"`

	// Attributes says which attributes of the user's entry become the identity.
	//
	// +optional
	Attributes ActiveDirectoryIdentityProviderUserSearchAttributes `json:"attributes,omitempty"`
}

// ActiveDirectoryIdentityProviderGroupSearchAttributes says which attribute of a group's
// entry becomes the group name.
type ActiveDirectoryIdentityProviderGroupSearchAttributes struct {
	// GroupName is the attribute of a group's entry whose value becomes the group name.
	// When it is omitted the name is the group's sAMAccountName, an "@", and the domain
	// taken from the group's DN, for example "admins@example.com".
	//
	// +optional
	GroupName string `json:"groupName,omitempty"`
}

// ActiveDirectoryIdentityProviderGroupSearch says how to find the groups of the user who
// logs in.
type ActiveDirectoryIdentityProviderGroupSearch struct {
	// Base is the DN of the subtree searched for groups. When it is omitted the domain's
	// defaultNamingContext, read from the server's root DSE, is used.
	//
	// +optional
	Base string `json:"base,omitempty"`

	// Filter is the LDAP filter that finds the user's groups. Every "{}" in it is
	// replaced by the value of the user's userAttributeForFilter attribute. When it is
	// omitted the filter finds every group the user belongs to, directly or through
	// nested groups. Surrounding parentheses are optional.
	//
	// +optional
	Filter string `json:"filter,omitempty"`

	// UserAttributeForFilter is the attribute of the user's entry whose value replaces
	// "{}" in the filter. When it is omitted the user's DN is used.
	//
	// +optional
	UserAttributeForFilter string `json:"userAttributeForFilter,omitempty"`

	// Attributes says which attribute of a group's entry becomes the group name.
	//
	// +optional
	Attributes ActiveDirectoryIdentityProviderGroupSearchAttributes `json:"attributes,omitempty"`

	// SkipGroupRefresh makes a session refresh keep the groups found at login instead of
	// searching again, which helps when nested group searches are slow. The user's own
	// entry is still checked on every refresh, so a disabled, locked or changed-password
	// account still ends the session. Group changes then take effect only at the next
	// login.
	//
	// +optional
	SkipGroupRefresh bool `json:"skipGroupRefresh,omitempty"`
}

// ActiveDirectoryIdentityProviderSpec configures an Active Directory domain as an
// identity provider.
type ActiveDirectoryIdentityProviderSpec struct {
	// Host is the host name or IP address of a domain controller, with an optional port,
	// for example "dc.example.com:636". Without a port, 636 is used for TLS and 389 for
	// StartTLS; the Supervisor tries TLS first and falls back to StartTLS.
	//
	// +kubebuilder:validation:MinLength=1
	Host string `json:"host"`

	// TLS says which certificate authorities to trust when connecting to the server.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`

	// Bind names the account the Supervisor binds as before it searches.
	Bind ActiveDirectoryIdentityProviderBind `json:"bind,omitempty"`

	// UserSearch says how to find the entry of the user who logs in.
	//
	// +optional
	UserSearch ActiveDirectoryIdentityProviderUserSearch `json:"userSearch,omitempty"`

	// GroupSearch says how to find the groups of the user who logs in.
	//
	// +optional
	GroupSearch ActiveDirectoryIdentityProviderGroupSearch `json:"groupSearch,omitempty"`
}

// ActiveDirectoryIdentityProviderStatus is what the Supervisor observed about an
// ActiveDirectoryIdentityProvider.
type ActiveDirectoryIdentityProviderStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase ActiveDirectoryIdentityProviderPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// ActiveDirectoryIdentityProvider lets users log in to the Supervisor with the username
// and password of their Microsoft Active Directory account.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped;pinniped-idp;pinniped-idps
// +kubebuilder:printcolumn:name="Host",type=string,JSONPath=`.spec.host`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ActiveDirectoryIdentityProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec configures the identity provider.
	Spec ActiveDirectoryIdentityProviderSpec `json:"spec"`

	// Status is what the Supervisor observed about the identity provider.
	//
	// +optional
	Status ActiveDirectoryIdentityProviderStatus `json:"status,omitempty"`
}

// ActiveDirectoryIdentityProviderList is a list of ActiveDirectoryIdentityProviders.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type ActiveDirectoryIdentityProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the ActiveDirectoryIdentityProviders.
	Items []ActiveDirectoryIdentityProvider `json:"items"`
}
