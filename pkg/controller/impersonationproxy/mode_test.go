// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonationproxy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

func node(name string, labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func TestShouldRun(t *testing.T) {
	worker := node("worker", map[string]string{"kubernetes.io/os": "linux"})
	for name, tc := range map[string]struct {
		spec  *configv1alpha1.ImpersonationProxySpec
		nodes []*corev1.Node
		run   bool
		why   string
	}{
		"no_spec_is_disabled": {why: disabledByConfig},
		"disabled":            {spec: &configv1alpha1.ImpersonationProxySpec{Mode: "disabled"}, why: disabledByConfig},
		"enabled_runs_even_with_a_control_plane": {
			spec:  &configv1alpha1.ImpersonationProxySpec{Mode: "enabled"},
			nodes: []*corev1.Node{node("cp", map[string]string{"node-role.kubernetes.io/control-plane": ""})},
			run:   true,
		},
		"auto_runs_without_visible_control_plane": {
			spec: &configv1alpha1.ImpersonationProxySpec{Mode: "auto"}, nodes: []*corev1.Node{worker}, run: true,
		},
		"auto_runs_with_no_nodes_at_all": {spec: &configv1alpha1.ImpersonationProxySpec{Mode: "auto"}, run: true},
		"auto_stays_off_with_a_control_plane_node": {
			spec:  &configv1alpha1.ImpersonationProxySpec{Mode: "auto"},
			nodes: []*corev1.Node{worker, node("cp", map[string]string{"node-role.kubernetes.io/master": ""})},
			why:   disabledByAuto,
		},
		"auto_reads_the_single_role_label": {
			spec:  &configv1alpha1.ImpersonationProxySpec{Mode: "auto"},
			nodes: []*corev1.Node{node("cp", map[string]string{"kubernetes.io/node-role": "control-plane"})},
			why:   disabledByAuto,
		},
	} {
		t.Run(name, func(t *testing.T) {
			kube := fake.NewClientset()
			for _, n := range tc.nodes {
				_, err := kube.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{})
				require.NoError(t, err)
			}
			c := &Controller{nodes: nodeCheck{kube: kube}}
			run, why, err := c.shouldRun(context.Background(), tc.spec)
			require.NoError(t, err)
			require.Equal(t, tc.run, run)
			require.Equal(t, tc.why, why)
		})
	}
}

func TestExternalEndpoint(t *testing.T) {
	endpoint, err := externalEndpoint(&configv1alpha1.ImpersonationProxySpec{
		Service: configv1alpha1.ImpersonationProxyServiceSpec{Type: "None"}, ExternalEndpoint: "proxy.example.com",
	})
	require.NoError(t, err)
	require.Equal(t, "proxy.example.com", endpoint)
	require.Equal(t, "proxy.example.com", endpointHost(endpoint))
	require.Equal(t, "127.0.0.1", endpointHost("127.0.0.1:8444"))
	require.Equal(t, "::1", endpointHost("[::1]:443"))

	_, err = externalEndpoint(&configv1alpha1.ImpersonationProxySpec{})
	require.EqualError(t, err, "spec.impersonationProxy.externalEndpoint is required when service.type is None")
}
