// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
	jose "gopkg.in/go-jose/go-jose.v2"
)

func TestKeySetFetch(t *testing.T) {
	rsaKey := newKey(t, jose.RS256)
	ecKey := newKey(t, jose.ES256)
	jwk := func(key any, kid, use string) jose.JSONWebKey {
		return jose.JSONWebKey{Key: key, KeyID: kid, Use: use}
	}
	keySetJSON := func(keys ...jose.JSONWebKey) string {
		out, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		require.NoError(t, err)
		return string(out)
	}

	tests := []struct {
		name     string
		status   int
		body     string
		wantKIDs []string
		wantErr  string
	}{
		{
			name:     "rsa_and_ecdsa",
			status:   http.StatusOK,
			body:     keySetJSON(jwk(rsaKey.Public(), "r", "sig"), jwk(ecKey.Public(), "e", "")),
			wantKIDs: []string{"r", "e"},
		},
		{
			name:   "symmetric_encryption_and_private_keys_are_left_out",
			status: http.StatusOK,
			body: keySetJSON(jwk([]byte("0123456789abcdef0123456789abcdef"), "hmac", "sig"),
				jwk(ecKey.Public(), "enc", "enc"), jwk(ecKey, "private", "sig"), jwk(rsaKey.Public(), "r", "sig")),
			wantKIDs: []string{"r"},
		},
		{
			name:    "nothing_usable",
			status:  http.StatusOK,
			body:    keySetJSON(jwk([]byte("0123456789abcdef0123456789abcdef"), "hmac", "sig")),
			wantErr: `key set at "URL" has no public RSA or ECDSA signing key`,
		},
		{
			name:    "empty",
			status:  http.StatusOK,
			body:    `{"keys":[]}`,
			wantErr: `key set at "URL" has no public RSA or ECDSA signing key`,
		},
		{
			name:    "not_json",
			status:  http.StatusOK,
			body:    `<html>`,
			wantErr: `could not parse key set from "URL": invalid character '<' looking for beginning of value`,
		},
		{
			name:    "server_error",
			status:  http.StatusBadGateway,
			body:    `{"keys":[]}`,
			wantErr: `could not fetch keys from "URL": server answered "502 Bad Gateway"`,
		},
		{
			name:    "too_large",
			status:  http.StatusOK,
			body:    `{"keys":[], "padding": "` + strings.Repeat("x", maxJWKSBytes) + `"}`,
			wantErr: `key set at "URL" is larger than 1048576 bytes`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer server.Close()

			keys := newRemoteKeySet(server.Client(), server.URL)
			err := keys.fetch(context.Background())
			got, fetches := keys.current()
			if tt.wantErr != "" {
				require.EqualError(t, err, strings.ReplaceAll(tt.wantErr, "URL", server.URL))
				require.Empty(t, got)
				require.Zero(t, fetches)
				return
			}
			require.NoError(t, err)
			require.Equal(t, 1, fetches)
			var kids []string
			for _, k := range got {
				kids = append(kids, k.KeyID)
			}
			require.Equal(t, tt.wantKIDs, kids)
		})
	}
}

