// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoopbackIP(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1/callback":       true,
		"http://127.0.0.1:48095/callback": true,
		"http://[::1]:5000/callback":      true,
		"https://127.0.0.1/callback":      false, // the CLI's listener speaks plain HTTP
		"http://localhost:5000/callback":  false, // a name can be resolved elsewhere
		"http://10.0.0.1/callback":        false,
		"http://127.0.0.1.evil.com/":      false,
		"http://evil.com/?127.0.0.1":      false,
		"::not a url":                     false,
	} {
		require.Equal(t, want, loopbackIP(raw), raw)
	}
}

func TestDownstreamSubject(t *testing.T) {
	require.Equal(t, "https://dex.example.com/dex?idpName=My+Dex&sub=CiQ%26x%3D1",
		downstreamSubject("https://dex.example.com/dex", "My Dex", "CiQ&x=1"))
	// Distinct display names or subjects never give the same subject.
	require.NotEqual(t, downstreamSubject("https://i", "a&sub=b", "c"), downstreamSubject("https://i", "a", "b&sub=c"))
}

func TestSessionClaims(t *testing.T) {
	requested := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	s := &session{
		Request: authRequest{Scopes: []string{"openid", ScopeUsername, ScopeGroups}, RequestedAt: requested},
		Identity: identity{Username: "alice@example.com", Groups: nil,
			AdditionalClaims: map[string]any{"team": "seals"}},
	}
	require.Equal(t, map[string]any{
		"rat":              requested.Unix(),
		"username":         "alice@example.com",
		"groups":           []string{},
		"additionalClaims": map[string]any{"team": "seals"},
	}, s.claims())

	// Without the username and groups scopes, neither claim is issued.
	s.Request.Scopes = []string{"openid"}
	s.Identity.AdditionalClaims = nil
	require.Equal(t, map[string]any{"rat": requested.Unix()}, s.claims())
}
