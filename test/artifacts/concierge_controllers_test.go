// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package artifacts

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	aggregatorinformers "k8s.io/kube-aggregator/pkg/client/informers/externalversions"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/controller/credentialissuer"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	"github.com/sealworks/pinniped/pkg/controller/signingcert"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
	"github.com/sealworks/pinniped/test/harness"
)

// runControllersAsConcierge runs the serving-certificate, signing-key and
// CredentialIssuer controllers with the Concierge's ServiceAccount's rights, as
// the Deployment would, and checks that each gets its work done: the RBAC is
// enough for the code that exists.
func runControllersAsConcierge(ctx context.Context, t *testing.T, h *harness.Harness) {
	const ns = "pinniped-concierge"
	admin := h.Client()
	_, err := admin.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "signing-key", Namespace: ns},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey: h.ClusterCA.Bundle(), corev1.TLSPrivateKeyKey: h.ClusterCA.PrivateKeyPEM(),
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	server, caData := clusterInfo(ctx, t, admin, h)

	config := rest.CopyConfig(h.AdminConfig)
	config.Impersonate = rest.ImpersonationConfig{UserName: conciergeUser, Groups: conciergeGroups}
	kube := kubernetes.NewForConfigOrDie(config)
	aggregator := aggregatorclient.NewForConfigOrDie(config)
	concierge := conciergeclientset.NewForConfigOrDie(config)

	ctx, cancel := context.WithCancel(ctx)
	ownNamespace := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace(ns))
	kubePublic := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace("kube-public"))
	aggregatorInformers := aggregatorinformers.NewSharedInformerFactory(aggregator, 0)
	conciergeInformers := conciergeinformers.NewSharedInformerFactory(concierge, 0)

	serving, err := servingcert.New(servingcert.Options{
		Namespace: ns, SecretName: "pinniped-concierge-api-tls-serving-certificate",
		ServiceName: "pinniped-concierge-api",
		APIServiceNames: []string{
			"v1alpha1.login.concierge.pinniped.dev", "v1alpha1.identity.concierge.pinniped.dev",
		},
		Duration: 30 * 24 * time.Hour, RenewBefore: 25 * 24 * time.Hour,
	}, servingcert.NewProvider("concierge-serving-cert"), kube, aggregator,
		ownNamespace.Core().V1().Secrets(), aggregatorInformers.Apiregistration().V1().APIServices())
	require.NoError(t, err)
	signer := certauthority.NewDynamic("concierge-signer")
	signing, err := signingcert.NewFromSecret(signer, signingcert.SecretOptions{Namespace: ns, Name: "signing-key"},
		ownNamespace.Core().V1().Secrets())
	require.NoError(t, err)
	issuer, err := credentialissuer.New(credentialissuer.Options{Name: "pinniped-concierge-config"}, concierge,
		conciergeInformers.Config().V1alpha1().CredentialIssuers(), kubePublic.Core().V1().ConfigMaps(), signing)
	require.NoError(t, err)
	signing.AddListener(issuer)

	for _, start := range []func(<-chan struct{}){
		ownNamespace.Start, kubePublic.Start, aggregatorInformers.Start, conciergeInformers.Start,
	} {
		start(ctx.Done())
	}
	done := make(chan struct{}, 3)
	for _, run := range []func(context.Context){serving.Run, signing.Run, issuer.Run} {
		go func() { run(ctx); done <- struct{}{} }()
	}
	defer func() {
		cancel()
		for range 3 {
			<-done
		}
	}()

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		secret, err := admin.CoreV1().Secrets(ns).Get(ctx, "pinniped-concierge-api-tls-serving-certificate",
			metav1.GetOptions{})
		require.NoError(c, err)
		for _, name := range []string{"v1alpha1.login.concierge.pinniped.dev", "v1alpha1.identity.concierge.pinniped.dev"} {
			api, err := aggregatorclient.NewForConfigOrDie(h.AdminConfig).ApiregistrationV1().APIServices().
				Get(ctx, name, metav1.GetOptions{})
			require.NoError(c, err)
			require.Equal(c, string(secret.Data["caCertificate"]), string(api.Spec.CABundle), name)
		}
	}, 30*time.Second, 100*time.Millisecond)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := conciergeclientset.NewForConfigOrDie(h.AdminConfig).ConfigV1alpha1().CredentialIssuers().
			Get(ctx, "pinniped-concierge-config", metav1.GetOptions{})
		require.NoError(c, err)
		// The first strategy is the preferred one; the proxy's follows it.
		require.NotEmpty(c, got.Status.Strategies)
		s := got.Status.Strategies[0]
		require.Equal(c, configv1alpha1.KubeClusterSigningCertificateStrategyType, s.Type)
		require.Equal(c, configv1alpha1.SuccessStrategyStatus, s.Status, s.Message)
		require.Equal(c, &configv1alpha1.TokenCredentialRequestAPIInfo{Server: server, CertificateAuthorityData: caData},
			s.Frontend.TokenCredentialRequestAPIInfo)
	}, 30*time.Second, 100*time.Millisecond)
}

// clusterInfo returns the server and base64 CA that kube-public/cluster-info
// advertises, publishing it first when the harness has not.
func clusterInfo(ctx context.Context, t *testing.T, admin kubernetes.Interface, h *harness.Harness) (string, string) {
	t.Helper()
	configMaps := admin.CoreV1().ConfigMaps("kube-public")
	cm, err := configMaps.Get(ctx, "cluster-info", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		kubeconfig := "apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n    server: " + h.URL +
			"\n    certificate-authority-data: " + base64.StdEncoding.EncodeToString(h.AdminConfig.CAData) + "\n"
		cm, err = configMaps.Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "cluster-info", Namespace: "kube-public"},
			Data:       map[string]string{"kubeconfig": kubeconfig},
		}, metav1.CreateOptions{})
	}
	require.NoError(t, err)
	parsed, err := clientcmd.Load([]byte(cm.Data["kubeconfig"]))
	require.NoError(t, err)
	require.Len(t, parsed.Clusters, 1)
	for _, cluster := range parsed.Clusters {
		return cluster.Server, base64.StdEncoding.EncodeToString(cluster.CertificateAuthorityData)
	}
	return "", ""
}
