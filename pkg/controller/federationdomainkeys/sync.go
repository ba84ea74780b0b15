// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomainkeys

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
)

// sync makes sure every key Secret of one FederationDomain exists and is valid, then
// records their names in its status.
func (c *Controller) sync(ctx context.Context, name string) error {
	fd, err := c.fds.FederationDomains(c.namespace).Get(name)
	if apierrors.IsNotFound(err) {
		// The Secrets are owned by the FederationDomain; garbage collection removes them.
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not get FederationDomain %s: %w", name, err)
	}

	for _, kind := range fdsecrets.Kinds {
		if err := c.ensureSecret(ctx, fd, kind); err != nil {
			return err
		}
	}
	return c.writeStatus(ctx, fd)
}

// ensureSecret creates the Secret of a kind when it is missing, and replaces it when it
// is invalid. A valid Secret is left alone: keys are rotated only by deleting them.
func (c *Controller) ensureSecret(ctx context.Context, fd *configv1alpha1.FederationDomain, kind fdsecrets.Kind) error {
	secretName := kind.SecretName(fd.Name, fd.UID)
	existing, err := c.secrets.Secrets(c.namespace).Get(secretName)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("could not get Secret %s: %w", secretName, err)
	default:
		invalid := kind.Validate(existing)
		if invalid == nil {
			return nil
		}
		// The type of a Secret cannot change, so an invalid one is deleted and created
		// again rather than updated.
		klog.InfoS("replacing invalid key secret", "secret", klog.KObj(existing), "reason", invalid.Error())
		err := c.kube.CoreV1().Secrets(c.namespace).Delete(ctx, secretName, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{UID: &existing.UID},
		})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("could not delete invalid Secret %s: %w", secretName, err)
		}
	}

	data, err := kind.Generate()
	if err != nil {
		return err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      secretName,
			Namespace: c.namespace,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion:         c.apiVersion,
				Kind:               "FederationDomain",
				Name:               fd.Name,
				UID:                fd.UID,
				Controller:         ptr.To(true),
				BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Type: kind.Type(),
		Data: data,
	}
	if _, err := c.kube.CoreV1().Secrets(c.namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("could not create Secret %s: %w", secretName, err)
	}
	klog.InfoS("created key secret", "secret", klog.KObj(secret), "federationDomain", klog.KObj(fd))
	return nil
}

// writeStatus records the Secret names in status.secrets when they differ. The merge
// patch touches only that field, leaving the conditions to the validating controller.
func (c *Controller) writeStatus(ctx context.Context, fd *configv1alpha1.FederationDomain) error {
	want := configv1alpha1.FederationDomainSecrets{
		JWKS:               corev1.LocalObjectReference{Name: fdsecrets.JWKS.SecretName(fd.Name, fd.UID)},
		TokenSigningKey:    corev1.LocalObjectReference{Name: fdsecrets.TokenSigningKey.SecretName(fd.Name, fd.UID)},
		StateSigningKey:    corev1.LocalObjectReference{Name: fdsecrets.StateSigningKey.SecretName(fd.Name, fd.UID)},
		StateEncryptionKey: corev1.LocalObjectReference{Name: fdsecrets.StateEncryptionKey.SecretName(fd.Name, fd.UID)},
	}
	if fd.Status.Secrets == want {
		return nil
	}
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"secrets": want}})
	if err != nil {
		return fmt.Errorf("could not encode status.secrets: %w", err)
	}
	_, err = c.client.ConfigV1alpha1().FederationDomains(c.namespace).Patch(ctx, fd.Name, types.MergePatchType,
		patch, metav1.PatchOptions{}, "status")
	if err != nil {
		return fmt.Errorf("could not update status.secrets of FederationDomain %s: %w", fd.Name, err)
	}
	return nil
}
