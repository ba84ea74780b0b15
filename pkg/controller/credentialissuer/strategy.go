// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer

import (
	"encoding/base64"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	clientcmdv1 "k8s.io/client-go/tools/clientcmd/api/v1"
	"sigs.k8s.io/yaml"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

// Where kubeadm and most installers publish the cluster's API server URL and CA.
const (
	ClusterInfoNamespace = "kube-public"
	ClusterInfoName      = "cluster-info"
	clusterInfoKey       = "kubeconfig"
)

// fetchedKeyMessage is the message of a working strategy, the same as upstream's.
const fetchedKeyMessage = "key was fetched successfully"

// frontendInfo is where clients send TokenCredentialRequests.
type frontendInfo struct {
	server string
	caPEM  []byte
}

// signingCertStrategy describes the KubeClusterSigningCertificate strategy. The key
// is checked first: without it, where to send requests does not matter.
func signingCertStrategy(keyLoaded bool, keyMessage string, info *frontendInfo, infoErr error,
) configv1alpha1.CredentialIssuerStrategy {
	s := configv1alpha1.CredentialIssuerStrategy{Type: configv1alpha1.KubeClusterSigningCertificateStrategyType}
	switch {
	case !keyLoaded:
		if keyMessage == "" {
			keyMessage = "the signing key is not loaded"
		}
		s.Status, s.Reason, s.Message = configv1alpha1.ErrorStrategyStatus,
			configv1alpha1.CouldNotFetchKeyStrategyReason, keyMessage
	case infoErr != nil:
		s.Status, s.Reason, s.Message = configv1alpha1.ErrorStrategyStatus,
			configv1alpha1.CouldNotGetClusterInfoStrategyReason, infoErr.Error()
	default:
		s.Status, s.Reason, s.Message = configv1alpha1.SuccessStrategyStatus,
			configv1alpha1.FetchedKeyStrategyReason, fetchedKeyMessage
		s.Frontend = &configv1alpha1.CredentialIssuerFrontend{
			Type: configv1alpha1.TokenCredentialRequestAPIFrontendType,
			TokenCredentialRequestAPIInfo: &configv1alpha1.TokenCredentialRequestAPIInfo{
				Server:                   info.server,
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(info.caPEM),
			},
		}
	}
	return s
}

// parseClusterInfo reads the server and CA of the first cluster of the kubeconfig
// in the cluster-info ConfigMap. The file's own order decides which is first,
// which a map (as clientcmd.Load returns) would not keep.
func parseClusterInfo(cm *corev1.ConfigMap) (*frontendInfo, error) {
	where := fmt.Sprintf("configmap %q", cm.Namespace+"/"+cm.Name)
	raw, ok := cm.Data[clusterInfoKey]
	if !ok {
		return nil, fmt.Errorf("%s has no %q key", where, clusterInfoKey)
	}
	var kubeconfig clientcmdv1.Config
	if err := yaml.Unmarshal([]byte(raw), &kubeconfig); err != nil {
		return nil, fmt.Errorf("could not parse the kubeconfig in %s: %w", where, err)
	}
	if len(kubeconfig.Clusters) == 0 {
		return nil, fmt.Errorf("the kubeconfig in %s has no cluster", where)
	}
	cluster := kubeconfig.Clusters[0].Cluster
	switch {
	case cluster.Server == "":
		return nil, fmt.Errorf("the first cluster of the kubeconfig in %s has no server", where)
	case len(cluster.CertificateAuthorityData) == 0:
		return nil, fmt.Errorf("the first cluster of the kubeconfig in %s has no certificate-authority-data", where)
	}
	return &frontendInfo{server: cluster.Server, caPEM: cluster.CertificateAuthorityData}, nil
}
