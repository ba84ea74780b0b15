// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	"github.com/sealworks/pinniped/test/testlib"
)

// TestConciergeServingCertRecreated deletes the serving certificate's Secret: the
// Concierge makes a new CA and certificate, the APIServices trust the new CA, and
// the API answers again.
func TestConciergeServingCertRecreated(t *testing.T) {
	startConcierge(t)
	ctx := context.Background()
	secrets := cluster.Client().CoreV1().Secrets(testlib.ConciergeNamespace)
	const secretName = "pinniped-concierge-api-tls-serving-certificate"
	old, err := secrets.Get(ctx, secretName, metav1.GetOptions{})
	require.NoError(t, err)
	oldCA := old.Data["caCertificate"]
	require.NotEmpty(t, oldCA)

	require.NoError(t, secrets.Delete(ctx, secretName, metav1.DeleteOptions{}))

	var newCA []byte
	require.Eventually(t, func() bool {
		s, err := secrets.Get(ctx, secretName, metav1.GetOptions{})
		if err != nil {
			return false
		}
		newCA = s.Data["caCertificate"]
		return len(newCA) > 0 && !bytes.Equal(newCA, oldCA)
	}, 30*time.Second, 100*time.Millisecond, "the Secret was not recreated")

	aggregator := aggregatorclient.NewForConfigOrDie(cluster.AdminConfig)
	for _, name := range testlib.ConciergeAPIServices {
		require.Eventually(t, func() bool {
			svc, err := aggregator.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
			return err == nil && bytes.Equal(svc.Spec.CABundle, newCA)
		}, 30*time.Second, 100*time.Millisecond, "APIService %s does not trust the new CA", name)
		require.NoError(t, cluster.WaitForAPIService(ctx, name, time.Minute))
	}
	require.Eventually(t, func() bool {
		_, err := cluster.Kubectl(ctx, "get", "tokencredentialrequests")
		return err == nil
	}, 30*time.Second, 200*time.Millisecond, "the API does not answer with the new certificate")
}
