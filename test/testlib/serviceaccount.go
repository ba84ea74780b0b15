// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/sealworks/pinniped/test/harness"
)

// serviceAccountKubeconfig writes to path a kubeconfig that authenticates as a
// ServiceAccount, so that a server process has exactly the RBAC of artifacts/.
func serviceAccountKubeconfig(
	ctx context.Context, h *harness.Harness, namespace, serviceAccount, path string,
) (string, error) {
	expiry := int64(24 * 60 * 60)
	token, err := h.Client().CoreV1().ServiceAccounts(namespace).CreateToken(ctx, serviceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}},
		metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("could not create a token for service account %s/%s: %w", namespace, serviceAccount, err)
	}
	config := clientcmdapi.NewConfig()
	config.Clusters["cluster"] = &clientcmdapi.Cluster{Server: h.URL, CertificateAuthorityData: h.ClusterCA.Bundle()}
	config.AuthInfos[serviceAccount] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	config.Contexts["default"] = &clientcmdapi.Context{Cluster: "cluster", AuthInfo: serviceAccount}
	config.CurrentContext = "default"
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		return "", fmt.Errorf("could not write kubeconfig: %w", err)
	}
	return path, nil
}
