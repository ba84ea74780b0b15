// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidctypes holds the tokens of a CLI login and the key they are cached
// under. The JSON names are those of the session cache file, which upstream
// Pinniped's CLI reads and writes too.
package oidctypes

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Token is what one login (or refresh) yields.
type Token struct {
	AccessToken  *AccessToken  `json:"access,omitempty"`
	RefreshToken *RefreshToken `json:"refresh,omitempty"`
	IDToken      *IDToken      `json:"id,omitempty"`
}

// AccessToken is an OAuth2 access token.
type AccessToken struct {
	Token  string      `json:"token"`
	Type   string      `json:"type,omitempty"`
	Expiry metav1.Time `json:"expiryTimestamp"`
}

// RefreshToken is an OAuth2 refresh token.
type RefreshToken struct {
	Token string `json:"token"`
}

// IDToken is an OpenID Connect ID token with its verified claims.
type IDToken struct {
	Token  string         `json:"token"`
	Expiry metav1.Time    `json:"expiryTimestamp"`
	Claims map[string]any `json:"claims,omitempty"`
}

// SessionCacheKey says which login a cached session belongs to: two logins share a
// session only when all of these are equal.
type SessionCacheKey struct {
	Issuer               string   `json:"issuer"`
	ClientID             string   `json:"clientID"`
	Scopes               []string `json:"scopes"`
	RedirectURI          string   `json:"redirect_uri"`
	UpstreamProviderName string   `json:"upstream_provider_name,omitempty"`
}
