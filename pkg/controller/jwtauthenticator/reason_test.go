// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeclineReason(t *testing.T) {
	jwt := func(payload string) string {
		return "eyJhbGciOiJFUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	}
	const issuer = "https://issuer.example.com"
	tests := []struct{ name, token, want string }{
		{"garbage", "not.a.jwt", "token is not a JWT: its payload is not base64url"},
		{"one_part", strings.Repeat("A", 1<<20), "token is not a JWT"},
		{"payload_not_json", jwt("[1,2"), "token is not a JWT: its payload is not a JSON object"},
		{"other_issuer", jwt(`{"iss":"https://evil.example.com"}`),
			`token issuer "https://evil.example.com" is not the authenticator's issuer "https://issuer.example.com"`},
		{"trailing_slash", jwt(`{"iss":"https://issuer.example.com/"}`),
			`token issuer "https://issuer.example.com/" is not the authenticator's issuer "https://issuer.example.com"`},
		{"long_issuer_cut", jwt(`{"iss":"` + strings.Repeat("x", 500) + `"}`),
			`token issuer "` + strings.Repeat("x", 100) + `..." is not the authenticator's issuer "https://issuer.example.com"`},
		{"same_issuer", jwt(`{"iss":"https://issuer.example.com"}`), "token declined by the authenticator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.EqualError(t, declineReason(tt.token, issuer), tt.want)
		})
	}
}
