// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	jose "gopkg.in/go-jose/go-jose.v2"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// testIssuer is an OIDC issuer on loopback: discovery and JWKS over TLS with its own
// CA, keys of any algorithm, and switches to make it misbehave.
type testIssuer struct {
	server *httptest.Server
	ca     *certauthority.CA
	// issuer is the issuer URL; it has a path, as a Supervisor FederationDomain's does.
	issuer string

	mu   sync.Mutex
	keys map[string]signingKey
	// jwksURI is what discovery advertises.
	jwksURI string
	// failDiscovery makes discovery answer 500.
	failDiscovery bool

	discoveryHits atomic.Int32
	jwksHits      atomic.Int32
}

// signingKey is one key of a test issuer.
type signingKey struct {
	alg    jose.SignatureAlgorithm
	signer crypto.Signer
}

// newTestIssuer starts an issuer with no keys; it stops when the test ends.
func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	ca, err := certauthority.New("test issuer CA", time.Hour)
	require.NoError(t, err)
	pair, err := ca.IssueServerCert([]string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, time.Hour)
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	require.NoError(t, err)

	i := &testIssuer{ca: ca, keys: map[string]signingKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /some/path/.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /some/path/jwks.json", i.serveJWKS)
	i.server = httptest.NewUnstartedServer(mux)
	i.server.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	i.server.StartTLS()
	t.Cleanup(i.server.Close)
	i.issuer = i.server.URL + "/some/path"
	i.jwksURI = i.issuer + "/jwks.json"
	return i
}

// caData is the issuer's CA as spec.tls.certificateAuthorityData wants it.
func (i *testIssuer) caData() string {
	return base64.StdEncoding.EncodeToString(i.ca.Bundle())
}

func (i *testIssuer) set(change func(*testIssuer)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	change(i)
}

func (i *testIssuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	i.discoveryHits.Add(1)
	i.mu.Lock()
	fail, jwksURI := i.failDiscovery, i.jwksURI
	i.mu.Unlock()
	if fail {
		http.Error(w, "temporarily broken", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"issuer": i.issuer, "jwks_uri": jwksURI})
}

func (i *testIssuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	i.jwksHits.Add(1)
	i.mu.Lock()
	set := jose.JSONWebKeySet{}
	for kid, key := range i.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: key.signer.Public(), KeyID: kid,
			Algorithm: string(key.alg), Use: "sig"})
	}
	i.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// addKey publishes a new key for an algorithm under a kid.
func (i *testIssuer) addKey(t *testing.T, kid string, alg jose.SignatureAlgorithm) {
	t.Helper()
	signer := newKey(t, alg)
	i.set(func(i *testIssuer) { i.keys[kid] = signingKey{alg: alg, signer: signer} })
}

// newKey generates a private key of the type an algorithm needs.
func newKey(t *testing.T, alg jose.SignatureAlgorithm) crypto.Signer {
	t.Helper()
	var signer crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.ES384:
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jose.ES512:
		signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	default:
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	require.NoError(t, err)
	return signer
}

// claims returns the claims of a valid token for an audience; change them as needed.
func (i *testIssuer) claims(audience string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss":      i.issuer,
		"aud":      audience,
		"sub":      "some-subject",
		"iat":      now.Unix(),
		"exp":      now.Add(5 * time.Minute).Unix(),
		"username": "pinny",
		"groups":   []string{"seals", "walruses"},
	}
}

// sign signs claims with the key of a kid, using that key's algorithm.
func (i *testIssuer) sign(t *testing.T, kid string, claims map[string]any) string {
	t.Helper()
	i.mu.Lock()
	key, ok := i.keys[kid]
	i.mu.Unlock()
	require.True(t, ok, "no key %q", kid)
	return signJWT(t, key.alg, jose.JSONWebKey{Key: key.signer, KeyID: kid}, claims)
}

// signJWT signs claims with any key, as a compact JWS.
func signJWT(t *testing.T, alg jose.SignatureAlgorithm, key jose.JSONWebKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	compact, err := jws.CompactSerialize()
	require.NoError(t, err)
	return compact
}
