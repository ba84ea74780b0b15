// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
)

// unableToValidate is a check skipped because another failed.
var unableToValidate = condition{
	Status: metav1.ConditionUnknown, Reason: "UnableToValidate",
	Message: "unable to validate; see other conditions for details",
}

// TestLegacyIdentityProvider checks the mode where a FederationDomain lists no identity
// provider and uses the only one in the namespace. It must run while no other test
// has identity providers.
func TestLegacyIdentityProvider(t *testing.T) {
	issuer := fmt.Sprintf("https://legacy.example.test:%d/legacy", supervisor.Port)
	createFD(t, "fd-legacy", configv1alpha1.FederationDomainSpec{Issuer: issuer})

	waitForConditions(t, "fd-legacy", configv1alpha1.FederationDomainPhaseError, map[string]condition{
		"IdentityProvidersFound": failure("LegacyConfigurationIdentityProviderNotFound",
			"no .spec.identityProviders[] are listed and no identity provider exists in the namespace"),
		"Ready": notReady,
	}, false)

	createOIDCIdP(t, "only-one", false)
	want := readyConditions(issuer)
	legacy := "no .spec.identityProviders[] are listed, so the single identity provider is used"
	want["IdentityProvidersFound"] = condition{Status: metav1.ConditionTrue, Reason: "LegacyConfigurationSuccess",
		Message: `no .spec.identityProviders[] are listed, so the only identity provider in the namespace, ` +
			`"only-one", is used`}
	want["IdentityProvidersDisplayNamesUnique"] = success(legacy)
	want["IdentityProvidersObjectRefAPIGroupSuffixValid"] = success(legacy)
	want["IdentityProvidersObjectRefKindValid"] = success(legacy)
	waitForConditions(t, "fd-legacy", configv1alpha1.FederationDomainPhaseReady, want, true)

	createLDAPIdP(t, "second")
	waitForConditions(t, "fd-legacy", configv1alpha1.FederationDomainPhaseError, map[string]condition{
		"IdentityProvidersFound": failure("IdentityProviderNotSpecified",
			"no .spec.identityProviders[] are listed and 2 identity providers exist in the namespace, "+
				"so none can be chosen"),
		"Ready": notReady,
	}, false)
}

// TestInvalidFederationDomains checks the conditions of FederationDomains that cannot
// be served.
func TestInvalidFederationDomains(t *testing.T) {
	port := supervisor.Port
	createOIDCIdP(t, "valid-idp", false)
	valid := []configv1alpha1.FederationDomainIdentityProvider{idpRef("idp", "OIDCIdentityProvider", "valid-idp")}

	dupA := fmt.Sprintf("https://dup.example.test:%d/x", port)
	dupB := fmt.Sprintf("https://DUP.example.test:%d/x", port)
	createFD(t, "fd-dup-a", configv1alpha1.FederationDomainSpec{Issuer: dupA, IdentityProviders: valid})
	createFD(t, "fd-dup-b", configv1alpha1.FederationDomainSpec{Issuer: dupB, IdentityProviders: valid})
	createFD(t, "fd-slash", configv1alpha1.FederationDomainSpec{
		Issuer: fmt.Sprintf("https://slash.example.test:%d/path/", port), IdentityProviders: valid,
	})
	createFD(t, "fd-missing-idp", configv1alpha1.FederationDomainSpec{
		Issuer: fmt.Sprintf("https://missing.example.test:%d", port),
		IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{
			idpRef("ghost", "OIDCIdentityProvider", "does-not-exist"),
			idpRef("weird", "FooIdentityProvider", "valid-idp"),
			idpRef("ghost", "OIDCIdentityProvider", "valid-idp"),
		},
	})
	for _, name := range []string{"fd-tls-a", "fd-tls-b"} {
		createFD(t, name, configv1alpha1.FederationDomainSpec{
			Issuer:            fmt.Sprintf("https://tls.example.test:%d/%s", port, name),
			TLS:               &configv1alpha1.FederationDomainTLSSpec{SecretName: name},
			IdentityProviders: valid,
		})
	}

	for name, issuer := range map[string]string{"fd-dup-a": dupA, "fd-dup-b": dupB} {
		waitForConditions(t, name, configv1alpha1.FederationDomainPhaseError, map[string]condition{
			"IssuerIsUnique": failure("DuplicateIssuer", "more than one FederationDomain has the issuer "+issuer),
			"IssuerURLValid": success("spec.issuer is a valid URL"),
			"Ready":          notReady,
		}, false)
	}
	waitForConditions(t, "fd-slash", configv1alpha1.FederationDomainPhaseError, map[string]condition{
		"IssuerURLValid": failure("InvalidIssuerURL",
			"could not use spec.issuer: issuer must not have trailing slash in path"),
		"IssuerIsUnique":                unableToValidate,
		"OneTLSSecretPerIssuerHostname": unableToValidate,
		"Ready":                         notReady,
	}, false)
	waitForConditions(t, "fd-missing-idp", configv1alpha1.FederationDomainPhaseError, map[string]condition{
		"IdentityProvidersFound": failure("IdentityProvidersObjectRefsNotFound",
			`could not find the identity providers of .spec.identityProviders[0] with displayName "ghost", `+
				`.spec.identityProviders[1] with displayName "weird"`),
		"IdentityProvidersDisplayNamesUnique": failure("DuplicateDisplayNames",
			`more than one entry of .spec.identityProviders[] has the display name "ghost"`),
		"IdentityProvidersObjectRefKindValid": failure("KindUnrecognized",
			"the kind must be one of ActiveDirectoryIdentityProvider, GitHubIdentityProvider, "+
				`LDAPIdentityProvider, OIDCIdentityProvider, not "FooIdentityProvider"`),
		"IdentityProvidersObjectRefAPIGroupSuffixValid": success(
			"every .spec.identityProviders[].objectRef.apiGroup is idp.supervisor.pinniped.dev"),
		"Ready": notReady,
	}, false)
	for _, name := range []string{"fd-tls-a", "fd-tls-b"} {
		waitForConditions(t, name, configv1alpha1.FederationDomainPhaseError, map[string]condition{
			"OneTLSSecretPerIssuerHostname": failure("DifferentSecretRefsFound",
				`FederationDomains with issuer host "tls.example.test" name different spec.tls.secretName values`),
			"Ready": notReady,
		}, false)
	}
}
