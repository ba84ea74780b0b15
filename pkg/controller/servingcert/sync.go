// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// sync brings the world one step closer to a valid Secret that is loaded and
// trusted: it creates a missing Secret, deletes an unusable or old one (whose
// deletion event brings the next sync, which creates its successor), and otherwise
// loads the certificate and writes the CA into the APIServices.
func (c *Controller) sync(ctx context.Context) error {
	logger := klog.FromContext(ctx)

	// 1. Find the Secret, creating it when there is none.
	secret, err := c.secrets.Secrets(c.opts.Namespace).Get(c.opts.SecretName)
	if apierrors.IsNotFound(err) {
		secret, err = c.createSecret(ctx)
		if apierrors.IsAlreadyExists(err) {
			// Another replica was quicker; its Secret arrives through the informer.
			return nil
		}
	}
	if err != nil {
		return err
	}

	// 2. Replace it when it cannot be used or is due.
	parsed, err := parseSecret(secret, c.opts.dnsNames())
	if err == nil {
		err = checkAge(parsed.leaf, c.opts.Clock.Now(), c.opts.RenewBefore)
	}
	if err != nil {
		logger.Info("replacing serving certificate secret", "reason", err.Error())
		return c.deleteSecret(ctx, secret)
	}

	// 3. Serve it.
	if c.provider.Set(parsed.certPEM, parsed.keyPEM) {
		logger.Info("loaded serving certificate",
			"notBefore", parsed.leaf.NotBefore, "notAfter", parsed.leaf.NotAfter,
			"renewAt", renewAt(parsed.leaf, c.opts.RenewBefore))
	}

	// 4. Make kube-apiserver trust it.
	return c.updateAPIServices(ctx, parsed.caPEM)
}

func (c *Controller) createSecret(ctx context.Context) (*corev1.Secret, error) {
	secret, err := newSecret(&c.opts)
	if err != nil {
		return nil, err
	}
	created, err := c.kube.CoreV1().Secrets(c.opts.Namespace).Create(ctx, secret, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("could not create secret %s: %w", c.secretRef(), err)
	}
	klog.FromContext(ctx).Info("created serving certificate secret")
	return created, nil
}

// deleteSecret deletes exactly the Secret that was judged, so that a replica with
// a stale cache cannot delete the fresh Secret another replica just made.
func (c *Controller) deleteSecret(ctx context.Context, secret *corev1.Secret) error {
	uid := secret.UID
	err := c.kube.CoreV1().Secrets(c.opts.Namespace).Delete(ctx, secret.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid},
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not delete secret %s: %w", c.secretRef(), err)
	}
	return nil
}

// updateAPIServices patches spec.caBundle of every APIService that does not hold
// caPEM yet. A missing APIService is skipped: its creation is an event that brings
// another sync.
func (c *Controller) updateAPIServices(ctx context.Context, caPEM []byte) error {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"caBundle": caPEM}})
	if err != nil {
		return fmt.Errorf("could not encode caBundle patch: %w", err)
	}
	var errs []error
	for _, name := range c.opts.APIServiceNames {
		svc, err := c.apiServices.Get(name)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("could not get apiservice %q: %w", name, err))
			continue
		}
		if bytes.Equal(svc.Spec.CABundle, caPEM) {
			continue
		}
		_, err = c.aggregator.ApiregistrationV1().APIServices().Patch(ctx, name, types.MergePatchType, patch,
			metav1.PatchOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("could not update caBundle of apiservice %q: %w", name, err))
			continue
		}
		klog.FromContext(ctx).Info("updated apiservice caBundle", "apiService", name)
	}
	return errors.Join(errs...)
}
