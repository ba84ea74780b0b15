// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	jose "gopkg.in/go-jose/go-jose.v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
	"github.com/sealworks/pinniped/test/harness"
)

const crdFile = "../../../artifacts/crds/authentication.concierge.pinniped.dev_jwtauthenticators.yaml"

// testEnv is a running controller against a real kube-apiserver.
type testEnv struct {
	client    conciergeclientset.Interface
	kube      kubernetes.Interface
	cache     *authncache.Cache
	namespace string
}

// startController starts a control plane, installs the CRD, and runs the controller
// until the test ends.
func startController(t *testing.T) *testEnv {
	t.Helper()
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	_, err := h.Kubectl(ctx, "apply", "--server-side", "-f", crdFile)
	require.NoError(t, err)
	_, err = h.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crdFile)
	require.NoError(t, err)

	env := &testEnv{
		client:    conciergeclientset.NewForConfigOrDie(h.AdminConfig),
		kube:      h.Client(),
		cache:     authncache.New(),
		namespace: "concierge",
	}
	_, err = env.kube.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: env.namespace}}, metav1.CreateOptions{})
	require.NoError(t, err)

	informers := conciergeinformers.NewSharedInformerFactory(env.client, 0)
	kube := kubeinformers.NewSharedInformerFactoryWithOptions(env.kube, 0, kubeinformers.WithNamespace(env.namespace))
	controller, err := New(Options{
		Client:            env.client,
		JWTAuthenticators: informers.Authentication().V1alpha1().JWTAuthenticators(),
		Secrets:           kube.Core().V1().Secrets(),
		ConfigMaps:        kube.Core().V1().ConfigMaps(),
		Namespace:         env.namespace,
		Cache:             env.cache,
	})
	require.NoError(t, err)
	informers.Start(ctx.Done())
	kube.Start(ctx.Done())
	done := make(chan struct{})
	go func() {
		defer close(done)
		controller.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return env
}

