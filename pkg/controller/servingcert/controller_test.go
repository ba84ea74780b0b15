// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	aggregatorinformers "k8s.io/kube-aggregator/pkg/client/informers/externalversions"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	"github.com/sealworks/pinniped/test/harness"
)

const (
	namespace  = "serving-test"
	secretName = "api-serving-cert"
	login      = "v1alpha1.login.serving.example.dev"
	identity   = "v1alpha1.identity.serving.example.dev"
)

type countingListener struct{ count atomic.Int32 }

func (l *countingListener) Enqueue() { l.count.Add(1) }

// env is a running controller against a real kube-apiserver.
type env struct {
	kube       kubernetes.Interface
	aggregator aggregatorclient.Interface
	clock      *clocktesting.FakeClock
	provider   *servingcert.Provider
	listener   *countingListener
}

func TestController(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	e := startController(ctx, t, h)
	// Stop the controller first, then wait for it in startController's cleanup.
	t.Cleanup(cancel)

	var first *corev1.Secret
	t.Run("creates_secret_and_serves_it", func(t *testing.T) {
		first = waitForSecret(ctx, t, e, "")
		require.Equal(t, map[string]string{"app": "serving-test"}, first.Labels)
		require.Equal(t, corev1.SecretTypeOpaque, first.Type)
		keys := []string{}
		for k := range first.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		require.Equal(t,
			[]string{"caCertificate", "caCertificatePrivateKey", "tlsCertificateChain", "tlsPrivateKey"}, keys)

		ca, err := certauthority.Load(first.Data["caCertificate"], first.Data["caCertificatePrivateKey"])
		require.NoError(t, err)
		require.Equal(t, "Pinniped Aggregation CA", ca.Certificate().Subject.CommonName)
		leaf := parseLeaf(t, first)
		require.Equal(t, []string{"api.serving-test.svc", "api.serving-test.svc.cluster.local"}, leaf.DNSNames)
		require.Empty(t, leaf.IPAddresses)
		require.Equal(t, elliptic.P256(), leaf.PublicKey.(*ecdsa.PublicKey).Curve)
		require.Equal(t, e.clock.Now().Add(-certauthority.Backdate), leaf.NotBefore)
		require.Equal(t, e.clock.Now().Add(10*time.Hour), leaf.NotAfter)
		_, err = leaf.Verify(x509.VerifyOptions{
			Roots: ca.Pool(), DNSName: "api.serving-test.svc", CurrentTime: e.clock.Now(),
		})
		require.NoError(t, err)

		waitForServed(t, e, first)
		waitForCABundle(ctx, t, e, login, first.Data["caCertificate"])
		waitForCABundle(ctx, t, e, identity, first.Data["caCertificate"])
	})

	t.Run("apiservice_created_later_is_patched", func(t *testing.T) {
		createAPIService(ctx, t, e, "v1beta1.login.serving.example.dev")
		waitForCABundle(ctx, t, e, "v1beta1.login.serving.example.dev", first.Data["caCertificate"])
	})

	t.Run("deleted_secret_is_recreated_and_trusted", func(t *testing.T) {
		before := e.listener.count.Load()
		require.NoError(t, e.kube.CoreV1().Secrets(namespace).Delete(ctx, secretName, metav1.DeleteOptions{}))
		second := waitForSecret(ctx, t, e, first.UID)
		require.NotEqual(t, first.Data["caCertificate"], second.Data["caCertificate"])
		waitForServed(t, e, second)
		require.Greater(t, e.listener.count.Load(), before)
		waitForCABundle(ctx, t, e, login, second.Data["caCertificate"])
		waitForCABundle(ctx, t, e, identity, second.Data["caCertificate"])
		first = second
	})

	t.Run("corrupted_secret_is_replaced", func(t *testing.T) {
		patch := []byte(`{"data":{"tlsPrivateKey":"Z2FyYmFnZQ=="}}`)
		_, err := e.kube.CoreV1().Secrets(namespace).Patch(ctx, secretName, types.MergePatchType, patch,
			metav1.PatchOptions{})
		require.NoError(t, err)
		replaced := waitForSecret(ctx, t, e, first.UID)
		waitForServed(t, e, replaced)
		first = replaced
	})

	t.Run("renewed_when_age_reaches_renew_before", func(t *testing.T) {
		// The controller checks on its clock's ticker; stepping the fake clock past
		// renewBefore both fires the ticker and makes the certificate due.
		require.Eventually(t, e.clock.HasWaiters, 10*time.Second, 10*time.Millisecond)
		e.clock.Step(8 * time.Hour)
		renewed := waitForSecret(ctx, t, e, first.UID)
		leaf := parseLeaf(t, renewed)
		require.Equal(t, e.clock.Now().Add(-certauthority.Backdate), leaf.NotBefore)
		waitForServed(t, e, renewed)
		waitForCABundle(ctx, t, e, login, renewed.Data["caCertificate"])
	})
}

