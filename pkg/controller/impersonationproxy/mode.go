// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonationproxy

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

// Messages of a proxy that does not run, the same as upstream's.
const (
	disabledByConfig = "impersonation proxy was explicitly disabled by configuration"
	disabledByAuto   = "automatically determined that impersonation proxy should be disabled"
)

// controlPlaneLabels mark a control-plane node: the role label, old and new, and
// the single-label form some installers use.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}

// shouldRun says whether the proxy runs and, when it does not, why.
func (c *Controller) shouldRun(ctx context.Context, spec *configv1alpha1.ImpersonationProxySpec) (
	bool, string, error,
) {
	mode := configv1alpha1.ImpersonationProxyModeDisabled
	if spec != nil && spec.Mode != "" {
		mode = spec.Mode
	}
	switch mode {
	case configv1alpha1.ImpersonationProxyModeEnabled:
		return true, "", nil
	case configv1alpha1.ImpersonationProxyModeAuto:
		visible, err := c.nodes.controlPlaneVisible(ctx)
		if err != nil {
			return false, "", err
		}
		if visible {
			return false, disabledByAuto, nil
		}
		return true, "", nil
	default:
		return false, disabledByConfig, nil
	}
}

// controlPlaneVisible lists the nodes the first time it is called and keeps the
// answer: nodes do not change role.
func (n *nodeCheck) controlPlaneVisible(ctx context.Context) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.known {
		return n.answer, nil
	}
	nodes, err := n.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, fmt.Errorf("could not list nodes: %w", err)
	}
	for _, node := range nodes.Items {
		if isControlPlane(node.Labels) {
			n.answer = true
			break
		}
	}
	n.known = true
	return n.answer, nil
}

func isControlPlane(labels map[string]string) bool {
	for _, l := range controlPlaneLabels {
		if _, ok := labels[l]; ok {
			return true
		}
	}
	role := labels["kubernetes.io/node-role"]
	return role == "control-plane" || role == "master"
}
