// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

// Condition types the Supervisor writes to identity providers, besides the TLS one. The
// phase of an identity provider is Ready only when all its conditions are True.
const (
	// ConditionClientCredentialsSecretValid (OIDC and GitHub) reports whether the
	// Secret named by spec.client.secretName exists, has the right type and holds both
	// clientID and clientSecret.
	ConditionClientCredentialsSecretValid = "ClientCredentialsSecretValid"

	// ConditionOIDCDiscoverySucceeded (OIDC) reports whether the issuer's discovery
	// document could be fetched and used.
	ConditionOIDCDiscoverySucceeded = "OIDCDiscoverySucceeded"

	// ConditionAdditionalAuthorizeParametersValid (OIDC) reports whether
	// spec.authorizationConfig.additionalAuthorizeParameters avoids the parameter names
	// that the Supervisor sets itself.
	ConditionAdditionalAuthorizeParametersValid = "AdditionalAuthorizeParametersValid"

	// ConditionBindSecretValid (LDAP and Active Directory) reports whether the Secret
	// named by spec.bind.secretName exists, has the right type and holds both username
	// and password.
	ConditionBindSecretValid = "BindSecretValid"

	// ConditionLDAPConnectionValid (LDAP and Active Directory) reports whether the
	// Supervisor could connect to the server and bind with the bind account.
	ConditionLDAPConnectionValid = "LDAPConnectionValid"

	// ConditionSearchBaseFound (Active Directory) reports whether the user and group
	// search bases are known, either from the spec or from the server's defaultNamingContext.
	ConditionSearchBaseFound = "SearchBaseFound"

	// ConditionHostValid (GitHub) reports whether spec.githubAPI.host is a usable host.
	ConditionHostValid = "HostValid"

	// ConditionOrganizationsPolicyValid (GitHub) reports whether the organization policy
	// agrees with the list of allowed organizations.
	ConditionOrganizationsPolicyValid = "OrganizationsPolicyValid"

	// ConditionGitHubConnectionValid (GitHub) reports whether the Supervisor could reach
	// the GitHub API.
	ConditionGitHubConnectionValid = "GitHubConnectionValid"

	// ConditionClaimsValid (GitHub) reports whether spec.claims holds known values.
	ConditionClaimsValid = "ClaimsValid"
)

// Reasons the Supervisor gives on identity provider conditions, besides the TLS one.
const (
	// ReasonSuccess goes with a True condition.
	ReasonSuccess = "Success"

	// ReasonUnableToValidate goes with an Unknown condition whose check depends on another
	// check that failed.
	ReasonUnableToValidate = "UnableToValidate"

	// ReasonSecretNotFound means the referenced Secret does not exist.
	ReasonSecretNotFound = "SecretNotFound"

	// ReasonSecretWrongType means the referenced Secret has an unexpected type.
	ReasonSecretWrongType = "SecretWrongType"

	// ReasonSecretMissingKeys means the referenced Secret lacks a required key.
	ReasonSecretMissingKeys = "SecretMissingKeys"

	// ReasonUnreachable means the OIDC issuer's discovery document could not be fetched.
	ReasonUnreachable = "Unreachable"

	// ReasonInvalidResponse means the OIDC issuer's discovery document could not be used.
	ReasonInvalidResponse = "InvalidResponse"

	// ReasonDisallowedParameterName means an additional authorize parameter uses a name
	// that the Supervisor sets itself.
	ReasonDisallowedParameterName = "DisallowedParameterName"

	// ReasonLDAPConnectionError means the LDAP server could not be reached or the bind
	// failed.
	ReasonLDAPConnectionError = "LDAPConnectionError"

	// ReasonUsingConfigurationFromSpec means the Active Directory search bases come from
	// the spec.
	ReasonUsingConfigurationFromSpec = "UsingConfigurationFromSpec"

	// ReasonErrorFetchingSearchBase means the defaultNamingContext could not be read from
	// the Active Directory server.
	ReasonErrorFetchingSearchBase = "ErrorFetchingSearchBase"

	// ReasonInvalid means a GitHub setting has a value that cannot be used.
	ReasonInvalid = "Invalid"

	// ReasonInvalidHost means spec.githubAPI.host is not a usable host.
	ReasonInvalidHost = "InvalidHost"

	// ReasonUnableToMakeRequest means the GitHub API could not be reached.
	ReasonUnableToMakeRequest = "UnableToMakeRequest"
)
