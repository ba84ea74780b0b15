// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	corev1 "k8s.io/api/core/v1"
	authenticationcel "k8s.io/apiserver/pkg/authentication/cel"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/registry/tokencredentialrequest"
	"github.com/sealworks/pinniped/test/oidcissuer"
)

// BenchmarkTokenCredentialRequestInProcess measures the Concierge's own work per
// TokenCredentialRequest, without HTTP: verify an ES256 JWT with the Kubernetes
// OIDC authenticator, check the user, issue a 5-minute client certificate. The
// sub-benchmarks split the two costs.
func BenchmarkTokenCredentialRequestInProcess(b *testing.B) {
	issuer, err := oidcissuer.Start("/bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(issuer.Close)
	key, err := issuer.AddKey("bench", jose.ES256)
	if err != nil {
		b.Fatal(err)
	}
	client := newHTTPClient(issuer.CA.Pool())
	keys := newRemoteKeySet(client, issuer.URL+"/jwks.json")
	if err := keys.fetch(context.Background()); err != nil {
		b.Fatal(err)
	}
	spec := &authenticationv1alpha1.JWTAuthenticatorSpec{Issuer: issuer.URL, Audience: "bench"}
	value, cond := newAuthenticator(configOf(spec, ""), client, keys, authenticationcel.NewDefaultCompiler())
	if value == nil {
		b.Fatal(cond.Message)
	}
	b.Cleanup(value.Close)
	cacheKey := authncache.Key{APIGroup: authenticationv1alpha1.GroupName, Kind: Kind, Name: "bench"}
	cache := authncache.New()
	cache.Store(cacheKey, value)

	claims := issuer.StandardClaims("bench", "bench-user", []string{"bench-group"})
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	token, err := oidcissuer.Sign(key, claims)
	if err != nil {
		b.Fatal(err)
	}
	ca, err := certauthority.New("bench-ca", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// One log line per request would dominate the measurement.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	b.Cleanup(func() { klog.LogToStderr(true) })

	b.Run("verify_jwt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cache.AuthenticateToken(ctx, cacheKey, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("issue_cert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ca.IssueClientCert("bench-user", []string{"bench-group"}, 5*time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("create", func(b *testing.B) {
		rest := tokencredentialrequest.NewREST(cache, ca, "pinniped.dev")
		req := &login.TokenCredentialRequest{Spec: login.TokenCredentialRequestSpec{
			Token: token,
			Authenticator: corev1.TypedLocalObjectReference{
				APIGroup: ptr.To(authenticationv1alpha1.GroupName), Kind: Kind, Name: "bench",
			},
		}}
		b.ReportAllocs()
		for b.Loop() {
			out, err := rest.Create(ctx, req, nil, nil)
			if err != nil || out.(*login.TokenCredentialRequest).Status.Credential == nil {
				b.Fatalf("exchange failed: %v", err)
			}
		}
	})
}
