// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomain

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
	idplisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// Kinds of identity providers an objectRef may name.
const (
	kindOIDC            = "OIDCIdentityProvider"
	kindLDAP            = "LDAPIdentityProvider"
	kindActiveDirectory = "ActiveDirectoryIdentityProvider"
	kindGitHub          = "GitHubIdentityProvider"
)

// validKinds are the kinds an objectRef may name, as listed in condition messages.
var validKinds = []string{kindActiveDirectory, kindGitHub, kindLDAP, kindOIDC}

// idpLookup lists the identity providers of every kind.
type idpLookup struct {
	group           string
	oidc            idplisters.OIDCIdentityProviderLister
	ldap            idplisters.LDAPIdentityProviderLister
	activeDirectory idplisters.ActiveDirectoryIdentityProviderLister
	github          idplisters.GitHubIdentityProviderLister
}

func newIDPLookup(opts Options) *idpLookup {
	group, _ := groupsuffix.Replace(idpv1alpha1.GroupName, opts.APIGroupSuffix)
	return &idpLookup{
		group:           group,
		oidc:            opts.OIDC.Lister(),
		ldap:            opts.LDAP.Lister(),
		activeDirectory: opts.ActiveDirectory.Lister(),
		github:          opts.GitHub.Lister(),
	}
}

// idpSet is every identity provider of the namespace, by kind and name.
type idpSet struct {
	byKind map[string]map[string]endpoints.IdentityProvider
	count  int
	// only is the single identity provider of the namespace, when there is one.
	only endpoints.IdentityProvider
}

// all lists the identity providers of a namespace.
func (l *idpLookup) all(namespace string) (*idpSet, error) {
	s := &idpSet{byKind: map[string]map[string]endpoints.IdentityProvider{}}
	oidcs, err := l.oidc.OIDCIdentityProviders(namespace).List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("could not list OIDCIdentityProviders: %w", err)
	}
	for _, p := range oidcs {
		s.add(kindOIDC, p.Name, idpdiscoveryv1alpha1.IDPTypeOIDC, p.Spec.AuthorizationConfig.AllowPasswordGrant)
	}
	ldaps, err := l.ldap.LDAPIdentityProviders(namespace).List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("could not list LDAPIdentityProviders: %w", err)
	}
	for _, p := range ldaps {
		s.add(kindLDAP, p.Name, idpdiscoveryv1alpha1.IDPTypeLDAP, false)
	}
	ads, err := l.activeDirectory.ActiveDirectoryIdentityProviders(namespace).List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("could not list ActiveDirectoryIdentityProviders: %w", err)
	}
	for _, p := range ads {
		s.add(kindActiveDirectory, p.Name, idpdiscoveryv1alpha1.IDPTypeActiveDirectory, false)
	}
	githubs, err := l.github.GitHubIdentityProviders(namespace).List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("could not list GitHubIdentityProviders: %w", err)
	}
	for _, p := range githubs {
		s.add(kindGitHub, p.Name, idpdiscoveryv1alpha1.IDPTypeGitHub, false)
	}
	return s, nil
}

func (s *idpSet) add(kind, name string, idpType idpdiscoveryv1alpha1.IDPType, allowPasswordGrant bool) {
	if s.byKind[kind] == nil {
		s.byKind[kind] = map[string]endpoints.IdentityProvider{}
	}
	idp := endpoints.IdentityProvider{
		DisplayName: name, ResourceName: name, Type: idpType, AllowPasswordGrant: allowPasswordGrant,
	}
	s.byKind[kind][name] = idp
	s.count++
	s.only = idp
}

