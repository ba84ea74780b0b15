// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateIssuer(t *testing.T) {
	tests := []struct {
		name, issuer, wantReason, wantMessage string
	}{
		{
			name: "valid", issuer: "https://issuer.example.com/some/path",
			wantReason: "Success", wantMessage: "spec.issuer is a valid https URL",
		},
		{
			name: "valid_with_trailing_slash", issuer: "https://issuer.example.com/",
			wantReason: "Success", wantMessage: "spec.issuer is a valid https URL",
		},
		{
			name: "unparseable", issuer: "https://issuer.example.com:port",
			wantReason: "InvalidIssuerURL",
			wantMessage: `spec.issuer is not a valid URL: parse "https://issuer.example.com:port": ` +
				`invalid port ":port" after host`,
		},
		{
			name: "http", issuer: "http://issuer.example.com",
			wantReason:  "InvalidIssuerURLScheme",
			wantMessage: `spec.issuer "http://issuer.example.com" must use the https scheme`,
		},
		{
			name: "no_scheme", issuer: "issuer.example.com",
			wantReason: "InvalidIssuerURLScheme", wantMessage: `spec.issuer "issuer.example.com" must use the https scheme`,
		},
		{
			name: "no_host", issuer: "https:///path",
			wantReason: "InvalidIssuerURL", wantMessage: `spec.issuer "https:///path" has no host`,
		},
		{
			name: "credentials", issuer: "https://user:pass@issuer.example.com",
			wantReason: "InvalidIssuerURL", wantMessage: "spec.issuer must not contain a username or password",
		},
		{
			name: "query", issuer: "https://issuer.example.com/?a=b",
			wantReason:  "InvalidIssuerURLContainsQueryParams",
			wantMessage: `spec.issuer "https://issuer.example.com/?a=b" must not have query parameters`,
		},
		{
			name: "empty_query", issuer: "https://issuer.example.com/?",
			wantReason:  "InvalidIssuerURLContainsQueryParams",
			wantMessage: `spec.issuer "https://issuer.example.com/?" must not have query parameters`,
		},
		{
			name: "fragment", issuer: "https://issuer.example.com/#x",
			wantReason:  "InvalidIssuerURLContainsFragment",
			wantMessage: `spec.issuer "https://issuer.example.com/#x" must not have a fragment`,
		},
		{
			name: "empty_fragment", issuer: "https://issuer.example.com/#",
			wantReason:  "InvalidIssuerURLContainsFragment",
			wantMessage: `spec.issuer "https://issuer.example.com/#" must not have a fragment`,
		},
		{
			name: "well_known", issuer: "https://issuer.example.com/a/.well-known/openid-configuration",
			wantReason: "InvalidIssuerURLContainsWellKnownEndpoint",
			wantMessage: `spec.issuer "https://issuer.example.com/a/.well-known/openid-configuration" must be ` +
				`the issuer itself, without /.well-known/openid-configuration`,
		},
		{
			name: "well_known_with_slash", issuer: "https://issuer.example.com/.well-known/openid-configuration/",
			wantReason: "InvalidIssuerURLContainsWellKnownEndpoint",
			wantMessage: `spec.issuer "https://issuer.example.com/.well-known/openid-configuration/" must be ` +
				`the issuer itself, without /.well-known/openid-configuration`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validateIssuer(tt.issuer)
			wantStatus := metav1.ConditionFalse
			if tt.wantReason == "Success" {
				wantStatus = metav1.ConditionTrue
			}
			require.Equal(t, metav1.Condition{Type: "IssuerURLValid", Status: wantStatus,
				Reason: tt.wantReason, Message: tt.wantMessage}, got)
		})
	}
}

