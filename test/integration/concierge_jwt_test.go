// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/oidcissuer"
	"github.com/sealworks/pinniped/test/testlib"
)

// TestConciergeSigningAlgorithms: every asymmetric algorithm kube-apiserver's own
// JWT authenticator accepts works; symmetric ones never do.
func TestConciergeSigningAlgorithms(t *testing.T) {
	startConcierge(t)
	asymmetric := []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512,
	}
	issuer, keys := startIssuer(t, "algorithms-issuer", authenticationv1alpha1.JWTTokenClaims{}, asymmetric...)
	for _, alg := range asymmetric {
		t.Run(string(alg), func(t *testing.T) {
			token := sign(t, keys[alg], issuer.StandardClaims(audience, "alg-user", nil))
			resp := exchange(t, token, "JWTAuthenticator", "algorithms-issuer")
			require.Nil(t, resp.Status.Message)
			require.NotNil(t, resp.Status.Credential)
		})
	}
	for _, alg := range []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512} {
		t.Run(string(alg), func(t *testing.T) {
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: make([]byte, 64)},
				(&jose.SignerOptions{}).WithType("JWT"))
			require.NoError(t, err)
			payload := issuer.StandardClaims(audience, "alg-user", nil)
			requireGenericFailure(t, exchange(t, compact(t, signer, payload), "JWTAuthenticator", "algorithms-issuer"))
		})
	}
}

// TestConciergeClaims covers the claim mappings of a JWTAuthenticator.
func TestConciergeClaims(t *testing.T) {
	startConcierge(t)

	t.Run("single_string_group", func(t *testing.T) {
		issuer, keys := startIssuer(t, "string-group-issuer", authenticationv1alpha1.JWTTokenClaims{})
		claims := issuer.StandardClaims(audience, "pinny", nil)
		claims["groups"] = "only-group"
		resp := exchange(t, sign(t, keys[jose.ES256], claims), "JWTAuthenticator", "string-group-issuer")
		require.NotNil(t, resp.Status.Credential)
		cert := parseCert(t, resp.Status.Credential.ClientCertificateData)
		require.Equal(t, []string{"only-group"}, cert.Subject.Organization)
	})

	t.Run("email_username_requires_verified_email", func(t *testing.T) {
		issuer, keys := startIssuer(t, "email-issuer",
			authenticationv1alpha1.JWTTokenClaims{Username: "email", Groups: "roles"})
		claims := issuer.StandardClaims(audience, "ignored", nil)
		claims["email"] = "pinny@example.com"
		claims["roles"] = []string{"admins"}

		claims["email_verified"] = false
		requireGenericFailure(t, exchange(t, sign(t, keys[jose.ES256], claims), "JWTAuthenticator", "email-issuer"))

		claims["email_verified"] = true
		resp := exchange(t, sign(t, keys[jose.ES256], claims), "JWTAuthenticator", "email-issuer")
		require.NotNil(t, resp.Status.Credential)
		cert := parseCert(t, resp.Status.Credential.ClientCertificateData)
		require.Equal(t, "pinny@example.com", cert.Subject.CommonName)
		require.Equal(t, []string{"admins"}, cert.Subject.Organization)
	})
}

// TestConciergeKeyRotation: the issuer starts signing with a new kid; new tokens
// work without any change on the Concierge side, and the old key keeps working
// while it is published.
func TestConciergeKeyRotation(t *testing.T) {
	startConcierge(t)
	issuer, keys := startIssuer(t, "rotating-issuer", authenticationv1alpha1.JWTTokenClaims{})
	claims := func() oidcissuer.Claims { return issuer.StandardClaims(audience, "pinny", nil) }
	require.NotNil(t, exchange(t, sign(t, keys[jose.ES256], claims()), "JWTAuthenticator", "rotating-issuer").
		Status.Credential)

	rotated, err := issuer.AddKey("rotated-key", jose.ES256)
	require.NoError(t, err)
	require.NotNil(t, exchange(t, sign(t, rotated, claims()), "JWTAuthenticator", "rotating-issuer").Status.Credential)
	require.NotNil(t, exchange(t, sign(t, keys[jose.ES256], claims()), "JWTAuthenticator", "rotating-issuer").
		Status.Credential)
}

// TestConciergeWebhookAuthenticator authenticates a static token through a
// TokenReview webhook.
func TestConciergeWebhookAuthenticator(t *testing.T) {
	startConcierge(t)
	ctx := context.Background()
	server, err := testlib.StartTokenReviewServer(map[string]authenticationv1beta1.UserInfo{
		"static-token-of-alice": {Username: "alice", Groups: []string{"webhook-admins"}},
		"static-token-with-uid": {Username: "carol", UID: "1234"},
	})
	require.NoError(t, err)
	t.Cleanup(server.Close)

	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).AuthenticationV1alpha1().WebhookAuthenticators()
	_, err = client.Create(ctx, &authenticationv1alpha1.WebhookAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "corp-webhook"},
		Spec: authenticationv1alpha1.WebhookAuthenticatorSpec{
			Endpoint: server.URL,
			TLS:      &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: b64(server.CA.Bundle())},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Delete(context.Background(), "corp-webhook", metav1.DeleteOptions{}) })
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			w, err := client.Get(ctx, "corp-webhook", metav1.GetOptions{})
			return err == nil && w.Status.Phase == authenticationv1alpha1.WebhookAuthenticatorPhaseReady, nil
		})
	require.NoError(t, err)

	resp := exchange(t, "static-token-of-alice", "WebhookAuthenticator", "corp-webhook")
	require.NotNil(t, resp.Status.Credential)
	cert := parseCert(t, resp.Status.Credential.ClientCertificateData)
	require.Equal(t, "alice", cert.Subject.CommonName)
	require.Equal(t, []string{"webhook-admins"}, cert.Subject.Organization)

	requireGenericFailure(t, exchange(t, "wrong-token", "WebhookAuthenticator", "corp-webhook"))
	requireGenericFailure(t, exchange(t, "static-token-with-uid", "WebhookAuthenticator", "corp-webhook"))
	requireGenericFailure(t, exchange(t, "static-token-of-alice", "JWTAuthenticator", "corp-webhook"))

	t.Run("deleted_authenticator_stops_at_once", func(t *testing.T) {
		require.NoError(t, client.Delete(ctx, "corp-webhook", metav1.DeleteOptions{}))
		require.Eventually(t, func() bool {
			return exchange(t, "static-token-of-alice", "WebhookAuthenticator", "corp-webhook").Status.Credential == nil
		}, 10*time.Second, 20*time.Millisecond)
	})
}

func compact(t *testing.T, signer jose.Signer, claims oidcissuer.Claims) string {
	t.Helper()
	token, err := signJSON(signer, claims)
	require.NoError(t, err)
	return token
}
