// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package signingcert_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/controller/signingcert"
	"github.com/sealworks/pinniped/test/harness"
)

const (
	namespace  = "signing-test"
	secretName = "signing-key"
)

type countingListener struct{ count atomic.Int32 }

func (l *countingListener) Enqueue() { l.count.Add(1) }

// TestSecretSource follows a Secret through its life: absent, the cluster CA (so
// kube-apiserver accepts the issued certificates), another CA, unusable content,
// deleted.
func TestSecretSource(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	kube := h.Client()
	_, err := kube.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	require.NoError(t, err)

	dynamic := certauthority.NewDynamic("test-signer")
	factory := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace(namespace))
	c, err := signingcert.NewFromSecret(dynamic, signingcert.SecretOptions{Namespace: namespace, Name: secretName},
		factory.Core().V1().Secrets())
	require.NoError(t, err)
	listener := &countingListener{}
	c.AddListener(listener)
	factory.Start(ctx.Done())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	other, err := certauthority.New("other signer", time.Hour)
	require.NoError(t, err)
	clusterIssuer := h.ClusterCA.Certificate().Subject.CommonName
	secrets := kube.CoreV1().Secrets(namespace)

	t.Run("missing_secret", func(t *testing.T) {
		waitForStatus(t, c, false, `secret "signing-test/signing-key" not found`)
		require.Equal(t, "", issuerOfNewCert(t, dynamic))
	})

	t.Run("cluster_ca_loaded_and_trusted_by_kube_apiserver", func(t *testing.T) {
		before := listener.count.Load()
		_, err := secrets.Create(ctx, tlsSecret(h.ClusterCA.Bundle(), h.ClusterCA.PrivateKeyPEM()),
			metav1.CreateOptions{})
		require.NoError(t, err)
		waitForStatus(t, c, true, "")
		require.Greater(t, listener.count.Load(), before)
		require.Equal(t, clusterIssuer, issuerOfNewCert(t, dynamic))

		pair, err := dynamic.IssueClientCert("alice@example.com", []string{"devs"}, 5*time.Minute)
		require.NoError(t, err)
		user := whoAmI(ctx, t, h, pair)
		require.Equal(t, "alice@example.com", user.Username)
		require.Equal(t, []string{"devs", "system:authenticated"}, user.Groups)
	})

	t.Run("swapped_to_another_ca", func(t *testing.T) {
		_, err := secrets.Update(ctx, tlsSecret(other.Bundle(), other.PrivateKeyPEM()), metav1.UpdateOptions{})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return issuerOfNewCert(t, dynamic) == "other signer" },
			30*time.Second, 20*time.Millisecond)
		waitForStatus(t, c, true, "")
	})

	t.Run("unusable_content_keeps_the_previous_ca", func(t *testing.T) {
		// The loader notifies its listeners about the failure; wait for that, then
		// check that nothing was swapped.
		before := listener.count.Load()
		_, err := secrets.Update(ctx, tlsSecret(other.Bundle(), h.ClusterCA.PrivateKeyPEM()), metav1.UpdateOptions{})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return listener.count.Load() > before },
			30*time.Second, 20*time.Millisecond)
		waitForStatus(t, c, true, "")
		require.Equal(t, "other signer", issuerOfNewCert(t, dynamic))
	})

	t.Run("secret_without_key_unloads", func(t *testing.T) {
		s := tlsSecret(other.Bundle(), nil)
		_, err := secrets.Update(ctx, s, metav1.UpdateOptions{})
		require.NoError(t, err)
		waitForStatus(t, c, false, `secret "signing-test/signing-key" has no "tls.key"`)
		require.Equal(t, "", issuerOfNewCert(t, dynamic))
	})

	t.Run("deleted_secret_unloads", func(t *testing.T) {
		_, err := secrets.Update(ctx, tlsSecret(h.ClusterCA.Bundle(), h.ClusterCA.PrivateKeyPEM()),
			metav1.UpdateOptions{})
		require.NoError(t, err)
		waitForStatus(t, c, true, "")
		require.NoError(t, secrets.Delete(ctx, secretName, metav1.DeleteOptions{}))
		waitForStatus(t, c, false, `secret "signing-test/signing-key" not found`)
		require.Equal(t, "", issuerOfNewCert(t, dynamic))
	})
}

func tlsSecret(certPEM, keyPEM []byte) *corev1.Secret {
	data := map[string][]byte{corev1.TLSCertKey: certPEM}
	if keyPEM != nil {
		data[corev1.TLSPrivateKeyKey] = keyPEM
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName, Namespace: namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

func waitForStatus(t *testing.T, c *signingcert.Controller, wantLoaded bool, wantMessage string) {
	t.Helper()
	var loaded bool
	var message string
	require.Eventually(t, func() bool {
		loaded, message = c.LoadStatus()
		return loaded == wantLoaded && message == wantMessage
	}, 30*time.Second, 20*time.Millisecond, "last status: loaded=%v message=%q", loaded, message)
}

func issuerOfNewCert(t *testing.T, ca *certauthority.Dynamic) string {
	t.Helper()
	pair, err := ca.IssueClientCert("alice", nil, time.Minute)
	if err != nil {
		require.ErrorIs(t, err, certauthority.ErrNoCA)
		return ""
	}
	block, _ := pem.Decode(pair.CertPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert.Issuer.CommonName
}

// whoAmI asks kube-apiserver who the holder of the client certificate is.
func whoAmI(ctx context.Context, t *testing.T, h *harness.Harness, pair *certauthority.PEMPair,
) authenticationv1.UserInfo {
	t.Helper()
	config := rest.AnonymousClientConfig(h.AdminConfig)
	config.CertData, config.KeyData = pair.CertPEM, pair.KeyPEM
	client, err := kubernetes.NewForConfig(config)
	require.NoError(t, err)
	review, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx,
		&authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	require.NoError(t, err)
	return review.Status.UserInfo
}

// TestSecretSourceGenerates makes its own CA when the Secret is missing, under
// the keys it was given, and replaces it when it is due.
func TestSecretSourceGenerates(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	kube := h.Client()
	_, err := kube.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	require.NoError(t, err)

	dynamic := certauthority.NewDynamic("test-signer")
	factory := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace(namespace))
	c, err := signingcert.NewFromSecret(dynamic, signingcert.SecretOptions{
		Namespace: namespace, Name: secretName, CertKey: "caCertificate", KeyKey: "caCertificatePrivateKey",
		// Due for renewal three seconds after it is made.
		Generate: &signingcert.Generate{Client: kube, CommonName: "Own Signer CA", TTL: time.Hour + 3*time.Second,
			RenewBefore: time.Hour},
	}, factory.Core().V1().Secrets())
	require.NoError(t, err)
	factory.Start(ctx.Done())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	waitForStatus(t, c, true, "")
	first := dynamic.Current().Certificate()
	require.Equal(t, "Own Signer CA", first.Subject.CommonName)
	secret, err := kube.CoreV1().Secrets(namespace).Get(ctx, secretName, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, dynamic.Current().Bundle(), secret.Data["caCertificate"])
	require.NotEmpty(t, secret.Data["caCertificatePrivateKey"])

	require.Eventually(t, func() bool {
		current := dynamic.Current()
		return current != nil && current.Certificate().SerialNumber.Cmp(first.SerialNumber) != 0
	}, 20*time.Second, 100*time.Millisecond, "the CA was not renewed")
}
