// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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

const crdFile = "../../../artifacts/crds/authentication.concierge.pinniped.dev_webhookauthenticators.yaml"

// proxiedHost is the one host the test controller believes HTTPS_PROXY applies to.
const proxiedHost = "proxied.example.com"

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
		Client:                env.client,
		WebhookAuthenticators: informers.Authentication().V1alpha1().WebhookAuthenticators(),
		Secrets:               kube.Core().V1().Secrets(),
		ConfigMaps:            kube.Core().V1().ConfigMaps(),
		Namespace:             env.namespace,
		Cache:                 env.cache,
	})
	require.NoError(t, err)
	controller.proxy = func(req *http.Request) (*url.URL, error) {
		if req.URL.Hostname() == proxiedHost {
			return url.Parse("http://127.0.0.1:1")
		}
		return nil, nil
	}
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

	t.Run("valid_webhook_loads_an_authenticator_that_asks_it", func(t *testing.T) {
		server := newTokenReviewServer(t)
		obj := env.create(t, "valid", server.endpoint, inlineCA(server))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)

		got, err := env.cache.AuthenticateToken(ctx, cacheKey(obj.Name), goodToken)
		require.NoError(t, err)
		require.Equal(t, &user.DefaultInfo{Name: "pinny", Groups: []string{"seals"}}, got)
		got, err = env.cache.AuthenticateToken(ctx, cacheKey(obj.Name), "pinny:wrong")
		require.ErrorIs(t, err, authncache.ErrNotAuthenticated)
		require.Nil(t, got)
		// No result is cached: each authentication asked the webhook.
		require.Equal(t, int32(2), server.reviews.Load())

		env.requireStable(t, obj.Name)
	})

	t.Run("an_unreachable_webhook_does_not_evict_an_unchanged_authenticator", func(t *testing.T) {
		server := newTokenReviewServer(t)
		_, err := env.kube.CoreV1().ConfigMaps(env.namespace).Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "webhook-ca", Namespace: env.namespace},
			Data:       map[string]string{"ca.crt": string(server.ca.Bundle())},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		obj := env.create(t, "flaky", server.endpoint, inlineCA(server))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions())
		loaded := env.waitForLoaded(t, obj.Name)

		// The same bundle from a ConfigMap is a new generation with the same config:
		// the status follows the generation, and the stopped server is not dialed.
		server.server.Close()
		obj = env.update(t, obj.Name, func(a *authenticationv1alpha1.WebhookAuthenticator) {
			a.Spec.TLS = &authenticationv1alpha1.TLSSpec{
				CertificateAuthorityDataSource: &authenticationv1alpha1.CertificateAuthorityDataSourceSpec{
					Kind: "ConfigMap", Name: "webhook-ca", Key: "ca.crt",
				},
			}
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions())
		require.Same(t, loaded, env.cache.Get(cacheKey(obj.Name)))
	})

	t.Run("an_http_endpoint_is_refused_by_the_schema", func(t *testing.T) {
		_, err := env.client.AuthenticationV1alpha1().WebhookAuthenticators().Create(ctx,
			&authenticationv1alpha1.WebhookAuthenticator{
				ObjectMeta: metav1.ObjectMeta{Name: "http"},
				Spec:       authenticationv1alpha1.WebhookAuthenticatorSpec{Endpoint: "http://127.0.0.1/x"},
			}, metav1.CreateOptions{})
		require.True(t, apierrors.IsInvalid(err), "got %v", err)
	})

	t.Run("an_unreachable_webhook_is_reported_and_not_loaded", func(t *testing.T) {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		address := listener.Addr().String()
		require.NoError(t, listener.Close())
		obj := env.create(t, "unreachable", "https://"+address+"/authenticate", nil)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseError, wantConditions(
			trueCondition("TLSConfigurationValid", "spec.tls is valid: no TLS configuration provided: "+
				"using default root CA bundle from container image"),
			falseCondition("WebhookConnectionValid", "UnableToDialServer",
				"could not dial spec.endpoint: dial tcp "+address+": connect: connection refused"),
			unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
		env.requireStable(t, obj.Name)
	})

	t.Run("an_untrusted_certificate_is_reported", func(t *testing.T) {
		server := newTokenReviewServer(t)
		obj := env.create(t, "untrusted", server.endpoint, inlineCA(newTokenReviewServer(t)))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseError, wantConditions(
			falseCondition("WebhookConnectionValid", "UnableToDialServer",
				"could not dial spec.endpoint: tls: failed to verify certificate: x509: certificate signed by "+
					`unknown authority (possibly because of "x509: ECDSA verification failure" while trying to `+
					`verify candidate authority certificate "test webhook CA")`),
			unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
	})

	t.Run("a_ca_bundle_from_a_secret_is_reloaded_when_it_changes", func(t *testing.T) {
		server := newTokenReviewServer(t)
		secret, err := env.kube.CoreV1().Secrets(env.namespace).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "webhook-ca", Namespace: env.namespace},
			Type:       corev1.SecretTypeOpaque,
			Data:       map[string][]byte{"ca.crt": []byte("not yet")},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		obj := env.create(t, "secret", server.endpoint, &authenticationv1alpha1.TLSSpec{
			CertificateAuthorityDataSource: &authenticationv1alpha1.CertificateAuthorityDataSourceSpec{
				Kind: "Secret", Name: "webhook-ca", Key: "ca.crt",
			},
		})
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseError, wantConditions(
			falseCondition("TLSConfigurationValid", "InvalidTLSConfig",
				"spec.tls.certificateAuthorityDataSource is invalid: no PEM certificates found"),
			unknown("WebhookConnectionValid"), unknown("AuthenticatorValid"),
		))

		secret.Data["ca.crt"] = server.ca.Bundle()
		_, err = env.kube.CoreV1().Secrets(env.namespace).Update(ctx, secret, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)
		_, err = env.cache.AuthenticateToken(ctx, cacheKey(obj.Name), goodToken)
		require.NoError(t, err)

		require.NoError(t, env.kube.CoreV1().Secrets(env.namespace).Delete(ctx, secret.Name, metav1.DeleteOptions{}))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseError, wantConditions(
			falseCondition("TLSConfigurationValid", "InvalidTLSConfig",
				`spec.tls.certificateAuthorityDataSource is invalid: could not get Secret "webhook-ca" in `+
					`namespace "concierge": secret "webhook-ca" not found`),
			unknown("WebhookConnectionValid"), unknown("AuthenticatorValid"),
		))
		require.Nil(t, env.cache.Get(cacheKey(obj.Name)))
	})

	t.Run("a_proxied_endpoint_is_not_dialed", func(t *testing.T) {
		obj := env.create(t, "proxied", "https://"+proxiedHost+"/authenticate", nil)
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions(
			trueCondition("TLSConfigurationValid", "spec.tls is valid: no TLS configuration provided: "+
				"using default root CA bundle from container image"),
			trueCondition("WebhookConnectionValid", "skipped dialing connection probe because HTTPS_PROXY is "+
				"configured for use with the specified host"),
		))
		env.waitForLoaded(t, obj.Name)
	})

	t.Run("deletion_unloads", func(t *testing.T) {
		server := newTokenReviewServer(t)
		obj := env.create(t, "deleted", server.endpoint, inlineCA(server))
		env.waitForStatus(t, obj.Name, authenticationv1alpha1.WebhookAuthenticatorPhaseReady, wantConditions())
		env.waitForLoaded(t, obj.Name)
		require.NoError(t, env.client.AuthenticationV1alpha1().WebhookAuthenticators().Delete(ctx, obj.Name,
			metav1.DeleteOptions{}))
		require.Eventually(t, func() bool { return env.cache.Get(cacheKey(obj.Name)) == nil },
			30*time.Second, 20*time.Millisecond)
	})
}
