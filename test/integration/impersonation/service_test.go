// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
)

const (
	loadBalancerService = "pinniped-concierge-impersonation-proxy-load-balancer"
	clusterIPService    = "pinniped-concierge-impersonation-proxy-cluster-ip"
)

// TestServiceTypes: the proxy's Service follows spec.impersonationProxy.service;
// a load balancer without an address leaves the strategy Pending. The spec is put
// back to the loopback endpoint at the end.
func TestServiceTypes(t *testing.T) {
	ctx := context.Background()
	issuers := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).ConfigV1alpha1().CredentialIssuers()
	services := cluster.Client().CoreV1().Services("pinniped-concierge")
	patch := func(spec string) {
		t.Helper()
		_, err := issuers.Patch(ctx, credentialIssuer, types.MergePatchType,
			[]byte(`{"spec":{"impersonationProxy":`+spec+`}}`), metav1.PatchOptions{})
		require.NoError(t, err)
	}
	waitForStrategy := func(reason configv1alpha1.StrategyReason) *configv1alpha1.CredentialIssuerStrategy {
		t.Helper()
		var s *configv1alpha1.CredentialIssuerStrategy
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			issuer, err := issuers.Get(ctx, credentialIssuer, metav1.GetOptions{})
			require.NoError(c, err)
			s = proxyStrategy(issuer)
			require.NotNil(c, s)
			require.Equal(c, reason, s.Reason, s.Message)
		}, 30*time.Second, 100*time.Millisecond)
		return s
	}
	t.Cleanup(func() {
		patch(fmt.Sprintf(`{"service":{"type":"None","annotations":null},"externalEndpoint":"127.0.0.1:%d"}`,
			concierge.ProxyPort))
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			issuer, err := issuers.Get(ctx, credentialIssuer, metav1.GetOptions{})
			require.NoError(c, err)
			s := proxyStrategy(issuer)
			require.Equal(c, configv1alpha1.ListeningStrategyReason, s.Reason)
			require.Equal(c, proxyEndpoint, s.Frontend.ImpersonationProxyInfo.Endpoint)
		}, 30*time.Second, 100*time.Millisecond)
		// The proxy was stopped while pending and started again.
		require.Eventually(t, func() bool {
			resp, err := httpClient(t, "", "").Get(proxyEndpoint + "/healthz")
			if err == nil {
				_ = resp.Body.Close()
			}
			return err == nil
		}, 10*time.Second, 100*time.Millisecond)
		require.Equal(t, "vera", parsePEMCert(t, []byte(exchange(t, viewerToken).ClientCertificateData)).Subject.CommonName)
		for _, name := range []string{loadBalancerService, clusterIPService} {
			require.Eventually(t, func() bool {
				_, err := services.Get(ctx, name, metav1.GetOptions{})
				return apierrors.IsNotFound(err)
			}, 10*time.Second, 100*time.Millisecond, name)
		}
	})

	patch(`{"service":{"type":"LoadBalancer","annotations":{"example.com/a":"1","example.com/b":"2"}},` +
		`"externalEndpoint":null}`)
	s := waitForStrategy(configv1alpha1.PendingStrategyReason)
	require.Equal(t, "waiting for load balancer Service to be assigned IP or hostname", s.Message)
	require.Equal(t, configv1alpha1.ErrorStrategyStatus, s.Status)
	lb, err := services.Get(ctx, loadBalancerService, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"example.com/a": "1", "example.com/b": "2",
		"credentialissuer.pinniped.dev/annotation-keys": `["example.com/a","example.com/b"]`}, lb.Annotations)
	require.Equal(t, map[string]string{"deployment.pinniped.dev": "concierge"}, lb.Spec.Selector)
	require.Equal(t, int32(443), lb.Spec.Ports[0].Port)
	require.Equal(t, int32(concierge.ProxyPort), lb.Spec.Ports[0].TargetPort.IntVal) //nolint:gosec

	// A key dropped from the spec is dropped from the Service.
	patch(`{"service":{"annotations":{"example.com/b":null}}}`)
	require.Eventually(t, func() bool {
		lb, err := services.Get(ctx, loadBalancerService, metav1.GetOptions{})
		_, stillThere := lb.Annotations["example.com/b"]
		return err == nil && !stillThere &&
			lb.Annotations["credentialissuer.pinniped.dev/annotation-keys"] == `["example.com/a"]`
	}, 10*time.Second, 100*time.Millisecond)

	patch(`{"service":{"type":"ClusterIP"}}`)
	s = waitForStrategy(configv1alpha1.ListeningStrategyReason)
	ip, err := services.Get(ctx, clusterIPService, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, "https://"+ip.Spec.ClusterIP, s.Frontend.ImpersonationProxyInfo.Endpoint)
	require.Eventually(t, func() bool {
		_, err := services.Get(ctx, loadBalancerService, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}, 10*time.Second, 100*time.Millisecond)
}
