// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

// sync computes the strategy, merges it into the CredentialIssuer's status and
// writes the status when it changed.
func (c *Controller) sync(ctx context.Context) error {
	// 1. Say what the strategy is now.
	loaded, keyMessage := c.key.LoadStatus()
	info, infoErr := c.frontendInfo()
	want := signingCertStrategy(loaded, keyMessage, info, infoErr)

	// 2. Find the CredentialIssuer, creating it when there is none.
	issuer, err := c.issuers.Get(c.opts.Name)
	if apierrors.IsNotFound(err) {
		issuer, err = c.create(ctx)
	}
	if err != nil {
		return err
	}

	// 3. Write the status, unless nothing but the time would change.
	return WriteStrategy(ctx, c.client, issuer, want, metav1.NewTime(c.opts.Clock.Now()))
}

// create makes the CredentialIssuer with an empty spec. When another replica was
// quicker, its object is read back instead.
func (c *Controller) create(ctx context.Context) (*configv1alpha1.CredentialIssuer, error) {
	issuers := c.client.ConfigV1alpha1().CredentialIssuers()
	issuer := &configv1alpha1.CredentialIssuer{ObjectMeta: metav1.ObjectMeta{Name: c.opts.Name, Labels: c.opts.Labels}}
	created, err := issuers.Create(ctx, issuer, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = issuers.Get(ctx, c.opts.Name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("could not create credentialissuer %q: %w", c.opts.Name, err)
	}
	klog.FromContext(ctx).Info("created credential issuer")
	return created, nil
}

// frontendInfo returns the API server URL and CA for clients: from the options
// where set, otherwise from kube-public/cluster-info.
func (c *Controller) frontendInfo() (*frontendInfo, error) {
	info := &frontendInfo{server: c.opts.Server, caPEM: c.opts.CertificateAuthorityPEM}
	if info.server != "" && len(info.caPEM) > 0 {
		return info, nil
	}
	cm, err := c.configMaps.ConfigMaps(ClusterInfoNamespace).Get(ClusterInfoName)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("configmap %q not found", ClusterInfoNamespace+"/"+ClusterInfoName)
	}
	if err != nil {
		return nil, fmt.Errorf("could not get configmap %q: %w", ClusterInfoNamespace+"/"+ClusterInfoName, err)
	}
	fromCluster, err := parseClusterInfo(cm)
	if err != nil {
		return nil, err
	}
	if info.server == "" {
		info.server = fromCluster.server
	}
	if len(info.caPEM) == 0 {
		info.caPEM = fromCluster.caPEM
	}
	return info, nil
}