func startController(ctx context.Context, t *testing.T, h *harness.Harness) *env {
	t.Helper()
	e := &env{
		kube: h.Client(),
		// Certificates carry whole seconds, so the fake clock starts on one.
		clock:    clocktesting.NewFakeClock(time.Now().UTC().Truncate(time.Second)),
		provider: servingcert.NewProvider("test-serving-cert"),
		listener: &countingListener{},
	}
	e.provider.AddListener(e.listener)
	var err error
	e.aggregator, err = aggregatorclient.NewForConfig(h.AdminConfig)
	require.NoError(t, err)
	_, err = e.kube.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	require.NoError(t, err)
	createAPIService(ctx, t, e, login)
	createAPIService(ctx, t, e, identity)

	kubeInformers := informers.NewSharedInformerFactoryWithOptions(e.kube, 0, informers.WithNamespace(namespace))
	aggInformers := aggregatorinformers.NewSharedInformerFactory(e.aggregator, 0)
	c, err := servingcert.New(servingcert.Options{
		Namespace:       namespace,
		SecretName:      secretName,
		ServiceName:     "api",
		APIServiceNames: []string{login, identity, "v1beta1.login.serving.example.dev"},
		Duration:        10 * time.Hour,
		RenewBefore:     8 * time.Hour,
		Labels:          map[string]string{"app": "serving-test"},
		Clock:           e.clock,
	}, e.provider, e.kube, e.aggregator,
		kubeInformers.Core().V1().Secrets(), aggInformers.Apiregistration().V1().APIServices())
	require.NoError(t, err)
	kubeInformers.Start(ctx.Done())
	aggInformers.Start(ctx.Done())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { <-done })
	return e
}

func createAPIService(ctx context.Context, t *testing.T, e *env, name string) {
	t.Helper()
	version, group, _ := cut(name)
	port := int32(443)
	_, err := e.aggregator.ApiregistrationV1().APIServices().Create(ctx, &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: apiregistrationv1.APIServiceSpec{
			Service:              &apiregistrationv1.ServiceReference{Namespace: namespace, Name: "api", Port: &port},
			Group:                group,
			Version:              version,
			GroupPriorityMinimum: 9900,
			VersionPriority:      15,
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
}

func cut(name string) (version, group string, ok bool) {
	for i := range name {
		if name[i] == '.' {
			return name[:i], name[i+1:], true
		}
	}
	return name, "", false
}

// waitForSecret waits for the Secret to exist with a UID other than notUID.
func waitForSecret(ctx context.Context, t *testing.T, e *env, notUID types.UID) *corev1.Secret {
	t.Helper()
	var secret *corev1.Secret
	require.Eventually(t, func() bool {
		s, err := e.kube.CoreV1().Secrets(namespace).Get(ctx, secretName, metav1.GetOptions{})
		if err != nil || s.UID == notUID {
			return false
		}
		secret = s
		return true
	}, 30*time.Second, 50*time.Millisecond)
	return secret
}

func waitForServed(t *testing.T, e *env, secret *corev1.Secret) {
	t.Helper()
	require.Eventually(t, func() bool {
		cert, key := e.provider.CurrentCertKeyContent()
		return string(cert) == string(secret.Data["tlsCertificateChain"]) &&
			string(key) == string(secret.Data["tlsPrivateKey"])
	}, 30*time.Second, 50*time.Millisecond)
}

func waitForCABundle(ctx context.Context, t *testing.T, e *env, name string, want []byte) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		svc, err := e.aggregator.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
		require.NoError(c, err)
		require.Equal(c, string(want), string(svc.Spec.CABundle), "caBundle of %s", name)
	}, 30*time.Second, 50*time.Millisecond)
}

func parseLeaf(t *testing.T, secret *corev1.Secret) *x509.Certificate {
	t.Helper()
	pair, err := tls.X509KeyPair(secret.Data["tlsCertificateChain"], secret.Data["tlsPrivateKey"])
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	require.NoError(t, err)
	return leaf
}
