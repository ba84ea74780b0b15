// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
)

// TestConciergeCredentialIssuer: with the cluster's signing key loaded, the
// CredentialIssuer advertises the TokenCredentialRequest API with the server and
// CA of kube-public/cluster-info.
func TestConciergeCredentialIssuer(t *testing.T) {
	startConcierge(t)
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).ConfigV1alpha1().CredentialIssuers()
	var issuer *configv1alpha1.CredentialIssuer
	require.Eventually(t, func() bool {
		var err error
		issuer, err = client.Get(context.Background(), "pinniped-concierge-config", metav1.GetOptions{})
		return err == nil && len(issuer.Status.Strategies) == 2
	}, 30*time.Second, 100*time.Millisecond)

	// The CredentialIssuer has no spec.impersonationProxy, so the proxy is off.
	proxy := issuer.Status.Strategies[1]
	require.Equal(t, configv1alpha1.ImpersonationProxyStrategyType, proxy.Type)
	require.Equal(t, configv1alpha1.ErrorStrategyStatus, proxy.Status)
	require.Equal(t, configv1alpha1.DisabledStrategyReason, proxy.Reason)
	require.Equal(t, "impersonation proxy was explicitly disabled by configuration", proxy.Message)

	strategy := issuer.Status.Strategies[0]
	require.Equal(t, configv1alpha1.KubeClusterSigningCertificateStrategyType, strategy.Type)
	require.Equal(t, configv1alpha1.SuccessStrategyStatus, strategy.Status)
	require.Equal(t, configv1alpha1.FetchedKeyStrategyReason, strategy.Reason)
	require.Equal(t, "key was fetched successfully", strategy.Message)
	require.NotNil(t, strategy.Frontend)
	require.Equal(t, configv1alpha1.TokenCredentialRequestAPIFrontendType, strategy.Frontend.Type)
	require.Equal(t, cluster.URL, strategy.Frontend.TokenCredentialRequestAPIInfo.Server)
	require.Equal(t, base64.StdEncoding.EncodeToString(cluster.ClusterCA.Bundle()),
		strategy.Frontend.TokenCredentialRequestAPIInfo.CertificateAuthorityData)
}
