// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	coreosoidc "github.com/coreos/go-oidc"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	authenticationcel "k8s.io/apiserver/pkg/authentication/cel"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/oidc"
	"k8s.io/utils/ptr"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// httpTimeout bounds every request to the issuer: discovery, key fetches, and the
// distributed-claims requests the authenticator may make.
const httpTimeout = 30 * time.Second

// signingAlgorithms are the algorithms a token may be signed with: every asymmetric
// algorithm kube-apiserver's own JWT authenticator accepts. HMAC algorithms and "none"
// are never allowed, so a public key can never be misused as a shared secret.
var signingAlgorithms = []string{
	coreosoidc.RS256, coreosoidc.RS384, coreosoidc.RS512,
	coreosoidc.ES256, coreosoidc.ES384, coreosoidc.ES512,
	coreosoidc.PS256, coreosoidc.PS384, coreosoidc.PS512,
}

// config is what an authenticator was built from. Two equal configs build equivalent
// authenticators, so a cached one is kept, without any network access, while the
// object's effective config stays the same.
type config struct {
	issuer        string
	audience      string
	usernameClaim string
	groupsClaim   string
	caBundleHash  string
}

// configOf returns the effective config of a spec, with the claim defaults applied.
func configOf(spec *authenticationv1alpha1.JWTAuthenticatorSpec, caBundleHash string) config {
	c := config{
		issuer:        spec.Issuer,
		audience:      spec.Audience,
		usernameClaim: spec.Claims.Username,
		groupsClaim:   spec.Claims.Groups,
		caBundleHash:  caBundleHash,
	}
	if c.usernameClaim == "" {
		c.usernameClaim = authenticationv1alpha1.JWTAuthenticatorDefaultUsernameClaim
	}
	if c.groupsClaim == "" {
		c.groupsClaim = authenticationv1alpha1.JWTAuthenticatorDefaultGroupsClaim
	}
	return c
}

// cachedAuthenticator is what the controller stores in the authenticator cache: the
// Kubernetes OIDC authenticator and what it needs to be released.
type cachedAuthenticator struct {
	authenticator.Token
	config config
	cancel context.CancelFunc
	client *http.Client
}

// Close stops the authenticator's background work and drops its idle connections.
func (a *cachedAuthenticator) Close() {
	a.cancel()
	a.client.CloseIdleConnections()
}

// newHTTPClient returns the client used for everything sent to one issuer. A nil pool
// trusts the host's roots. Proxies come from the environment, as for any other client.
func newHTTPClient(pool *x509.CertPool) *http.Client {
	transport := utilnet.SetTransportDefaults(&http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	})
	return &http.Client{Transport: transport, Timeout: httpTimeout}
}

// newAuthenticator builds the Kubernetes OIDC authenticator for a config around keys that
// were already fetched, so it is ready at once instead of initializing in the background.
func newAuthenticator(cfg config, client *http.Client, keys *remoteKeySet,
	compiler authenticationcel.Compiler) (*cachedAuthenticator, metav1.Condition) {
	ctx, cancel := context.WithCancel(context.Background())
	token, err := oidc.New(ctx, oidc.Options{
		JWTAuthenticator: apiserver.JWTAuthenticator{
			Issuer: apiserver.Issuer{
				URL:                 cfg.issuer,
				Audiences:           []string{cfg.audience},
				AudienceMatchPolicy: apiserver.AudienceMatchPolicyMatchAny,
			},
			ClaimMappings: apiserver.ClaimMappings{
				Username: apiserver.PrefixedClaimOrExpression{Claim: cfg.usernameClaim, Prefix: ptr.To("")},
				Groups:   apiserver.PrefixedClaimOrExpression{Claim: cfg.groupsClaim, Prefix: ptr.To("")},
			},
		},
		KeySet:               keys,
		Client:               client,
		Compiler:             compiler,
		SupportedSigningAlgs: signingAlgorithms,
	})
	if err == nil {
		// With a key set given, the authenticator initializes synchronously; a failing
		// health check here means it would refuse every token.
		err = token.HealthCheck()
	}
	if err != nil {
		cancel()
		return nil, conditions.False(authenticationv1alpha1.ConditionAuthenticatorValid,
			authenticationv1alpha1.ReasonInvalidAuthenticator,
			fmt.Sprintf("could not initialize the authenticator: %s", limit(err.Error())))
	}
	value := &cachedAuthenticator{Token: token, config: cfg, cancel: cancel, client: client}
	return value, conditions.True(authenticationv1alpha1.ConditionAuthenticatorValid, msgAuthenticatorValid)
}
