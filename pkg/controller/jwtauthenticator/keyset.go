// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
	jose "gopkg.in/go-jose/go-jose.v2"
)

const (
	// maxJWKSBytes bounds how much of a JWKS response is read; real key sets are a few KiB.
	maxJWKSBytes = 1 << 20

	// refetchInterval is how often, at most, a token that no cached key verifies makes
	// the key set be fetched again. Without a bound, anyone could make the Concierge
	// fetch the issuer's keys once per garbage token.
	refetchInterval = 10 * time.Second

	// maxLoggedKeyID bounds how much of an attacker-chosen kid goes into an error.
	maxLoggedKeyID = 64
)

// errNoKeyVerifies means none of the issuer's keys verifies a token's signature, even
// after the keys were fetched again when that was allowed.
var errNoKeyVerifies = errors.New("no signing key of the issuer verifies the token")

// remoteKeySet holds an issuer's public signing keys, fetched from its jwks_uri. It is
// the key set the Kubernetes OIDC authenticator verifies signatures with: fetching the
// keys here, before the authenticator counts as ready, is what lets the controller
// report JWKSFetchValid, and it lets a key rotation (a token with an unknown kid) be
// picked up by one rate-limited fetch instead of a rebuild.
type remoteKeySet struct {
	client  *http.Client
	jwksURL string
	limiter *rate.Limiter

	// fetchMu makes concurrent refetches wait for one request instead of each sending one.
	fetchMu sync.Mutex

	mu      sync.RWMutex
	keys    []jose.JSONWebKey
	fetches int // counts successful fetches, so a waiter can tell that keys changed
}

// newRemoteKeySet returns a key set with no keys yet; call fetch before using it.
func newRemoteKeySet(client *http.Client, jwksURL string) *remoteKeySet {
	return &remoteKeySet{
		client:  client,
		jwksURL: jwksURL,
		limiter: rate.NewLimiter(rate.Every(refetchInterval), 1),
	}
}

// VerifySignature checks a compact JWS against the issuer's keys and returns its
// payload. The algorithm was already checked against the allowed list by the caller;
// each key is still only tried with the algorithm its type supports.
func (k *remoteKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("jwt has %d signatures, want exactly 1", len(jws.Signatures))
	}
	header := jws.Signatures[0].Header

	keys, generation := k.current()
	if payload, ok := verifyWith(jws, keys, header.KeyID, header.Algorithm); ok {
		return payload, nil
	}
	// Only a key the cache does not have can appear by fetching again: a bad signature
	// under a known kid is refused without spending a fetch that a rotation may need.
	if header.KeyID != "" && hasKeyID(keys, header.KeyID) {
		return nil, fmt.Errorf("%w: the signature does not verify with %s", errNoKeyVerifies, keyName(header.KeyID))
	}
	if !k.limiter.Allow() {
		return nil, fmt.Errorf("%w: no cached key verifies %s, and the key set was fetched again less than %s ago",
			errNoKeyVerifies, keyName(header.KeyID), refetchInterval)
	}
	if err := k.refetch(ctx, generation); err != nil {
		return nil, fmt.Errorf("%w: %w", errNoKeyVerifies, err)
	}
	keys, _ = k.current()
	if payload, ok := verifyWith(jws, keys, header.KeyID, header.Algorithm); ok {
		return payload, nil
	}
	return nil, fmt.Errorf("%w: no key of the issuer's key set verifies %s", errNoKeyVerifies, keyName(header.KeyID))
}

// keyName names the key a token asks for in an error, bounding the attacker-chosen kid.
func keyName(kid string) string {
	if kid == "" {
		return "a token without kid"
	}
	if len(kid) > maxLoggedKeyID {
		kid = kid[:maxLoggedKeyID] + "..."
	}
	return fmt.Sprintf("key %q", kid)
}

// current returns the cached keys and how many fetches produced them.
func (k *remoteKeySet) current() ([]jose.JSONWebKey, int) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys, k.fetches
}

// refetch fetches the keys again unless another caller already did since generation.
func (k *remoteKeySet) refetch(ctx context.Context, generation int) error {
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	if _, now := k.current(); now != generation {
		return nil
	}
	return k.fetch(ctx)
}

// fetch downloads and parses the key set, replacing the cached keys when it succeeds.
// It fails when the response holds no public RSA or ECDSA key usable for signatures.
func (k *remoteKeySet) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.jwksURL, nil)
	if err != nil {
		return fmt.Errorf("could not build request for %q: %w", k.jwksURL, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("could not fetch keys: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return fmt.Errorf("could not read keys from %q: %w", k.jwksURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("could not fetch keys from %q: server answered %q", k.jwksURL, resp.Status)
	}
	if len(body) > maxJWKSBytes {
		return fmt.Errorf("key set at %q is larger than %d bytes", k.jwksURL, maxJWKSBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return fmt.Errorf("could not parse key set from %q: %w", k.jwksURL, err)
	}
	keys := usableKeys(set.Keys)
	if len(keys) == 0 {
		return fmt.Errorf("key set at %q has no public RSA or ECDSA signing key", k.jwksURL)
	}
	k.mu.Lock()
	k.keys = keys
	k.fetches++
	k.mu.Unlock()
	return nil
}

// usableKeys keeps the public RSA and ECDSA keys meant for signatures. Symmetric keys
// never verify tokens here, and private keys that an issuer published by mistake are
// left out rather than used.
func usableKeys(keys []jose.JSONWebKey) []jose.JSONWebKey {
	var usable []jose.JSONWebKey
	for _, key := range keys {
		if key.Use != "" && key.Use != "sig" {
			continue
		}
		switch key.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			usable = append(usable, key)
		}
	}
	return usable
}

// hasKeyID reports whether any key has a kid.
func hasKeyID(keys []jose.JSONWebKey, kid string) bool {
	for i := range keys {
		if keys[i].KeyID == kid {
			return true
		}
	}
	return false
}

// verifyWith tries the keys that match a token's kid (all keys when it has none) and
// whose declared algorithm, if any, is the token's.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid, alg string) ([]byte, bool) {
	for i := range keys {
		key := &keys[i]
		if kid != "" && key.KeyID != kid {
			continue
		}
		if key.Algorithm != "" && key.Algorithm != alg {
			continue
		}
		if payload, err := jws.Verify(key); err == nil {
			return payload, true
		}
	}
	return nil, false
}