func TestController(t *testing.T) {
	env := startController(t)
	ctx := context.Background()

	t.Run("valid_issuer_loads_an_authenticator_that_accepts_its_tokens", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		issuer.addKey(t, "rsa", jose.RS256)
		issuer.addKey(t, "pss", jose.PS512)
		obj := env.create(t, "valid", issuer.issuer, "cluster-1", inlineCA(issuer))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		loaded := env.waitForLoaded(t, obj.Name)

		for _, kid := range []string{"ec", "rsa", "pss"} {
			got, err := env.authenticate(ctx, obj.Name, issuer.sign(t, kid, issuer.claims("cluster-1")))
			require.NoError(t, err, kid)
			require.Equal(t, &user.DefaultInfo{Name: "pinny", Groups: []string{"seals", "walruses"}}, got, kid)
		}
		env.requireRefused(t, issuer, obj.Name, "cluster-1")

		env.requireStable(t, obj.Name)

		// The issuer rotates to a new key: its tokens work at once, through the same
		// authenticator, without rediscovery.
		discoveries := issuer.discoveryHits.Load()
		issuer.addKey(t, "rotated", jose.ES384)
		got, err := env.authenticate(ctx, obj.Name, issuer.sign(t, "rotated", issuer.claims("cluster-1")))
		require.NoError(t, err)
		require.Equal(t, "pinny", got.GetName())
		require.Same(t, loaded, env.cache.Get(cacheKey(obj.Name)))
		require.Equal(t, discoveries, issuer.discoveryHits.Load())
	})

	t.Run("a_failing_issuer_does_not_evict_an_unchanged_authenticator", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		obj := env.create(t, "flaky", issuer.issuer, "cluster-1", inlineCA(issuer))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		loaded := env.waitForLoaded(t, obj.Name)

		// Spelling out the default claim is a new generation with the same config: the
		// status follows the generation, and the issuer is not asked again.
		issuer.set(func(i *testIssuer) { i.failDiscovery = true })
		discoveries := issuer.discoveryHits.Load()
		obj = env.update(t, obj.Name, func(a *authenticationv1alpha1.JWTAuthenticator) {
			a.Spec.Claims.Username = "username"
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		require.Same(t, loaded, env.cache.Get(cacheKey(obj.Name)))
		require.Equal(t, discoveries, issuer.discoveryHits.Load())
	})

	t.Run("an_http_issuer_is_refused_by_the_schema", func(t *testing.T) {
		_, err := env.client.AuthenticationV1alpha1().JWTAuthenticators().Create(ctx,
			&authenticationv1alpha1.JWTAuthenticator{
				ObjectMeta: metav1.ObjectMeta{Name: "http"},
				Spec:       authenticationv1alpha1.JWTAuthenticatorSpec{Issuer: "http://127.0.0.1/x", Audience: "a"},
			}, metav1.CreateOptions{})
		require.True(t, apierrors.IsInvalid(err), "got %v", err)
	})

	t.Run("an_unreachable_issuer_is_reported_and_not_loaded", func(t *testing.T) {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		address := listener.Addr().String()
		require.NoError(t, listener.Close())
		obj := env.create(t, "unreachable", "https://"+address+"/x", "cluster-1", nil)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			tlsCondition(msgSystemRoots),
			falseCondition("DiscoveryURLValid", "InvalidDiscoveryProbe",
				`could not perform OIDC discovery on spec.issuer: Get "https://`+address+
					`/x/.well-known/openid-configuration": dial tcp `+address+`: connect: connection refused`),
			unknown("JWKSURLValid"), unknown("JWKSFetchValid"), unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
		env.requireStable(t, obj.Name)
	})

	t.Run("an_untrusted_certificate_is_reported", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		obj := env.create(t, "untrusted", issuer.issuer, "cluster-1", inlineCA(newTestIssuer(t)))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("DiscoveryURLValid", "InvalidDiscoveryProbe", untrustedMessage(issuer)),
			unknown("JWKSURLValid"), unknown("JWKSFetchValid"), unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
	})

	t.Run("a_ca_bundle_from_a_configmap_is_reloaded_when_it_changes", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		obj := env.create(t, "configmap", issuer.issuer, "cluster-1", &authenticationv1alpha1.TLSSpec{
			CertificateAuthorityDataSource: &authenticationv1alpha1.CertificateAuthorityDataSourceSpec{
				Kind: "ConfigMap", Name: "issuer-ca", Key: "ca.crt",
			},
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("TLSConfigurationValid", "InvalidTLSConfig",
				`spec.tls.certificateAuthorityDataSource is invalid: could not get ConfigMap "issuer-ca" `+
					`in namespace "concierge": configmap "issuer-ca" not found`),
			unknown("DiscoveryURLValid"), unknown("JWKSURLValid"), unknown("JWKSFetchValid"),
			unknown("AuthenticatorValid"),
		))

		// The ConfigMap appears with the wrong CA, then is fixed.
		configMap := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "issuer-ca", Namespace: env.namespace},
			Data:       map[string]string{"ca.crt": string(newTestIssuer(t).ca.Bundle())},
		}
		configMap, err := env.kube.CoreV1().ConfigMaps(env.namespace).Create(ctx, configMap, metav1.CreateOptions{})
		require.NoError(t, err)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("DiscoveryURLValid", "InvalidDiscoveryProbe", untrustedMessage(issuer)),
			unknown("JWKSURLValid"), unknown("JWKSFetchValid"), unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))

		configMap.Data["ca.crt"] = string(issuer.ca.Bundle())
		configMap, err = env.kube.CoreV1().ConfigMaps(env.namespace).Update(ctx, configMap, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)
		_, err = env.authenticate(ctx, obj.Name, issuer.sign(t, "ec", issuer.claims("cluster-1")))
		require.NoError(t, err)

		// A broken bundle unloads the authenticator.
		configMap.Data["ca.crt"] = "garbage"
		_, err = env.kube.CoreV1().ConfigMaps(env.namespace).Update(ctx, configMap, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("TLSConfigurationValid", "InvalidTLSConfig",
				"spec.tls.certificateAuthorityDataSource is invalid: no PEM certificates found"),
			unknown("DiscoveryURLValid"), unknown("JWKSURLValid"), unknown("JWKSFetchValid"),
			unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
	})

	t.Run("a_ca_bundle_from_a_tls_secret", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		_, err := env.kube.CoreV1().Secrets(env.namespace).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "issuer-tls", Namespace: env.namespace},
			Type:       corev1.SecretTypeTLS,
			Data: map[string][]byte{
				"ca.crt": issuer.ca.Bundle(), "tls.crt": issuer.ca.Bundle(), "tls.key": issuer.ca.PrivateKeyPEM(),
			},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		obj := env.create(t, "secret", issuer.issuer, "cluster-1", &authenticationv1alpha1.TLSSpec{
			CertificateAuthorityDataSource: &authenticationv1alpha1.CertificateAuthorityDataSourceSpec{
				Kind: "Secret", Name: "issuer-tls", Key: "ca.crt",
			},
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
	})

	t.Run("an_invalid_spec_change_unloads_at_once_and_deletion_unloads", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		obj := env.create(t, "changing", issuer.issuer, "cluster-1", inlineCA(issuer))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)

		obj = env.update(t, obj.Name, func(a *authenticationv1alpha1.JWTAuthenticator) {
			a.Spec.Issuer = issuer.issuer + "/.well-known/openid-configuration"
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("IssuerURLValid", "InvalidIssuerURLContainsWellKnownEndpoint",
				`spec.issuer "`+obj.Spec.Issuer+`" must be the issuer itself, without /.well-known/openid-configuration`),
			unknown("DiscoveryURLValid"), unknown("JWKSURLValid"), unknown("JWKSFetchValid"),
			unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))

		obj = env.update(t, obj.Name, func(a *authenticationv1alpha1.JWTAuthenticator) { a.Spec.Issuer = issuer.issuer })
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)

		require.NoError(t, env.client.AuthenticationV1alpha1().JWTAuthenticators().Delete(ctx, obj.Name,
			metav1.DeleteOptions{}))
		require.Eventually(t, func() bool { return env.cache.Get(cacheKey(obj.Name)) == nil },
			30*time.Second, 20*time.Millisecond)
	})

	t.Run("discovery_problems_are_reported", func(t *testing.T) {
		issuer := newTestIssuer(t)
		issuer.addKey(t, "ec", jose.ES256)
		issuer.set(func(i *testIssuer) { i.jwksURI = "http://127.0.0.1/keys" })
		obj := env.create(t, "jwks-http", issuer.issuer, "cluster-1", inlineCA(issuer))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("JWKSURLValid", "InvalidProviderJWKSURLScheme",
				`the issuer's jwks_uri "http://127.0.0.1/keys" must use the https scheme`),
			unknown("JWKSFetchValid"), unknown("AuthenticatorValid"),
		))

		issuer.set(func(i *testIssuer) { i.jwksURI = i.issuer + "/missing" })
		obj = env.update(t, obj.Name, func(a *authenticationv1alpha1.JWTAuthenticator) { a.Spec.Audience = "c2" })
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.JWTAuthenticatorPhaseError, wantConditions(
			falseCondition("JWKSFetchValid", "InvalidCouldNotFetchJWKS",
				`could not fetch the issuer's signing keys: could not fetch keys from "`+issuer.issuer+
					`/missing": server answered "404 Not Found"`),
			unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
	})
}