// resolve finds the identity providers of a FederationDomain and returns them with the
// identity provider conditions.
func (s *idpSet) resolve(
	fd *configv1alpha1.FederationDomain, group string,
) ([]endpoints.IdentityProvider, []metav1.Condition) {
	if len(fd.Spec.IdentityProviders) == 0 {
		return s.resolveLegacy()
	}
	var resolved []endpoints.IdentityProvider
	var badGroups, badKinds, notFound, duplicates []string
	seen := map[string]bool{}
	for i, ref := range fd.Spec.IdentityProviders {
		if seen[ref.DisplayName] {
			duplicates = append(duplicates, quote(ref.DisplayName))
		}
		seen[ref.DisplayName] = true
		apiGroup := ""
		if ref.ObjectRef.APIGroup != nil {
			apiGroup = *ref.ObjectRef.APIGroup
		}
		if apiGroup != group {
			badGroups = append(badGroups, quote(apiGroup))
		}
		if !knownKind(ref.ObjectRef.Kind) {
			badKinds = append(badKinds, quote(ref.ObjectRef.Kind))
		}
		idp, found := s.byKind[ref.ObjectRef.Kind][ref.ObjectRef.Name]
		if apiGroup != group || !found {
			notFound = append(notFound, fmt.Sprintf(".spec.identityProviders[%d] with displayName %q", i,
				ref.DisplayName))
			continue
		}
		idp.DisplayName = ref.DisplayName
		resolved = append(resolved, idp)
	}
	return resolved, []metav1.Condition{
		check(configv1alpha1.ConditionIdentityProvidersFound, notFound,
			configv1alpha1.ReasonIdentityProvidersObjectRefsNotFound,
			"every identity provider in .spec.identityProviders[].objectRef was found",
			"could not find the identity providers of "),
		check(configv1alpha1.ConditionIdentityProvidersDisplayNamesUnique, duplicates,
			configv1alpha1.ReasonDuplicateDisplayNames,
			"the display names in .spec.identityProviders[] are unique",
			"more than one entry of .spec.identityProviders[] has the display name "),
		check(configv1alpha1.ConditionIdentityProvidersObjectRefAPIGroupSuffixValid, badGroups,
			configv1alpha1.ReasonAPIGroupUnrecognized,
			"every .spec.identityProviders[].objectRef.apiGroup is "+group,
			"the API group must be "+quote(group)+", not "),
		check(configv1alpha1.ConditionIdentityProvidersObjectRefKindValid, badKinds,
			configv1alpha1.ReasonKindUnrecognized,
			"every .spec.identityProviders[].objectRef.kind is a known identity provider kind",
			"the kind must be one of "+strings.Join(validKinds, ", ")+", not "),
	}
}

// resolveLegacy serves the only identity provider of the namespace, under its own name,
// to a FederationDomain that lists none.
func (s *idpSet) resolveLegacy() ([]endpoints.IdentityProvider, []metav1.Condition) {
	const legacy = "no .spec.identityProviders[] are listed, so the single identity provider is used"
	out := []metav1.Condition{
		conditions.True(configv1alpha1.ConditionIdentityProvidersDisplayNamesUnique, legacy),
		conditions.True(configv1alpha1.ConditionIdentityProvidersObjectRefAPIGroupSuffixValid, legacy),
		conditions.True(configv1alpha1.ConditionIdentityProvidersObjectRefKindValid, legacy),
	}
	var found metav1.Condition
	var resolved []endpoints.IdentityProvider
	switch s.count {
	case 0:
		found = conditions.False(configv1alpha1.ConditionIdentityProvidersFound,
			configv1alpha1.ReasonLegacyConfigurationIdentityProviderNotFound,
			"no .spec.identityProviders[] are listed and no identity provider exists in the namespace")
	case 1:
		found = conditions.True(configv1alpha1.ConditionIdentityProvidersFound,
			"no .spec.identityProviders[] are listed, so the only identity provider in the namespace, "+
				quote(s.only.DisplayName)+", is used")
		found.Reason = configv1alpha1.ReasonLegacyConfigurationSuccess
		resolved = []endpoints.IdentityProvider{s.only}
	default:
		found = conditions.False(configv1alpha1.ConditionIdentityProvidersFound,
			configv1alpha1.ReasonIdentityProviderNotSpecified,
			fmt.Sprintf("no .spec.identityProviders[] are listed and %d identity providers exist in the "+
				"namespace, so none can be chosen", s.count))
	}
	return resolved, append([]metav1.Condition{found}, out...)
}

func knownKind(kind string) bool {
	for _, k := range validKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// check returns a True condition when there are no problems, else a False one whose
// message lists them, sorted so that the message is stable.
func check(conditionType string, problems []string, reason, okMessage, badPrefix string) metav1.Condition {
	if len(problems) == 0 {
		return conditions.True(conditionType, okMessage)
	}
	sort.Strings(problems)
	return conditions.False(conditionType, reason, badPrefix+strings.Join(problems, ", "))
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// transformsConditions reports on the transforms of a FederationDomain.
//
// Known limitation: CEL transforms are not compiled or run yet. Without transforms
// both conditions are True; with any constant, expression or example both are False,
// so that a FederationDomain whose transforms would be silently ignored never becomes
// Ready.
func transformsConditions(fd *configv1alpha1.FederationDomain) []metav1.Condition {
	for _, idp := range fd.Spec.IdentityProviders {
		t := idp.Transforms
		if len(t.Constants) > 0 || len(t.Expressions) > 0 || len(t.Examples) > 0 {
			const msg = "transforms are not supported yet"
			return []metav1.Condition{
				conditions.False(configv1alpha1.ConditionTransformsExpressionsValid,
					configv1alpha1.ReasonInvalidTransformsExpressions, msg),
				conditions.False(configv1alpha1.ConditionTransformsExamplesPassed,
					configv1alpha1.ReasonTransformsExamplesFailed, msg),
			}
		}
	}
	return []metav1.Condition{
		conditions.True(configv1alpha1.ConditionTransformsExpressionsValid,
			"no transforms are given, so there are no expressions to compile"),
		conditions.True(configv1alpha1.ConditionTransformsExamplesPassed,
			"no transforms are given, so there are no examples to run"),
	}
}
