// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScopes(t *testing.T) {
	tests := []struct {
		name       string
		additional []string
		want       []string
	}{
		{name: "none_means_defaults", want: []string{"openid", "offline_access", "email", "profile"}},
		{name: "openid_is_added_first", additional: []string{"groups", "email"},
			want: []string{"openid", "groups", "email"}},
		{name: "openid_is_not_repeated", additional: []string{"email", "openid"}, want: []string{"email", "openid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Scopes(tt.additional))
		})
	}
}

func TestClaimsConfigMap(t *testing.T) {
	const issuer = "https://idp.example.com/dex"
	base := func(extra map[string]any) map[string]any {
		claims := map[string]any{"sub": "abc/1=", "email": "pinny@example.com"}
		for k, v := range extra {
			claims[k] = v
		}
		return claims
	}
	tests := []struct {
		name    string
		config  ClaimsConfig
		claims  map[string]any
		want    *Identity
		wantErr string
	}{
		{
			name:   "default_username_is_issuer_and_escaped_subject",
			claims: base(nil),
			want:   &Identity{Subject: "abc/1=", Username: issuer + "?sub=abc%2F1%3D", Groups: []string{}},
		},
		{
			name:   "email_without_email_verified_is_accepted",
			config: ClaimsConfig{Username: "email"},
			claims: base(nil),
			want:   &Identity{Subject: "abc/1=", Username: "pinny@example.com", Groups: []string{}},
		},
		{
			name:   "verified_email",
			config: ClaimsConfig{Username: "email"},
			claims: base(map[string]any{"email_verified": true}),
			want:   &Identity{Subject: "abc/1=", Username: "pinny@example.com", Groups: []string{}},
		},
		{
			name:    "unverified_email_is_refused",
			config:  ClaimsConfig{Username: "email"},
			claims:  base(map[string]any{"email_verified": false}),
			wantErr: "upstream claims do not make an identity: the email is not verified",
		},
		{
			name:    "email_verified_as_a_string_is_refused",
			config:  ClaimsConfig{Username: "email"},
			claims:  base(map[string]any{"email_verified": "true"}),
			wantErr: "upstream claims do not make an identity: the email_verified claim is not a boolean",
		},
		{
			name:   "email_verified_is_ignored_for_another_username_claim",
			config: ClaimsConfig{Username: "preferred_username"},
			claims: base(map[string]any{"email_verified": false, "preferred_username": "pinny"}),
			want:   &Identity{Subject: "abc/1=", Username: "pinny", Groups: []string{}},
		},
		{
			name:    "missing_username_claim",
			config:  ClaimsConfig{Username: "preferred_username"},
			claims:  base(nil),
			wantErr: `upstream claims do not make an identity: the username claim "preferred_username" is missing`,
		},
		{
			name:   "username_claim_not_a_string",
			config: ClaimsConfig{Username: "uid"},
			claims: base(map[string]any{"uid": 42.0}),
			wantErr: `upstream claims do not make an identity: ` +
				`the username claim "uid" is not a non-empty string`,
		},
		{
			name:    "missing_sub",
			claims:  map[string]any{"email": "x"},
			wantErr: "upstream claims do not make an identity: the sub claim is missing or not a string",
		},
		{
			name:   "groups_as_a_list",
			config: ClaimsConfig{Groups: "groups"},
			claims: base(map[string]any{"groups": []any{"seals", "admins"}}),
			want: &Identity{Subject: "abc/1=", Username: issuer + "?sub=abc%2F1%3D",
				Groups: []string{"seals", "admins"}},
		},
		{
			name:   "groups_as_a_string",
			config: ClaimsConfig{Groups: "role"},
			claims: base(map[string]any{"role": "seals"}),
			want: &Identity{Subject: "abc/1=", Username: issuer + "?sub=abc%2F1%3D",
				Groups: []string{"seals"}},
		},
		{
			name:   "missing_groups_claim_means_no_groups",
			config: ClaimsConfig{Groups: "groups"},
			claims: base(nil),
			want:   &Identity{Subject: "abc/1=", Username: issuer + "?sub=abc%2F1%3D", Groups: []string{}},
		},
		{
			name:    "groups_with_a_number",
			config:  ClaimsConfig{Groups: "groups"},
			claims:  base(map[string]any{"groups": []any{"seals", 7.0}}),
			wantErr: `upstream claims do not make an identity: the groups claim "groups" holds a non-string value`,
		},
		{
			name:   "groups_as_an_object",
			config: ClaimsConfig{Groups: "groups"},
			claims: base(map[string]any{"groups": map[string]any{"a": "b"}}),
			wantErr: `upstream claims do not make an identity: ` +
				`the groups claim "groups" is neither a string nor a list of strings`,
		},
		{
			name: "additional_claims_copy_present_claims_only",
			config: ClaimsConfig{AdditionalClaimMappings: map[string]string{
				"mail": "email", "dept": "department", "missing": "nothere",
			}},
			claims: base(map[string]any{"department": []any{"ops"}}),
			want: &Identity{Subject: "abc/1=", Username: issuer + "?sub=abc%2F1%3D", Groups: []string{},
				AdditionalClaims: map[string]any{"mail": "pinny@example.com", "dept": []any{"ops"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.config.Map(issuer, tt.claims)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.True(t, errors.Is(err, ErrClaims))
				require.Equal(t, CodeAccessDenied, RFC6749Code(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
