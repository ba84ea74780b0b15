// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GitHubIdentityProviderPhase summarises the conditions of a GitHubIdentityProvider in
// one word.
type GitHubIdentityProviderPhase string

const (
	// GitHubIdentityProviderPhasePending means the Supervisor has not yet checked the
	// identity provider.
	GitHubIdentityProviderPhasePending GitHubIdentityProviderPhase = "Pending"

	// GitHubIdentityProviderPhaseReady means every condition is True and users can log in.
	GitHubIdentityProviderPhaseReady GitHubIdentityProviderPhase = "Ready"

	// GitHubIdentityProviderPhaseError means at least one condition is not True; the
	// conditions say which.
	GitHubIdentityProviderPhaseError GitHubIdentityProviderPhase = "Error"
)

// GitHubIdentityProviderSecretType is the type of the Secret that holds the client
// credentials of the GitHub App or OAuth App.
const GitHubIdentityProviderSecretType = "secrets.pinniped.dev/github-client"

// GitHubAllowedAuthOrganizationsPolicy says whether membership of an organization is
// needed to log in.
//
// +kubebuilder:validation:Enum=OnlyUsersFromAllowedOrganizations;AllGitHubUsers
type GitHubAllowedAuthOrganizationsPolicy string

const (
	// GitHubAllowedAuthOrganizationsPolicyOnlyUsersFromAllowedOrganizations lets only
	// members of the allowed organizations log in.
	GitHubAllowedAuthOrganizationsPolicyOnlyUsersFromAllowedOrganizations = GitHubAllowedAuthOrganizationsPolicy(
		"OnlyUsersFromAllowedOrganizations",
	)

	// GitHubAllowedAuthOrganizationsPolicyAllGitHubUsers lets every GitHub user log in.
	GitHubAllowedAuthOrganizationsPolicyAllGitHubUsers GitHubAllowedAuthOrganizationsPolicy = "AllGitHubUsers"
)

// GitHubUsernameAttribute says which attributes of a GitHub user make the username.
//
// +kubebuilder:validation:Enum="id";"login";"login:id"
type GitHubUsernameAttribute string

const (
	// GitHubUsernameID uses the user's numeric ID, which never changes.
	GitHubUsernameID GitHubUsernameAttribute = "id"

	// GitHubUsernameLogin uses the user's login name, which the user can change and
	// another user can then take.
	GitHubUsernameLogin GitHubUsernameAttribute = "login"

	// GitHubUsernameLoginAndID uses the login name, a colon and the numeric ID: readable
	// and unique.
	GitHubUsernameLoginAndID GitHubUsernameAttribute = "login:id"
)

// GitHubGroupNameAttribute says which attribute of a GitHub team makes the group name.
//
// +kubebuilder:validation:Enum=name;slug
type GitHubGroupNameAttribute string

const (
	// GitHubUseTeamNameForGroupName uses the team's display name.
	GitHubUseTeamNameForGroupName GitHubGroupNameAttribute = "name"

	// GitHubUseTeamSlugForGroupName uses the team's slug.
	GitHubUseTeamSlugForGroupName GitHubGroupNameAttribute = "slug"
)

// GitHubAPIConfig says where the GitHub API is.
type GitHubAPIConfig struct {
	// Host is the host name, with an optional port, of github.com or of a GitHub
	// Enterprise Server. For github.com the API at api.github.com is used; for any other
	// host the API is at https://<host>/api/v3.
	//
	// +kubebuilder:default="github.com"
	// +kubebuilder:validation:MinLength=1
	// +optional
	Host *string `json:"host,omitempty"`

	// TLS says which certificate authorities to trust when connecting to the host.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`
}

// GitHubClaims says how a GitHub user's attributes become the user's identity.
type GitHubClaims struct {
	// Username says which attributes make the username: "id", "login" or "login:id".
	// The default "login:id" is both readable and unique, because GitHub lets a login
	// name pass to another user after it is changed.
	//
	// +kubebuilder:default="login:id"
	// +optional
	Username *GitHubUsernameAttribute `json:"username,omitempty"`

	// Groups says which attribute of a team makes the group name: "name" or "slug". Each
	// group is the organization's login, a slash and the team's name or slug, for example
	// "my-org/my-team". Only teams of the allowed organizations become groups, unless
	// all GitHub users are allowed.
	//
	// +kubebuilder:default=slug
	// +optional
	Groups *GitHubGroupNameAttribute `json:"groups,omitempty"`
}