func TestValidateJWKSURL(t *testing.T) {
	tests := []struct {
		name, jwksURL, wantReason, wantMessage string
	}{
		{
			name: "valid", jwksURL: "https://issuer.example.com/keys",
			wantReason: "Success", wantMessage: "the issuer's jwks_uri is a valid https URL",
		},
		{
			name: "missing", wantReason: "InvalidProviderJWKSURL",
			wantMessage: "the issuer's discovery document has no jwks_uri",
		},
		{
			name: "unparseable", jwksURL: "https://issuer.example.com:x/keys", wantReason: "InvalidProviderJWKSURL",
			wantMessage: `the issuer's jwks_uri is not a valid URL: ` +
				`parse "https://issuer.example.com:x/keys": invalid port ":x" after host`,
		},
		{
			name: "http", jwksURL: "http://issuer.example.com/keys", wantReason: "InvalidProviderJWKSURLScheme",
			wantMessage: `the issuer's jwks_uri "http://issuer.example.com/keys" must use the https scheme`,
		},
		{
			name: "no_host", jwksURL: "https:///keys", wantReason: "InvalidProviderJWKSURL",
			wantMessage: `the issuer's jwks_uri "https:///keys" has no host`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validateJWKSURL(tt.jwksURL)
			wantStatus := metav1.ConditionFalse
			if tt.wantReason == "Success" {
				wantStatus = metav1.ConditionTrue
			}
			require.Equal(t, metav1.Condition{Type: "JWKSURLValid", Status: wantStatus,
				Reason: tt.wantReason, Message: tt.wantMessage}, got)
		})
	}
}

func TestDiscover(t *testing.T) {
	good := newTestIssuer(t)
	other := newTestIssuer(t)
	broken := newTestIssuer(t)
	broken.set(func(i *testIssuer) { i.failDiscovery = true })

	tests := []struct {
		name          string
		issuer        string
		trust         *testIssuer
		wantJWKSURL   string
		wantMessage   string
		wantRetryable bool
	}{
		{
			name: "good", issuer: good.issuer, trust: good,
			wantJWKSURL: good.issuer + "/jwks.json", wantMessage: "OIDC discovery of the issuer succeeded",
		},
		{
			name: "untrusted_certificate", issuer: good.issuer, trust: other,
			wantMessage: `could not perform OIDC discovery on spec.issuer: Get "` + good.issuer +
				`/.well-known/openid-configuration": tls: failed to verify certificate: ` +
				`x509: certificate signed by unknown authority (possibly because of ` +
				`"x509: ECDSA verification failure" while trying to verify candidate authority certificate ` +
				`"test issuer CA")`,
		},
		{
			name: "server_error", issuer: broken.issuer, trust: broken, wantRetryable: true,
			wantMessage: "could not perform OIDC discovery on spec.issuer: 500 Internal Server Error: " +
				"temporarily broken\n",
		},
		{
			name: "issuer_differs_by_trailing_slash", issuer: good.issuer + "/", trust: good, wantRetryable: true,
			wantMessage: "could not perform OIDC discovery on spec.issuer: oidc: issuer did not match the issuer " +
				`returned by provider, expected "` + good.issuer + `/" got "` + good.issuer + `"`,
		},
		{
			name: "not_found", issuer: good.server.URL + "/elsewhere", trust: good, wantRetryable: true,
			wantMessage: "could not perform OIDC discovery on spec.issuer: 404 Not Found: 404 page not found\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := newHTTPClient(tt.trust.ca.Pool())
			jwksURL, cond, err := discover(context.Background(), client, tt.issuer)
			require.Equal(t, tt.wantJWKSURL, jwksURL)
			require.Equal(t, "DiscoveryURLValid", cond.Type)
			require.Equal(t, tt.wantMessage, cond.Message)
			if tt.wantJWKSURL != "" {
				require.NoError(t, err)
				require.Equal(t, metav1.ConditionTrue, cond.Status)
				require.Equal(t, "Success", cond.Reason)
				return
			}
			require.Error(t, err)
			require.Equal(t, metav1.ConditionFalse, cond.Status)
			require.Equal(t, "InvalidDiscoveryProbe", cond.Reason)
			require.Equal(t, tt.wantRetryable, retryable(err))
		})
	}
}

func TestLimit(t *testing.T) {
	require.Equal(t, "short", limit("short"))
	long := strings.Repeat("é", maxMessageLength) // two bytes each
	got := limit(long)
	require.Equal(t, strings.Repeat("é", maxMessageLength/2)+"...", got)
	odd := "x" + long
	require.Equal(t, "x"+strings.Repeat("é", maxMessageLength/2-1)+"...", limit(odd))
}
