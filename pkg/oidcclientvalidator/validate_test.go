// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclientvalidator

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
)

func TestValidate(t *testing.T) {
	cost12, err := bcrypt.GenerateFromPassword([]byte("secret"), 12)
	require.NoError(t, err)
	cost4, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	require.NoError(t, err)
	good := []string{string(cost12)}

	const (
		authcode = configv1alpha1.GrantTypeAuthorizationCode
		refresh  = configv1alpha1.GrantTypeRefreshToken
		exchange = configv1alpha1.GrantTypeTokenExchange
		openid   = configv1alpha1.ScopeOpenID
		offline  = configv1alpha1.ScopeOfflineAccess
		audience = configv1alpha1.ScopeRequestAudience
		username = configv1alpha1.ScopeUsername
		groups   = configv1alpha1.ScopeGroups
	)
	tests := []struct {
		name      string
		grants    []configv1alpha1.GrantType
		scopes    []configv1alpha1.Scope
		hashes    []string
		hashesErr error
		want      map[string]string // condition type -> "True" or the False message
	}{
		{
			name: "minimal_client_is_valid", grants: []configv1alpha1.GrantType{authcode},
			scopes: []configv1alpha1.Scope{openid}, hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True", TypeAllowedScopesValid: "True",
				TypeClientSecretExists: "True",
			},
		},
		{
			name:   "everything_allowed_is_valid",
			grants: []configv1alpha1.GrantType{authcode, refresh, exchange},
			scopes: []configv1alpha1.Scope{openid, offline, audience, username, groups}, hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True", TypeAllowedScopesValid: "True", TypeClientSecretExists: "True",
			},
		},
		{
			name: "authcode_and_openid_are_required", grants: []configv1alpha1.GrantType{refresh},
			scopes: []configv1alpha1.Scope{offline}, hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: `"authorization_code" must always be included in "allowedGrantTypes"`,
				TypeAllowedScopesValid:     `"openid" must always be included in "allowedScopes"`,
				TypeClientSecretExists:     "True",
			},
		},
		{
			name: "offline_access_needs_refresh_token", grants: []configv1alpha1.GrantType{authcode},
			scopes: []configv1alpha1.Scope{openid, offline}, hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: `"refresh_token" must be included in "allowedGrantTypes" ` +
					`when "offline_access" is included in "allowedScopes"`,
				TypeAllowedScopesValid: "True", TypeClientSecretExists: "True",
			},
		},
		{
			name: "token_exchange_needs_request_audience", grants: []configv1alpha1.GrantType{authcode, exchange},
			scopes: []configv1alpha1.Scope{openid}, hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True",
				TypeAllowedScopesValid: `"pinniped:request-audience" must be included in "allowedScopes" when ` +
					`"urn:ietf:params:oauth:grant-type:token-exchange" is included in "allowedGrantTypes"`,
				TypeClientSecretExists: "True",
			},
		},
		{
			name:   "request_audience_needs_username_groups_and_exchange",
			grants: []configv1alpha1.GrantType{authcode}, scopes: []configv1alpha1.Scope{openid, audience},
			hashes: good,
			want: map[string]string{
				TypeAllowedGrantTypesValid: `"urn:ietf:params:oauth:grant-type:token-exchange" must be included ` +
					`in "allowedGrantTypes" when "pinniped:request-audience" is included in "allowedScopes"`,
				TypeAllowedScopesValid: `"username" must be included in "allowedScopes" when ` +
					`"pinniped:request-audience" is included in "allowedScopes"; "groups" must be included in ` +
					`"allowedScopes" when "pinniped:request-audience" is included in "allowedScopes"`,
				TypeClientSecretExists: "True",
			},
		},
		{
			name: "no_secret", grants: []configv1alpha1.GrantType{authcode}, scopes: []configv1alpha1.Scope{openid},
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True", TypeAllowedScopesValid: "True",
				TypeClientSecretExists: "no client secret found",
			},
		},
		{
			name: "low_cost_and_garbage_hashes", grants: []configv1alpha1.GrantType{authcode},
			scopes: []configv1alpha1.Scope{openid}, hashes: []string{string(cost12), string(cost4), "nope"},
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True", TypeAllowedScopesValid: "True",
				TypeClientSecretExists: "3 stored client secret(s) found, but some were invalid, so none will be " +
					"used: hashed client secret at index 1: bcrypt cost 4 is below the required minimum of 12; " +
					"hashed client secret at index 2: crypto/bcrypt: hashedSecret too short to be a bcrypted password",
			},
		},
		{
			name: "unreadable_storage", grants: []configv1alpha1.GrantType{authcode},
			scopes: []configv1alpha1.Scope{openid}, hashesErr: errors.New("bad version"),
			want: map[string]string{
				TypeAllowedGrantTypesValid: "True", TypeAllowedScopesValid: "True",
				TypeClientSecretExists: "could not read the stored client secrets: bad version",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &configv1alpha1.OIDCClientSpec{AllowedGrantTypes: tt.grants, AllowedScopes: tt.scopes}
			result := Validate(spec, tt.hashes, tt.hashesErr)
			got := map[string]string{}
			allTrue := true
			for _, c := range result.Conditions {
				if c.Status == metav1.ConditionTrue {
					got[c.Type] = "True"
					continue
				}
				allTrue = false
				got[c.Type] = c.Message
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, allTrue, result.Valid)
		})
	}
}
