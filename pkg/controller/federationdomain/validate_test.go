// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomain

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

const idpGroup = "idp.supervisor.pinniped.dev"

func fd(name, issuer string, idps ...configv1alpha1.FederationDomainIdentityProvider) *configv1alpha1.FederationDomain {
	return &configv1alpha1.FederationDomain{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID("uid-" + name)},
		Spec:       configv1alpha1.FederationDomainSpec{Issuer: issuer, IdentityProviders: idps},
	}
}

func ref(displayName, group, kind, name string) configv1alpha1.FederationDomainIdentityProvider {
	return configv1alpha1.FederationDomainIdentityProvider{
		DisplayName: displayName,
		ObjectRef:   corev1.TypedLocalObjectReference{APIGroup: ptr.To(group), Kind: kind, Name: name},
	}
}

// summary is a condition without its times, as "Status/Reason: message".
func summary(conds []metav1.Condition) map[string]string {
	out := map[string]string{}
	for _, c := range conds {
		out[c.Type] = string(c.Status) + "/" + c.Reason + ": " + c.Message
	}
	return out
}

func TestIssuerValidation(t *testing.T) {
	tests := []struct {
		issuer  string
		wantErr string
	}{
		{issuer: "https://example.com/a/b"},
		{issuer: "https://example.com:8443"},
		{issuer: "http://example.com", wantErr: `issuer must have "https" scheme`},
		{issuer: "https:///path", wantErr: "issuer must have a host"},
		{issuer: "https://user:pw@example.com", wantErr: "issuer must not have username or password"},
		{issuer: "https://example.com/", wantErr: "issuer must not have trailing slash in path"},
		{issuer: "https://example.com/a?b=c", wantErr: "issuer must not have query"},
		{issuer: "https://example.com/a?", wantErr: "issuer must not have query"},
		{issuer: "https://example.com/a#frag", wantErr: "issuer must not have fragment"},
		{issuer: "https://example.com/a#", wantErr: "issuer must not have fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			_, err := parseIssuer(tt.issuer)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestValidate(t *testing.T) {
	oidc := ref("okta", idpGroup, kindOIDC, "okta")
	idps := &idpSet{byKind: map[string]map[string]endpoints.IdentityProvider{}}
	idps.add(kindOIDC, "okta", idpdiscoveryv1alpha1.IDPTypeOIDC, true)

	t.Run("valid_is_served_and_ready", func(t *testing.T) {
		one := fd("one", "https://one.example.com/a", oidc)
		one.Spec.TLS = &configv1alpha1.FederationDomainTLSSpec{SecretName: "tls-one"}
		results := validate([]*configv1alpha1.FederationDomain{one}, idps, idpGroup)
		require.Len(t, results, 1)
		require.Equal(t, &endpoints.FederationDomain{
			Name: "one", UID: "uid-one", Issuer: "https://one.example.com/a", JWKSSecretName: "one-jwks",
			TLSSecretName: "tls-one",
			IdentityProviders: []endpoints.IdentityProvider{
				{DisplayName: "okta", Type: idpdiscoveryv1alpha1.IDPTypeOIDC, ResourceName: "okta",
					AllowPasswordGrant: true},
			},
		}, results[0].served)
		require.Equal(t, "True/Success: the FederationDomain is ready and its endpoints are available: "+
			"the discovery endpoint is https://one.example.com/a/.well-known/openid-configuration",
			summary(results[0].conditions)["Ready"])
	})

	t.Run("duplicates_compare_hosts_lowercased_and_paths_exactly", func(t *testing.T) {
		results := validate([]*configv1alpha1.FederationDomain{
			fd("a", "https://Dup.example.com/x", oidc),
			fd("b", "https://dup.EXAMPLE.com/x", oidc),
			fd("c", "https://dup.example.com/X", oidc),
		}, idps, idpGroup)
		require.Equal(t,
			"False/DuplicateIssuer: more than one FederationDomain has the issuer https://Dup.example.com/x",
			summary(results[0].conditions)["IssuerIsUnique"])
		require.Nil(t, results[0].served)
		require.Nil(t, results[1].served)
		require.NotNil(t, results[2].served)
	})

	t.Run("ip_hosts_never_conflict_on_tls_secrets", func(t *testing.T) {
		a, b := fd("a", "https://10.0.0.1/a", oidc), fd("b", "https://10.0.0.1/b", oidc)
		a.Spec.TLS = &configv1alpha1.FederationDomainTLSSpec{SecretName: "x"}
		results := validate([]*configv1alpha1.FederationDomain{a, b}, idps, idpGroup)
		require.NotNil(t, results[0].served)
		require.NotNil(t, results[1].served)
	})

	t.Run("bad_refs", func(t *testing.T) {
		results := validate([]*configv1alpha1.FederationDomain{fd("a", "https://a.example.com",
			ref("x", "idp.supervisor.example.io", kindOIDC, "okta"),
			ref("x", idpGroup, "Nope", "okta"),
		)}, idps, idpGroup)
		got := summary(results[0].conditions)
		require.Equal(t, map[string]string{
			"IdentityProvidersFound": "False/IdentityProvidersObjectRefsNotFound: could not find the identity " +
				`providers of .spec.identityProviders[0] with displayName "x", .spec.identityProviders[1] with ` +
				`displayName "x"`,
			"IdentityProvidersDisplayNamesUnique": "False/DuplicateDisplayNames: more than one entry of " +
				`.spec.identityProviders[] has the display name "x"`,
			"IdentityProvidersObjectRefAPIGroupSuffixValid": `False/APIGroupUnrecognized: the API group must be ` +
				`"idp.supervisor.pinniped.dev", not "idp.supervisor.example.io"`,
			"IdentityProvidersObjectRefKindValid": "False/KindUnrecognized: the kind must be one of " +
				"ActiveDirectoryIdentityProvider, GitHubIdentityProvider, LDAPIdentityProvider, " +
				`OIDCIdentityProvider, not "Nope"`,
			"IssuerIsUnique": "True/Success: no other FederationDomain has the same issuer",
			"IssuerURLValid": "True/Success: spec.issuer is a valid URL",
			"OneTLSSecretPerIssuerHostname": "True/Success: every FederationDomain with the same issuer host " +
				"names the same TLS Secret",
			"Ready": "False/NotReady: the FederationDomain is not ready: see other conditions for details",
			"TransformsExamplesPassed": "True/Success: no transforms are given, so there are no examples " +
				"to run",
			"TransformsExpressionsValid": "True/Success: no transforms are given, so there are no " +
				"expressions to compile",
		}, got)
	})

	t.Run("transforms_are_refused_until_supported", func(t *testing.T) {
		withTransforms := ref("okta", idpGroup, kindOIDC, "okta")
		withTransforms.Transforms.Expressions = []configv1alpha1.FederationDomainTransformsExpression{
			{Type: configv1alpha1.FederationDomainTransformsExpressionTypeUsername, Expression: `"x"`},
		}
		results := validate([]*configv1alpha1.FederationDomain{fd("a", "https://a.example.com", withTransforms)},
			idps, idpGroup)
		got := summary(results[0].conditions)
		require.Equal(t, "False/InvalidTransformsExpressions: transforms are not supported yet",
			got["TransformsExpressionsValid"])
		require.Equal(t, "False/TransformsExamplesFailed: transforms are not supported yet",
			got["TransformsExamplesPassed"])
		require.Nil(t, results[0].served)
	})
}