func TestKeySetVerifySignature(t *testing.T) {
	issuer := newTestIssuer(t)
	issuer.addKey(t, "first", jose.ES256)
	keys := newRemoteKeySet(newHTTPClient(issuer.ca.Pool()), issuer.jwksURI)
	require.NoError(t, keys.fetch(context.Background()))
	require.Equal(t, int32(1), issuer.jwksHits.Load())
	ctx := context.Background()
	claims := issuer.claims("aud")

	// A token signed with a known key verifies from the cache.
	payload, err := keys.VerifySignature(ctx, issuer.sign(t, "first", claims))
	require.NoError(t, err)
	require.JSONEq(t, mustJSON(t, claims), string(payload))
	require.Equal(t, int32(1), issuer.jwksHits.Load())

	// A rotated-in key is fetched once, on the first token that needs it.
	issuer.addKey(t, "second", jose.RS256)
	_, err = keys.VerifySignature(ctx, issuer.sign(t, "second", claims))
	require.NoError(t, err)
	require.Equal(t, int32(2), issuer.jwksHits.Load())
	_, err = keys.VerifySignature(ctx, issuer.sign(t, "second", claims))
	require.NoError(t, err)
	require.Equal(t, int32(2), issuer.jwksHits.Load())

	// A bad signature under a known kid is refused without a fetch, even when one would
	// be allowed: fetching again cannot help it.
	unknown := newKey(t, jose.ES256)
	forged := signJWT(t, jose.ES256, jose.JSONWebKey{Key: unknown, KeyID: "first"}, claims)
	_, err = keys.VerifySignature(ctx, forged)
	require.EqualError(t, err, "no signing key of the issuer verifies the token: "+
		"the signature does not verify with key \"first\"")
	require.Equal(t, int32(2), issuer.jwksHits.Load())

	// Right after a refetch, a token with an unknown kid is refused without another
	// fetch: the refetch rate is bounded.
	unknownKID := signJWT(t, jose.ES256, jose.JSONWebKey{Key: unknown, KeyID: "third"}, claims)
	_, err = keys.VerifySignature(ctx, unknownKID)
	require.EqualError(t, err, "no signing key of the issuer verifies the token: no cached key verifies key \"third\", "+
		"and the key set was fetched again less than 10s ago")
	require.Equal(t, int32(2), issuer.jwksHits.Load())

	// When a refetch is allowed, it happens, and a token the issuer did not sign still fails.
	keys.limiter = rate.NewLimiter(rate.Inf, 1)
	_, err = keys.VerifySignature(ctx, unknownKID)
	require.EqualError(t, err, "no signing key of the issuer verifies the token: "+
		"no key of the issuer's key set verifies key \"third\"")
	require.Equal(t, int32(3), issuer.jwksHits.Load())

	// A token without kid is tried against every key.
	noKID := signJWT(t, jose.ES256, jose.JSONWebKey{Key: issuer.keys["first"].signer}, claims)
	_, err = keys.VerifySignature(ctx, noKID)
	require.NoError(t, err)

	// A key declared for another algorithm is not used, even when its type would fit.
	for i := range keys.keys {
		if keys.keys[i].KeyID == "first" {
			keys.keys[i].Algorithm = "ES384"
		}
	}
	keys.limiter = rate.NewLimiter(0, 0)
	_, err = keys.VerifySignature(ctx, issuer.sign(t, "first", claims))
	require.EqualError(t, err, "no signing key of the issuer verifies the token: "+
		"the signature does not verify with key \"first\"")

	// An HMAC token keyed with the public key never verifies.
	pub := issuer.keys["first"].signer.Public().(*ecdsa.PublicKey)
	der, err := json.Marshal(jose.JSONWebKey{Key: pub})
	require.NoError(t, err)
	hmac := signJWT(t, jose.HS256, jose.JSONWebKey{Key: der, KeyID: "first"}, claims)
	_, err = keys.VerifySignature(ctx, hmac)
	require.EqualError(t, err, "no signing key of the issuer verifies the token: no cached key verifies "+
		"a token without kid, and the key set was fetched again less than 10s ago")

	_, err = keys.VerifySignature(ctx, "not-a-jwt")
	require.EqualError(t, err, "malformed jwt: go-jose/go-jose: compact JWS format must have three parts")
}

func TestKeySetRefetchFailure(t *testing.T) {
	issuer := newTestIssuer(t)
	issuer.addKey(t, "first", jose.ES256)
	keys := newRemoteKeySet(newHTTPClient(issuer.ca.Pool()), issuer.jwksURI)
	require.NoError(t, keys.fetch(context.Background()))

	issuer.addKey(t, "second", jose.ES256)
	issuer.set(func(i *testIssuer) { i.keys = map[string]signingKey{"second": i.keys["second"]} })
	keys.jwksURL = issuer.issuer + "/gone"
	_, err := keys.VerifySignature(context.Background(), issuer.sign(t, "second", issuer.claims("aud")))
	require.EqualError(t, err, `no signing key of the issuer verifies the token: could not fetch keys from "`+
		issuer.issuer+`/gone": server answered "404 Not Found"`)

	// The keys it had are kept: a failed refetch does not empty the key set.
	got, fetches := keys.current()
	require.Len(t, got, 1)
	require.Equal(t, 1, fetches)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return string(out)
}
