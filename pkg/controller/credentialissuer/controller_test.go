// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer_test

import (
	"context"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	clocktesting "k8s.io/utils/clock/testing"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/credentialissuer"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
	"github.com/sealworks/pinniped/test/harness"
)

// fakeKey is a signing key whose status the test sets.
type fakeKey struct {
	mu      sync.Mutex
	loaded  bool
	message string
}

func (k *fakeKey) LoadStatus() (bool, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.loaded, k.message
}

func (k *fakeKey) set(loaded bool, message string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loaded, k.message = loaded, message
}

func TestController(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	crd := "../../../artifacts/crds/config.concierge.pinniped.dev_credentialissuers.yaml"
	_, err := h.Kubectl(ctx, "apply", "-f", crd)
	require.NoError(t, err)
	_, err = h.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crd)
	require.NoError(t, err)
	client, err := conciergeclientset.NewForConfig(h.AdminConfig)
	require.NoError(t, err)
	issuers := client.ConfigV1alpha1().CredentialIssuers()
	kubeCA := []byte(h.AdminConfig.CAData)
	// The harness publishes cluster-info as kubeadm does; start without it.
	err = h.Client().CoreV1().ConfigMaps("kube-public").Delete(ctx, "cluster-info", metav1.DeleteOptions{})
	if !apierrors.IsNotFound(err) {
		require.NoError(t, err)
	}

	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	fakeClock := clocktesting.NewFakePassiveClock(t0)
	key := &fakeKey{message: `secret "pinniped-concierge/signer" not found`}
	c := start(ctx, t, h, client, credentialissuer.Options{
		Name: "from-cluster-info", Labels: map[string]string{"app": "concierge"}, Clock: fakeClock,
	}, key)

	t.Run("created_with_no_key", func(t *testing.T) {
		issuer := waitForStrategies(ctx, t, issuers, "from-cluster-info", []configv1alpha1.CredentialIssuerStrategy{{
			Type: "KubeClusterSigningCertificate", Status: "Error", Reason: "CouldNotFetchKey",
			Message: `secret "pinniped-concierge/signer" not found`, LastUpdateTime: metav1.NewTime(t0),
		}})
		require.Equal(t, map[string]string{"app": "concierge"}, issuer.Labels)
	})

	t1 := t0.Add(time.Minute)
	t.Run("key_without_cluster_info", func(t *testing.T) {
		fakeClock.SetTime(t1)
		key.set(true, "")
		c.Enqueue()
		waitForStrategies(ctx, t, issuers, "from-cluster-info", []configv1alpha1.CredentialIssuerStrategy{{
			Type: "KubeClusterSigningCertificate", Status: "Error", Reason: "CouldNotGetClusterInfo",
			Message: `configmap "kube-public/cluster-info" not found`, LastUpdateTime: metav1.NewTime(t1),
		}})
	})

	t2 := t1.Add(time.Minute)
	success := configv1alpha1.CredentialIssuerStrategy{
		Type: "KubeClusterSigningCertificate", Status: "Success", Reason: "FetchedKey",
		Message: "key was fetched successfully", LastUpdateTime: metav1.NewTime(t2),
		Frontend: &configv1alpha1.CredentialIssuerFrontend{
			Type: "TokenCredentialRequestAPI",
			TokenCredentialRequestAPIInfo: &configv1alpha1.TokenCredentialRequestAPIInfo{
				Server: h.URL, CertificateAuthorityData: base64.StdEncoding.EncodeToString(kubeCA),
			},
		},
	}
	t.Run("cluster_info_appears", func(t *testing.T) {
		fakeClock.SetTime(t2)
		createClusterInfo(ctx, t, h, h.URL, kubeCA)
		waitForStrategies(ctx, t, issuers, "from-cluster-info", []configv1alpha1.CredentialIssuerStrategy{success})
	})

	t.Run("other_strategies_kept_and_sorted_without_touching_ours", func(t *testing.T) {
		fakeClock.SetTime(t2.Add(time.Hour))
		proxy := configv1alpha1.CredentialIssuerStrategy{
			Type: "ImpersonationProxy", Status: "Error", Reason: "Disabled",
			Message: "impersonation proxy was disabled by configuration", LastUpdateTime: metav1.NewTime(t0),
		}
		issuer, err := issuers.Get(ctx, "from-cluster-info", metav1.GetOptions{})
		require.NoError(t, err)
		issuer.Status.Strategies = []configv1alpha1.CredentialIssuerStrategy{proxy, success}
		_, err = issuers.UpdateStatus(ctx, issuer, metav1.UpdateOptions{})
		require.NoError(t, err)
		issuer = waitForStrategies(ctx, t, issuers, "from-cluster-info",
			[]configv1alpha1.CredentialIssuerStrategy{success, proxy})

		// Nothing but the time differs now, so nothing more is written.
		c.Enqueue()
		require.Never(t, func() bool {
			again, err := issuers.Get(ctx, "from-cluster-info", metav1.GetOptions{})
			return err != nil || again.ResourceVersion != issuer.ResourceVersion
		}, time.Second, 100*time.Millisecond)
	})

	t.Run("key_lost_again", func(t *testing.T) {
		t3 := t2.Add(2 * time.Hour)
		fakeClock.SetTime(t3)
		key.set(false, "could not load signing key from secret: bad key")
		c.Enqueue()
		issuer := waitForStrategies(ctx, t, issuers, "from-cluster-info", []configv1alpha1.CredentialIssuerStrategy{{
			Type: "KubeClusterSigningCertificate", Status: "Error", Reason: "CouldNotFetchKey",
			Message: "could not load signing key from secret: bad key", LastUpdateTime: metav1.NewTime(t3),
		}, {
			Type: "ImpersonationProxy", Status: "Error", Reason: "Disabled",
			Message: "impersonation proxy was disabled by configuration", LastUpdateTime: metav1.NewTime(t0),
		}})
		require.Len(t, issuer.Status.Strategies, 2)
	})

	t.Run("configured_frontend_wins_over_cluster_info", func(t *testing.T) {
		configuredCA := h.ClusterCA.Bundle()
		start(ctx, t, h, client, credentialissuer.Options{
			Name: "from-config", Server: "https://api.example.com:6443", CertificateAuthorityPEM: configuredCA,
			Clock: fakeClock,
		}, &fakeKey{loaded: true})
		waitForStrategies(ctx, t, issuers, "from-config", []configv1alpha1.CredentialIssuerStrategy{{
			Type: "KubeClusterSigningCertificate", Status: "Success", Reason: "FetchedKey",
			Message: "key was fetched successfully", LastUpdateTime: metav1.NewTime(fakeClock.Now()),
			Frontend: &configv1alpha1.CredentialIssuerFrontend{
				Type: "TokenCredentialRequestAPI",
				TokenCredentialRequestAPIInfo: &configv1alpha1.TokenCredentialRequestAPIInfo{
					Server:                   "https://api.example.com:6443",
					CertificateAuthorityData: base64.StdEncoding.EncodeToString(configuredCA),
				},
			},
		}})
	})
}

