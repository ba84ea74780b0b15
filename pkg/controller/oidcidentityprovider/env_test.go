// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcidentityprovider_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/oidcidentityprovider"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	crdFile      = "../../../artifacts/crds/idp.supervisor.pinniped.dev_oidcidentityproviders.yaml"
	namespace    = "supervisor"
	clientID     = "pinniped-supervisor"
	clientSecret = "supervisor-secret"
	redirectURI  = "https://127.0.0.1:8443/issuer/callback"
	userEmail    = "pinny@example.com"
	userPassword = "seal-password"
)

// testEnv is a running controller against a real kube-apiserver and a real Dex.
type testEnv struct {
	client supervisorclientset.Interface
	kube   kubernetes.Interface
	cache  *oidc.Cache
	dex    *testlib.Dex
}

// startController starts a control plane and Dex, installs the CRD, and runs the
// controller until the test ends.
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
		client: supervisorclientset.NewForConfigOrDie(h.AdminConfig),
		kube:   h.Client(),
		cache:  oidc.NewCache(),
		dex: testlib.StartDex(t, testlib.DexOptions{
			Clients: []testlib.DexClient{{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}}},
			Users: []testlib.DexUser{{Email: userEmail, Username: "pinny", Password: userPassword,
				Groups: []string{"seals"}}},
		}),
	}
	_, err = env.kube.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	require.NoError(t, err)

	idps := supervisorinformers.NewSharedInformerFactoryWithOptions(env.client, 0,
		supervisorinformers.WithNamespace(namespace))
	kube := kubeinformers.NewSharedInformerFactoryWithOptions(env.kube, 0, kubeinformers.WithNamespace(namespace))
	controller, err := oidcidentityprovider.New(oidcidentityprovider.Options{
		Client:                env.client,
		OIDCIdentityProviders: idps.Idp().V1alpha1().OIDCIdentityProviders(),
		Secrets:               kube.Core().V1().Secrets(),
		ConfigMaps:            kube.Core().V1().ConfigMaps(),
		Namespace:             namespace,
		Cache:                 env.cache,
	})
	require.NoError(t, err)
	idps.Start(ctx.Done())
	kube.Start(ctx.Done())
	done := make(chan struct{})
	go func() {
		defer close(done)
		controller.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return env
}

// inlineCA is Dex's CA bundle as spec.tls.certificateAuthorityData wants it.
func (e *testEnv) inlineCA() *idpv1alpha1.TLSSpec {
	return &idpv1alpha1.TLSSpec{CertificateAuthorityData: base64.StdEncoding.EncodeToString(e.dex.CABundle)}
}

// createSecret makes a Secret and deletes it when the test ends.
func (e *testEnv) createSecret(t *testing.T, name string, secretType corev1.SecretType, data map[string]string) {
	t.Helper()
	ctx := context.Background()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type: secretType, StringData: data}
	_, err := e.kube.CoreV1().Secrets(namespace).Create(ctx, secret, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.kube.CoreV1().Secrets(namespace).Delete(ctx, name, metav1.DeleteOptions{}) })
}

// createIDP makes an OIDCIdentityProvider and deletes it when the test ends.
func (e *testEnv) createIDP(t *testing.T, name string, spec idpv1alpha1.OIDCIdentityProviderSpec) {
	t.Helper()
	ctx := context.Background()
	client := e.client.IdpV1alpha1().OIDCIdentityProviders(namespace)
	_, err := client.Create(ctx, &idpv1alpha1.OIDCIdentityProvider{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Spec: spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Delete(ctx, name, metav1.DeleteOptions{}) })
}

// updateConfigMap changes a ConfigMap's data, retrying on conflicts.
func (e *testEnv) updateConfigMap(t *testing.T, name string, data map[string]string) {
	t.Helper()
	ctx := context.Background()
	client := e.kube.CoreV1().ConfigMaps(namespace)
	require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cm, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cm.Data = data
		_, err = client.Update(ctx, cm, metav1.UpdateOptions{})
		return err
	}))
}

// waitForStatus waits until an object shows exactly a phase and conditions (Ready
// included, every one observing generation 1); lastTransitionTime is not compared.
func (e *testEnv) waitForStatus(t *testing.T, name string, phase idpv1alpha1.OIDCIdentityProviderPhase,
	want []metav1.Condition) {
	t.Helper()
	for i := range want {
		want[i].ObservedGeneration = 1
	}
	slices.SortFunc(want, func(a, b metav1.Condition) int { return strings.Compare(a.Type, b.Type) })
	var obj *idpv1alpha1.OIDCIdentityProvider
	var got []metav1.Condition
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		obj, err = e.client.IdpV1alpha1().OIDCIdentityProviders(namespace).Get(context.Background(), name,
			metav1.GetOptions{})
		require.NoError(t, err)
		got = withoutTimes(obj.Status.Conditions)
		if obj.Status.Phase == phase && slices.Equal(want, got) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, want, got, "conditions of %q", name)
	require.Equal(t, phase, obj.Status.Phase, "phase of %q", name)
}

func withoutTimes(in []metav1.Condition) []metav1.Condition {
	out := make([]metav1.Condition, len(in))
	for i, c := range in {
		c.LastTransitionTime = metav1.Time{}
		out[i] = c
	}
	return out
}

// requireStable checks that the controller leaves a settled object alone.
func (e *testEnv) requireStable(t *testing.T, name string) {
	t.Helper()
	client := e.client.IdpV1alpha1().OIDCIdentityProviders(namespace)
	before, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	time.Sleep(2 * time.Second)
	after, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, before.ResourceVersion, after.ResourceVersion, "the status of %q keeps changing", name)
}
