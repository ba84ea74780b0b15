// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcclientvalidator checks an OIDCClient and its stored secret hashes.
// The OIDCClient controller reports the result as status conditions, and the
// Supervisor's OAuth endpoints run the same check on every request, so that an
// invalid client never authenticates, even while its status is stale.
package oidcclientvalidator

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// Condition types and reasons of an OIDCClient's status.
const (
	TypeAllowedGrantTypesValid = "AllowedGrantTypesValid"
	TypeAllowedScopesValid     = "AllowedScopesValid"
	TypeClientSecretExists     = "ClientSecretExists"

	ReasonMissingRequiredValue     = "MissingRequiredValue"
	ReasonNoClientSecretFound      = "NoClientSecretFound"
	ReasonInvalidClientSecretFound = "InvalidClientSecretFound"
)

// MinimumCost is the lowest bcrypt cost a stored hash may have; hashes are made
// at this cost by OIDCClientSecretRequest.
const MinimumCost = 12

// Result is the outcome of Validate.
type Result struct {
	// Conditions are the checks, without the Ready summary.
	Conditions []metav1.Condition
	// Valid is true when every check passed: the client may be used.
	Valid bool
}

// Validate checks the spec's grant types and scopes against each other, and that
// at least one secret hash is stored and every one is bcrypt at MinimumCost or
// more. hashesErr is the error of reading the hashes, if any; it makes the
// client invalid like a bad hash does.
func Validate(spec *configv1alpha1.OIDCClientSpec, hashes []string, hashesErr error) Result {
	checks := []metav1.Condition{
		checkGrantTypes(spec),
		checkScopes(spec),
		checkSecrets(hashes, hashesErr),
	}
	return Result{Conditions: checks, Valid: conditions.AllTrue(checks)}
}

func checkGrantTypes(spec *configv1alpha1.OIDCClientSpec) metav1.Condition {
	var problems []string
	if !slices.Contains(spec.AllowedGrantTypes, configv1alpha1.GrantTypeAuthorizationCode) {
		problems = append(problems, always(configv1alpha1.GrantTypeAuthorizationCode, "allowedGrantTypes"))
	}
	if hasScope(spec, configv1alpha1.ScopeOfflineAccess) && !hasGrant(spec, configv1alpha1.GrantTypeRefreshToken) {
		problems = append(problems, requiredWhen(configv1alpha1.GrantTypeRefreshToken, "allowedGrantTypes",
			configv1alpha1.ScopeOfflineAccess, "allowedScopes"))
	}
	if hasScope(spec, configv1alpha1.ScopeRequestAudience) && !hasGrant(spec, configv1alpha1.GrantTypeTokenExchange) {
		problems = append(problems, requiredWhen(configv1alpha1.GrantTypeTokenExchange, "allowedGrantTypes",
			configv1alpha1.ScopeRequestAudience, "allowedScopes"))
	}
	if len(problems) > 0 {
		return conditions.False(TypeAllowedGrantTypesValid, ReasonMissingRequiredValue,
			strings.Join(problems, "; "))
	}
	return conditions.True(TypeAllowedGrantTypesValid, `"allowedGrantTypes" is valid`)
}

func checkScopes(spec *configv1alpha1.OIDCClientSpec) metav1.Condition {
	var problems []string
	if !hasScope(spec, configv1alpha1.ScopeOpenID) {
		problems = append(problems, always(configv1alpha1.ScopeOpenID, "allowedScopes"))
	}
	if hasGrant(spec, configv1alpha1.GrantTypeRefreshToken) && !hasScope(spec, configv1alpha1.ScopeOfflineAccess) {
		problems = append(problems, requiredWhen(configv1alpha1.ScopeOfflineAccess, "allowedScopes",
			configv1alpha1.GrantTypeRefreshToken, "allowedGrantTypes"))
	}
	if hasGrant(spec, configv1alpha1.GrantTypeTokenExchange) && !hasScope(spec, configv1alpha1.ScopeRequestAudience) {
		problems = append(problems, requiredWhen(configv1alpha1.ScopeRequestAudience, "allowedScopes",
			configv1alpha1.GrantTypeTokenExchange, "allowedGrantTypes"))
	}
	if hasScope(spec, configv1alpha1.ScopeRequestAudience) {
		// An exchanged token is only useful to a cluster if it says who the user is.
		for _, needed := range []configv1alpha1.Scope{configv1alpha1.ScopeUsername, configv1alpha1.ScopeGroups} {
			if !hasScope(spec, needed) {
				problems = append(problems, requiredWhen(needed, "allowedScopes",
					configv1alpha1.ScopeRequestAudience, "allowedScopes"))
			}
		}
	}
	if len(problems) > 0 {
		return conditions.False(TypeAllowedScopesValid, ReasonMissingRequiredValue, strings.Join(problems, "; "))
	}
	return conditions.True(TypeAllowedScopesValid, `"allowedScopes" is valid`)
}

func checkSecrets(hashes []string, hashesErr error) metav1.Condition {
	if hashesErr != nil {
		return conditions.False(TypeClientSecretExists, ReasonInvalidClientSecretFound,
			fmt.Sprintf("could not read the stored client secrets: %v", hashesErr))
	}
	if len(hashes) == 0 {
		return conditions.False(TypeClientSecretExists, ReasonNoClientSecretFound, "no client secret found")
	}
	var problems []string
	for i, hash := range hashes {
		cost, err := bcrypt.Cost([]byte(hash))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("hashed client secret at index %d: %v", i, err))
		case cost < MinimumCost:
			problems = append(problems, fmt.Sprintf(
				"hashed client secret at index %d: bcrypt cost %d is below the required minimum of %d",
				i, cost, MinimumCost))
		}
	}
	if len(problems) > 0 {
		return conditions.False(TypeClientSecretExists, ReasonInvalidClientSecretFound, fmt.Sprintf(
			"%d stored client secret(s) found, but some were invalid, so none will be used: %s",
			len(hashes), strings.Join(problems, "; ")))
	}
	return conditions.True(TypeClientSecretExists, fmt.Sprintf("%d client secret(s) found", len(hashes)))
}

func hasGrant(spec *configv1alpha1.OIDCClientSpec, g configv1alpha1.GrantType) bool {
	return slices.Contains(spec.AllowedGrantTypes, g)
}

func hasScope(spec *configv1alpha1.OIDCClientSpec, s configv1alpha1.Scope) bool {
	return slices.Contains(spec.AllowedScopes, s)
}

func always[T ~string](value T, field string) string {
	return fmt.Sprintf("%q must always be included in %q", value, field)
}

func requiredWhen[T, U ~string](value T, field string, because U, becauseField string) string {
	return fmt.Sprintf("%q must be included in %q when %q is included in %q", value, field, because, becauseField)
}