func start(ctx context.Context, t *testing.T, h *harness.Harness, client conciergeclientset.Interface,
	opts credentialissuer.Options, key credentialissuer.SigningKey,
) *credentialissuer.Controller {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	conciergeFactory := conciergeinformers.NewSharedInformerFactory(client, 0)
	kubePublic := informers.NewSharedInformerFactoryWithOptions(h.Client(), 0,
		informers.WithNamespace(credentialissuer.ClusterInfoNamespace))
	c, err := credentialissuer.New(opts, client, conciergeFactory.Config().V1alpha1().CredentialIssuers(),
		kubePublic.Core().V1().ConfigMaps(), key)
	require.NoError(t, err)
	conciergeFactory.Start(ctx.Done())
	kubePublic.Start(ctx.Done())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func createClusterInfo(ctx context.Context, t *testing.T, h *harness.Harness, server string, ca []byte) {
	t.Helper()
	kubeconfig := "apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n" +
		"    server: " + server + "\n    certificate-authority-data: " + base64.StdEncoding.EncodeToString(ca) + "\n"
	_, err := h.Client().CoreV1().ConfigMaps("kube-public").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-public", Name: "cluster-info"},
		Data:       map[string]string{"kubeconfig": kubeconfig},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
}

type issuerClient interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*configv1alpha1.CredentialIssuer, error)
}

// waitForStrategies waits until the CredentialIssuer's strategies are exactly want,
// with times compared in UTC (the API returns them in the local zone).
func waitForStrategies(ctx context.Context, t *testing.T, issuers issuerClient, name string,
	want []configv1alpha1.CredentialIssuerStrategy,
) *configv1alpha1.CredentialIssuer {
	t.Helper()
	var got *configv1alpha1.CredentialIssuer
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		issuer, err := issuers.Get(ctx, name, metav1.GetOptions{})
		require.NoError(c, err)
		for i := range issuer.Status.Strategies {
			at := &issuer.Status.Strategies[i].LastUpdateTime
			*at = metav1.NewTime(at.UTC())
		}
		require.Equal(c, want, issuer.Status.Strategies)
		got = issuer
	}, 30*time.Second, 50*time.Millisecond)
	return got
}
