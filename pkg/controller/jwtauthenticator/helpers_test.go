// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	jose "gopkg.in/go-jose/go-jose.v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/util/retry"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
)

const msgSystemRoots = "spec.tls is valid: no TLS configuration provided: " +
	"using default root CA bundle from container image"

// create makes a JWTAuthenticator and deletes it when the test ends.
func (e *testEnv) create(t *testing.T, name, issuer, audience string,
	tls *authenticationv1alpha1.TLSSpec) *authenticationv1alpha1.JWTAuthenticator {
	t.Helper()
	ctx := context.Background()
	client := e.client.AuthenticationV1alpha1().JWTAuthenticators()
	obj, err := client.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       authenticationv1alpha1.JWTAuthenticatorSpec{Issuer: issuer, Audience: audience, TLS: tls},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Delete(ctx, name, metav1.DeleteOptions{}) })
	return obj
}

// update changes a JWTAuthenticator's spec, retrying on conflicts with the controller.
func (e *testEnv) update(t *testing.T, name string,
	change func(*authenticationv1alpha1.JWTAuthenticator)) *authenticationv1alpha1.JWTAuthenticator {
	t.Helper()
	ctx := context.Background()
	client := e.client.AuthenticationV1alpha1().JWTAuthenticators()
	var updated *authenticationv1alpha1.JWTAuthenticator
	require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(obj)
		updated, err = client.Update(ctx, obj, metav1.UpdateOptions{})
		return err
	}))
	return updated
}

// waitForStatus waits until the object shows exactly a phase and conditions, every
// condition observing the current generation; lastTransitionTime is not compared.
func (e *testEnv) waitForStatus(t *testing.T, name string, phase authenticationv1alpha1.JWTAuthenticatorPhase,
	want []metav1.Condition) {
	t.Helper()
	var obj *authenticationv1alpha1.JWTAuthenticator
	var got []metav1.Condition
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		obj, err = e.client.AuthenticationV1alpha1().JWTAuthenticators().Get(context.Background(), name,
			metav1.GetOptions{})
		require.NoError(t, err)
		got = withoutTimes(obj.Status.Conditions, obj.Generation)
		if obj.Status.Phase == phase && equalConditions(want, got) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, want, got, "conditions of %q", name)
	require.Equal(t, phase, obj.Status.Phase, "phase of %q", name)
}

// waitForLoaded waits until an object's authenticator is in the cache. The controller
// loads it just after writing the status, so a Ready status alone does not mean it is.
func (e *testEnv) waitForLoaded(t *testing.T, name string) authncache.Value {
	t.Helper()
	var loaded authncache.Value
	require.Eventually(t, func() bool {
		loaded = e.cache.Get(cacheKey(name))
		return loaded != nil
	}, 30*time.Second, 10*time.Millisecond, "authenticator of %q not loaded", name)
	return loaded
}

// requireStable checks that the controller leaves a settled object alone: no status
// write for a few seconds.
func (e *testEnv) requireStable(t *testing.T, name string) {
	t.Helper()
	client := e.client.AuthenticationV1alpha1().JWTAuthenticators()
	before, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	time.Sleep(3 * time.Second)
	after, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, before.ResourceVersion, after.ResourceVersion, "the status of %q keeps changing", name)
}

// authenticate runs a token through the cached authenticator of an object.
func (e *testEnv) authenticate(ctx context.Context, name, token string) (user.Info, error) {
	return e.cache.AuthenticateToken(ctx, cacheKey(name), token)
}

