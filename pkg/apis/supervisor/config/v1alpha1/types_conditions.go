// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

// Condition types the Supervisor writes to FederationDomains and OIDCClients. The phase of
// an object is Ready only when all its conditions are True.
const (
	// ConditionReady (FederationDomain) is True only when all other conditions are True.
	// Once it is True the issuer's endpoints are being served.
	ConditionReady = "Ready"

	// ConditionIssuerURLValid (FederationDomain) reports whether spec.issuer is an https
	// URL with a host and without user info, query, fragment or trailing slash.
	ConditionIssuerURLValid = "IssuerURLValid"

	// ConditionIssuerIsUnique (FederationDomain) reports whether no other FederationDomain
	// uses the same issuer.
	ConditionIssuerIsUnique = "IssuerIsUnique"

	// ConditionOneTLSSecretPerIssuerHostname (FederationDomain) reports whether every
	// FederationDomain on the same host names the same TLS Secret.
	ConditionOneTLSSecretPerIssuerHostname = "OneTLSSecretPerIssuerHostname"

	// ConditionIdentityProvidersFound (FederationDomain) reports whether every referenced
	// identity provider exists or, with none listed, whether exactly one exists.
	ConditionIdentityProvidersFound = "IdentityProvidersFound"

	// ConditionIdentityProvidersDisplayNamesUnique (FederationDomain) reports whether the
	// display names in spec.identityProviders are distinct.
	ConditionIdentityProvidersDisplayNamesUnique = "IdentityProvidersDisplayNamesUnique"

	// ConditionIdentityProvidersObjectRefAPIGroupSuffixValid (FederationDomain) reports
	// whether every objectRef names the Supervisor's identity provider API group.
	ConditionIdentityProvidersObjectRefAPIGroupSuffixValid = "IdentityProvidersObjectRefAPIGroupSuffixValid"

	// ConditionIdentityProvidersObjectRefKindValid (FederationDomain) reports whether every
	// objectRef names a known identity provider kind.
	ConditionIdentityProvidersObjectRefKindValid = "IdentityProvidersObjectRefKindValid"

	// ConditionTransformsExpressionsValid (FederationDomain) reports whether every
	// transform expression compiled.
	ConditionTransformsExpressionsValid = "TransformsExpressionsValid"

	// ConditionTransformsExamplesPassed (FederationDomain) reports whether every transform
	// example produced its expected result.
	ConditionTransformsExamplesPassed = "TransformsExamplesPassed"

	// ConditionAllowedGrantTypesValid (OIDCClient) reports whether spec.allowedGrantTypes
	// agrees with spec.allowedScopes.
	ConditionAllowedGrantTypesValid = "AllowedGrantTypesValid"

	// ConditionAllowedScopesValid (OIDCClient) reports whether spec.allowedScopes agrees
	// with itself and with spec.allowedGrantTypes.
	ConditionAllowedScopesValid = "AllowedScopesValid"

	// ConditionClientSecretExists (OIDCClient) reports whether the client has at least one
	// usable client secret.
	ConditionClientSecretExists = "ClientSecretExists"
)

// Reasons the Supervisor gives on the conditions of FederationDomains and OIDCClients.
const (
	// ReasonSuccess goes with a True condition.
	ReasonSuccess = "Success"

	// ReasonNotReady goes with a False Ready condition.
	ReasonNotReady = "NotReady"

	// ReasonUnableToValidate goes with an Unknown condition whose check depends on another
	// check that failed.
	ReasonUnableToValidate = "UnableToValidate"

	// ReasonInvalidIssuerURL means spec.issuer could not be used.
	ReasonInvalidIssuerURL = "InvalidIssuerURL"

	// ReasonDuplicateIssuer means another FederationDomain has the same issuer.
	ReasonDuplicateIssuer = "DuplicateIssuer"

	// ReasonDifferentSecretRefsFound means FederationDomains on one host name different
	// TLS Secrets.
	ReasonDifferentSecretRefsFound = "DifferentSecretRefsFound"

	// ReasonLegacyConfigurationSuccess means spec.identityProviders is empty and the only
	// identity provider in the namespace is used.
	ReasonLegacyConfigurationSuccess = "LegacyConfigurationSuccess"

	// ReasonIdentityProviderNotSpecified means spec.identityProviders is empty while more
	// than one identity provider exists, so none can be chosen.
	ReasonIdentityProviderNotSpecified = "IdentityProviderNotSpecified"

	// ReasonLegacyConfigurationIdentityProviderNotFound means spec.identityProviders is
	// empty and no identity provider exists.
	ReasonLegacyConfigurationIdentityProviderNotFound = "LegacyConfigurationIdentityProviderNotFound"

	// ReasonIdentityProvidersObjectRefsNotFound means an objectRef names an identity
	// provider that does not exist.
	ReasonIdentityProvidersObjectRefsNotFound = "IdentityProvidersObjectRefsNotFound"

	// ReasonDuplicateDisplayNames means two entries of spec.identityProviders share a
	// display name.
	ReasonDuplicateDisplayNames = "DuplicateDisplayNames"

	// ReasonAPIGroupUnrecognized means an objectRef names an API group other than the
	// Supervisor's identity provider group.
	ReasonAPIGroupUnrecognized = "APIGroupUnrecognized"

	// ReasonKindUnrecognized means an objectRef names a kind that is not an identity
	// provider.
	ReasonKindUnrecognized = "KindUnrecognized"

	// ReasonInvalidTransformsExpressions means a transform expression did not compile.
	ReasonInvalidTransformsExpressions = "InvalidTransformsExpressions"

	// ReasonTransformsExamplesFailed means a transform example did not produce its
	// expected result.
	ReasonTransformsExamplesFailed = "TransformsExamplesFailed"

	// ReasonMissingRequiredValue (OIDCClient) means a grant type or scope that another
	// allowed value depends on is missing.
	ReasonMissingRequiredValue = "MissingRequiredValue"

	// ReasonNoClientSecretFound (OIDCClient) means no client secret was ever generated,
	// or all were revoked.
	ReasonNoClientSecretFound = "NoClientSecretFound"

	// ReasonInvalidClientSecretFound (OIDCClient) means a stored client secret hash is
	// unreadable or weaker than bcrypt cost 12.
	ReasonInvalidClientSecretFound = "InvalidClientSecretFound"
)
