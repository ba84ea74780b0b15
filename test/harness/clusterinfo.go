// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// publishClusterInfo creates the kube-public/cluster-info ConfigMap the way
// kubeadm does: a kubeconfig with the API server's URL and CA and no credentials,
// readable by anyone. Clients and the Concierge discover the cluster from it.
func (h *Harness) publishClusterInfo() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	config := clientcmdapi.NewConfig()
	config.Clusters[""] = &clientcmdapi.Cluster{Server: h.URL, CertificateAuthorityData: h.ClusterCA.Bundle()}
	kubeconfig, err := clientcmd.Write(*config)
	if err != nil {
		return fmt.Errorf("could not encode cluster-info: %w", err)
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cluster-info", Namespace: metav1.NamespacePublic},
		Data:       map[string]string{"kubeconfig": string(kubeconfig)},
	}
	_, err = h.Client().CoreV1().ConfigMaps(metav1.NamespacePublic).Create(ctx, cm, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("could not create kube-public/cluster-info: %w", err)
	}
	return nil
}