// GitHubClientSpec names the Secret holding the client credentials of the GitHub App or
// OAuth App.
type GitHubClientSpec struct {
	// SecretName is the name of a Secret of type secrets.pinniped.dev/github-client, in
	// the Supervisor's namespace, with the keys clientID and clientSecret. The app's
	// callback URL must be <FederationDomain issuer>/callback.
	//
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName"`
}

// GitHubOrganizationsSpec says which organizations' members may log in.
type GitHubOrganizationsSpec struct {
	// Policy is OnlyUsersFromAllowedOrganizations, the default, to let only members of
	// the allowed organizations log in, or AllGitHubUsers to let any GitHub user log in.
	// AllGitHubUsers requires an empty allowed list, and the default requires a
	// non-empty one.
	//
	// +kubebuilder:default=OnlyUsersFromAllowedOrganizations
	// +optional
	Policy *GitHubAllowedAuthOrganizationsPolicy `json:"policy,omitempty"`

	// Allowed lists the logins of the organizations whose members may log in. Only teams
	// of these organizations become groups, unless the policy is AllGitHubUsers.
	//
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Allowed []string `json:"allowed,omitempty"`
}

// GitHubAllowAuthenticationSpec says which GitHub users may log in.
type GitHubAllowAuthenticationSpec struct {
	// Organizations restricts logins to the members of some organizations, or explicitly
	// allows every GitHub user.
	//
	// +kubebuilder:validation:XValidation:rule="!(has(self.allowed) && size(self.allowed) > 0 && has(self.policy) && self.policy == 'AllGitHubUsers')",message="spec.allowAuthentication.organizations.policy must be 'OnlyUsersFromAllowedOrganizations' when spec.allowAuthentication.organizations.allowed has organizations listed"
	// +kubebuilder:validation:XValidation:rule="(has(self.allowed) && size(self.allowed) > 0) || (has(self.policy) && self.policy == 'AllGitHubUsers')",message="spec.allowAuthentication.organizations.policy must be 'AllGitHubUsers' when spec.allowAuthentication.organizations.allowed is empty"
	Organizations GitHubOrganizationsSpec `json:"organizations"`
}

// GitHubIdentityProviderSpec configures github.com or a GitHub Enterprise Server as an
// identity provider.
type GitHubIdentityProviderSpec struct {
	// GitHubAPI says where the GitHub API is. It defaults to github.com.
	//
	// +kubebuilder:default={}
	// +optional
	GitHubAPI GitHubAPIConfig `json:"githubAPI"`

	// Claims says how a GitHub user's attributes become the username and groups.
	//
	// +kubebuilder:default={}
	// +optional
	Claims GitHubClaims `json:"claims"`

	// AllowAuthentication says which GitHub users may log in.
	AllowAuthentication GitHubAllowAuthenticationSpec `json:"allowAuthentication"`

	// Client names the Secret holding the client credentials of the GitHub App or OAuth
	// App that users authorize.
	Client GitHubClientSpec `json:"client"`
}

// GitHubIdentityProviderStatus is what the Supervisor observed about a
// GitHubIdentityProvider.
type GitHubIdentityProviderStatus struct {
	// Phase summarises the conditions: Pending, Ready or Error.
	//
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	// +optional
	Phase GitHubIdentityProviderPhase `json:"phase,omitempty"`

	// Conditions are the results of the individual checks, one per type.
	//
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// GitHubIdentityProvider lets users log in to the Supervisor with their GitHub account,
// through a browser, on github.com or a GitHub Enterprise Server.
//
// +genclient
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=pinniped;pinniped-idp;pinniped-idps
// +kubebuilder:printcolumn:name="Host",type=string,JSONPath=`.spec.githubAPI.host`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type GitHubIdentityProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec configures the identity provider.
	Spec GitHubIdentityProviderSpec `json:"spec"`

	// Status is what the Supervisor observed about the identity provider.
	//
	// +optional
	Status GitHubIdentityProviderStatus `json:"status,omitempty"`
}

// GitHubIdentityProviderList is a list of GitHubIdentityProviders.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type GitHubIdentityProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the GitHubIdentityProviders.
	Items []GitHubIdentityProvider `json:"items"`
}
