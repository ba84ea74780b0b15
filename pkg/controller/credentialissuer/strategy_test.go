// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

func TestSigningCertStrategy(t *testing.T) {
	info := &frontendInfo{server: "https://10.0.0.1:6443", caPEM: []byte("ca")}
	kube := configv1alpha1.KubeClusterSigningCertificateStrategyType
	tests := []struct {
		name       string
		loaded     bool
		keyMessage string
		infoErr    error
		want       configv1alpha1.CredentialIssuerStrategy
	}{
		{
			name: "success", loaded: true,
			want: configv1alpha1.CredentialIssuerStrategy{
				Type: kube, Status: "Success", Reason: "FetchedKey", Message: "key was fetched successfully",
				Frontend: &configv1alpha1.CredentialIssuerFrontend{
					Type: "TokenCredentialRequestAPI",
					TokenCredentialRequestAPIInfo: &configv1alpha1.TokenCredentialRequestAPIInfo{
						Server: "https://10.0.0.1:6443", CertificateAuthorityData: "Y2E=",
					},
				},
			},
		},
		{
			name: "no_key", keyMessage: `secret "ns/key" not found`, infoErr: errors.New("no info"),
			want: configv1alpha1.CredentialIssuerStrategy{
				Type: kube, Status: "Error", Reason: "CouldNotFetchKey", Message: `secret "ns/key" not found`,
			},
		},
		{
			name: "no_key_without_reason",
			want: configv1alpha1.CredentialIssuerStrategy{
				Type: kube, Status: "Error", Reason: "CouldNotFetchKey", Message: "the signing key is not loaded",
			},
		},
		{
			name: "no_cluster_info", loaded: true, infoErr: errors.New(`configmap "kube-public/cluster-info" not found`),
			want: configv1alpha1.CredentialIssuerStrategy{
				Type: kube, Status: "Error", Reason: "CouldNotGetClusterInfo",
				Message: `configmap "kube-public/cluster-info" not found`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotInfo := info
			if tt.infoErr != nil {
				gotInfo = nil
			}
			require.Equal(t, tt.want, signingCertStrategy(tt.loaded, tt.keyMessage, gotInfo, tt.infoErr))
		})
	}
}

func TestParseClusterInfo(t *testing.T) {
	const twoClusters = `apiVersion: v1
kind: Config
clusters:
- name: first
  cluster:
    server: https://first.example.com
    certificate-authority-data: Zmlyc3QtY2E=
- name: second
  cluster:
    server: https://second.example.com
    certificate-authority-data: c2Vjb25kLWNh
`
	tests := []struct {
		name    string
		data    map[string]string
		want    *frontendInfo
		wantErr string
	}{
		{
			name: "first_cluster_wins",
			data: map[string]string{"kubeconfig": twoClusters},
			want: &frontendInfo{server: "https://first.example.com", caPEM: []byte("first-ca")},
		},
		{
			name:    "no_kubeconfig_key",
			data:    map[string]string{"jws-kubeconfig-abc": "x"},
			wantErr: `configmap "kube-public/cluster-info" has no "kubeconfig" key`,
		},
		{
			name: "not_yaml",
			data: map[string]string{"kubeconfig": "clusters: [: oops"},
			wantErr: `could not parse the kubeconfig in configmap "kube-public/cluster-info": ` +
				"error converting YAML to JSON: yaml: did not find expected node content",
		},
		{
			name:    "no_clusters",
			data:    map[string]string{"kubeconfig": "apiVersion: v1\nkind: Config\n"},
			wantErr: `the kubeconfig in configmap "kube-public/cluster-info" has no cluster`,
		},
		{
			name:    "no_server",
			data:    map[string]string{"kubeconfig": "clusters:\n- cluster:\n    certificate-authority-data: YQ==\n"},
			wantErr: `the first cluster of the kubeconfig in configmap "kube-public/cluster-info" has no server`,
		},
		{
			name: "no_ca",
			data: map[string]string{"kubeconfig": "clusters:\n- cluster:\n    server: https://x\n"},
			wantErr: `the first cluster of the kubeconfig in configmap "kube-public/cluster-info" ` +
				"has no certificate-authority-data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm := &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Namespace: "kube-public", Name: "cluster-info"},
				Data:       tt.data,
			}
			got, err := parseClusterInfo(cm)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "name_only", opts: Options{Name: "issuer"}},
		{name: "missing_name", opts: Options{}, wantErr: "credentialissuer: name is required"},
		{
			name: "server_not_a_url", opts: Options{Name: "issuer", Server: "10.0.0.1:6443"},
			wantErr: `credentialissuer: server "10.0.0.1:6443" is not an http(s) URL`,
		},
		{
			name: "ca_not_pem", opts: Options{Name: "issuer", CertificateAuthorityPEM: []byte("nope")},
			wantErr: "credentialissuer: could not parse certificate authority: " +
				"data does not contain any valid RSA or ECDSA certificates",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}
