// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcissuer is a minimal OpenID Connect issuer for tests: it serves a
// discovery document and a JWKS over TLS on loopback and signs ID tokens with
// keys of any JWS algorithm, so tests can mint good and deliberately bad tokens.
package oidcissuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// Issuer is a running test issuer.
type Issuer struct {
	// URL is the issuer identifier, https://127.0.0.1:<port><path>.
	URL string
	// CA verifies the issuer's serving certificate.
	CA *certauthority.CA

	server   *http.Server
	listener net.Listener

	mu   sync.RWMutex
	keys map[string]*Key // by kid; all are published
}

// Key is a signing key the issuer publishes.
type Key struct {
	ID        string
	Algorithm jose.SignatureAlgorithm
	Private   crypto.Signer
}

// Start serves an issuer at path (e.g. "/issuer") on a free loopback port.
func Start(path string) (*Issuer, error) {
	ca, err := certauthority.New("oidcissuer-test-ca", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	serving, err := ca.IssueServerCert(nil, []net.IP{net.IPv4(127, 0, 0, 1)}, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(serving.CertPEM, serving.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("could not load serving cert: %w", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("could not listen: %w", err)
	}
	i := &Issuer{
		URL:      "https://" + listener.Addr().String() + strings.TrimSuffix(path, "/"),
		CA:       ca,
		listener: listener,
		keys:     map[string]*Key{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc(strings.TrimSuffix(path, "/")+"/.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc(strings.TrimSuffix(path, "/")+"/jwks.json", i.serveJWKS)
	i.server = &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = i.server.ServeTLS(listener, "", "") }()
	return i, nil
}

// Close stops the server.
func (i *Issuer) Close() { _ = i.server.Close() }

// CABundle returns the PEM CA bundle of the issuer's serving certificate.
func (i *Issuer) CABundle() []byte { return i.CA.Bundle() }

// AddKey generates and publishes a key for the algorithm (RS*, PS*, ES*).
func (i *Issuer) AddKey(kid string, alg jose.SignatureAlgorithm) (*Key, error) {
	var signer crypto.Signer
	var err error
	switch alg {
	case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.ES384:
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jose.ES512:
		signer, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	default:
		return nil, fmt.Errorf("oidcissuer: unsupported algorithm %s", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("could not generate %s key: %w", alg, err)
	}
	key := &Key{ID: kid, Algorithm: alg, Private: signer}
	i.mu.Lock()
	i.keys[kid] = key
	i.mu.Unlock()
	return key, nil
}

// RemoveKey stops publishing a key.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	delete(i.keys, kid)
	i.mu.Unlock()
}

// Claims are the claims of a token; nil fields are left out.
type Claims map[string]any

// StandardClaims returns claims valid for a minute for the audience and user.
func (i *Issuer) StandardClaims(audience, username string, groups []string) Claims {
	now := time.Now()
	return Claims{
		"iss":      i.URL,
		"sub":      "sub-" + username,
		"aud":      []string{audience},
		"iat":      now.Unix(),
		"nbf":      now.Add(-time.Minute).Unix(),
		"exp":      now.Add(time.Minute).Unix(),
		"username": username,
		"groups":   groups,
	}
}

// Sign signs claims with a key as a compact JWS with the key's kid.
func Sign(key *Key, claims Claims) (string, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: key.Algorithm, Key: jose.JSONWebKey{Key: key.Private, KeyID: key.ID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("could not build signer: %w", err)
	}
	return jwt.Signed(signer).Claims(map[string]any(claims)).Serialize()
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                i.URL,
		"jwks_uri":                              i.URL + "/jwks.json",
		"authorization_endpoint":                i.URL + "/authorize",
		"token_endpoint":                        i.URL + "/token",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
	})
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	i.mu.RLock()
	set := jose.JSONWebKeySet{}
	for _, k := range i.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: k.Private.Public(), KeyID: k.ID, Algorithm: string(k.Algorithm), Use: "sig",
		})
	}
	i.mu.RUnlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}