// requireRefused checks that tokens of an issuer that are wrong in any way are refused
// by an object's authenticator.
func (e *testEnv) requireRefused(t *testing.T, issuer *testIssuer, name, audience string) {
	t.Helper()
	ecPublic, err := json.Marshal(jose.JSONWebKey{Key: issuer.keys["ec"].signer.Public()})
	require.NoError(t, err)
	tests := []struct {
		name    string
		token   func(claims map[string]any) string
		wantErr string
	}{
		{
			name:    "wrong_audience",
			token:   func(c map[string]any) string { c["aud"] = "other"; return issuer.sign(t, "ec", c) },
			wantErr: `oidc: verify token: oidc: expected audience "` + audience + `" got ["other"]`,
		},
		{
			name: "expired",
			token: func(c map[string]any) string {
				c["exp"] = time.Now().Add(-time.Second).Unix()
				return issuer.sign(t, "ec", c)
			},
			wantErr: "oidc: verify token: oidc: token is expired",
		},
		{
			name: "hmac_keyed_with_the_public_key",
			token: func(c map[string]any) string {
				return signJWT(t, jose.HS256, jose.JSONWebKey{Key: ecPublic, KeyID: "ec"}, c)
			},
			wantErr: "oidc: verify token: oidc: id token signed with unsupported algorithm",
		},
		{
			name: "unknown_key",
			token: func(c map[string]any) string {
				return signJWT(t, jose.ES256, jose.JSONWebKey{Key: newKey(t, jose.ES256), KeyID: "ec"}, c)
			},
			wantErr: "oidc: verify token: failed to verify signature: no signing key of the issuer verifies the token",
		},
		{
			name:    "no_username",
			token:   func(c map[string]any) string { delete(c, "username"); return issuer.sign(t, "ec", c) },
			wantErr: `oidc: parse username claims "username": claim not present`,
		},
	}
	for _, tt := range tests {
		got, err := e.authenticate(context.Background(), name, tt.token(issuer.claims(audience)))
		require.ErrorContains(t, err, tt.wantErr, tt.name)
		require.Nil(t, got, tt.name)
	}
}

// withoutTimes strips lastTransitionTime, and observedGeneration when it is current, so
// that conditions compare by what they say; a stale generation still shows.
func withoutTimes(conditions []metav1.Condition, generation int64) []metav1.Condition {
	out := make([]metav1.Condition, 0, len(conditions))
	for _, c := range conditions {
		c.LastTransitionTime = metav1.Time{}
		if c.ObservedGeneration == generation {
			c.ObservedGeneration = 0
		}
		out = append(out, c)
	}
	return out
}

func equalConditions(a, b []metav1.Condition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantConditions returns the conditions of a Ready object with overrides applied, the
// Ready summary computed from them, sorted by type.
func wantConditions(overrides ...metav1.Condition) []metav1.Condition {
	byType := map[string]metav1.Condition{}
	for _, c := range []metav1.Condition{
		trueCondition("AuthenticatorValid", "the authenticator is initialized"),
		trueCondition("DiscoveryURLValid", "OIDC discovery of the issuer succeeded"),
		trueCondition("IssuerURLValid", "spec.issuer is a valid https URL"),
		trueCondition("JWKSFetchValid", "fetched the issuer's signing keys from its jwks_uri"),
		trueCondition("JWKSURLValid", "the issuer's jwks_uri is a valid https URL"),
		tlsCondition("spec.tls is valid: using configured CA bundle"),
	} {
		byType[c.Type] = c
	}
	ready := trueCondition("Ready", "the JWTAuthenticator is ready")
	for _, c := range overrides {
		byType[c.Type] = c
	}
	out := make([]metav1.Condition, 0, len(byType)+1)
	for _, c := range byType {
		if c.Status != metav1.ConditionTrue {
			ready = falseCondition("Ready", "NotReady",
				"the JWTAuthenticator is not ready: see other conditions for details")
		}
		out = append(out, c)
	}
	out = append(out, ready)
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

func trueCondition(typ, message string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: "Success", Message: message}
}

func falseCondition(typ, reason, message string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionFalse, Reason: reason, Message: message}
}

func unknown(typ string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionUnknown, Reason: "UnableToValidate",
		Message: "unable to validate; see other conditions for details"}
}

func tlsCondition(message string) metav1.Condition {
	return trueCondition("TLSConfigurationValid", message)
}

func inlineCA(issuer *testIssuer) *authenticationv1alpha1.TLSSpec {
	return &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: issuer.caData()}
}

// untrustedMessage is the discovery failure of an issuer whose certificate is signed by
// a CA other than the configured one.
func untrustedMessage(issuer *testIssuer) string {
	return `could not perform OIDC discovery on spec.issuer: Get "` + issuer.issuer +
		`/.well-known/openid-configuration": tls: failed to verify certificate: ` +
		`x509: certificate signed by unknown authority (possibly because of ` +
		`"x509: ECDSA verification failure" while trying to verify candidate authority certificate ` +
		`"test issuer CA")`
}
