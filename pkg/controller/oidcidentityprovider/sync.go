// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcidentityprovider

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// sync checks every OIDCIdentityProvider of the namespace:
//  1. each object is validated (see validate);
//  2. its status is written when it changed;
//  3. the valid ones replace the whole upstream cache at once, so that a deleted or
//     broken provider disappears in the same step as new ones appear.
//
// A provider that fails validation is left out of the cache at once, even when its
// status could not be written. An error is returned when anything deserves a retry.
func (c *Controller) sync(ctx context.Context) error {
	all, err := c.lister.OIDCIdentityProviders(c.namespace).List(labels.Everything())
	if err != nil {
		return fmt.Errorf("could not list OIDCIdentityProviders: %w", err)
	}

	ready := map[string]*oidc.Provider{}
	built := map[string]builtProvider{}
	var retries []error
	for _, obj := range all {
		result := c.validate(ctx, obj)
		if result.retry != nil {
			retries = append(retries, result.retry)
		}
		if err := c.updateStatus(ctx, obj, result.conditions); err != nil && !apierrors.IsNotFound(err) {
			retries = append(retries, err)
		}
		if result.provider != nil {
			ready[obj.Name] = result.provider.provider
			built[obj.Name] = *result.provider
		}
	}

	c.cache.Set(ready)
	c.built = built
	c.forgetUnusedDiscoveries(all)
	return errors.Join(retries...)
}

// updateStatus writes the conditions, the Ready summary and the phase when any of them
// differs from what the object shows. Skipping an unchanged write is what keeps the
// controller's own status writes from triggering syncs forever.
func (c *Controller) updateStatus(ctx context.Context, obj *idpv1alpha1.OIDCIdentityProvider,
	checks []metav1.Condition) error {
	merged := conditions.Merge(obj.Status.Conditions, conditions.WithReady(checks, Kind),
		obj.Generation, metav1.NewTime(c.clock.Now()))
	phase := idpv1alpha1.OIDCIdentityProviderPhase(conditions.PhaseOf(merged))
	if phase == obj.Status.Phase && conditions.Equal(obj.Status.Conditions, merged) {
		return nil
	}
	updated := obj.DeepCopy()
	updated.Status.Conditions = merged
	updated.Status.Phase = phase
	_, err := c.client.IdpV1alpha1().OIDCIdentityProviders(obj.Namespace).UpdateStatus(ctx, updated,
		metav1.UpdateOptions{})
	switch {
	case err == nil:
		klog.InfoS("updated status", "oidcIdentityProvider", klog.KObj(obj), "phase", phase)
		return nil
	case c.notLeader != nil && c.notLeader(err):
		return nil
	default:
		return fmt.Errorf("could not update status of OIDCIdentityProvider %q: %w", obj.Name, err)
	}
}

// relevantSecret says whether a Secret can matter to an identity provider: a client
// Secret, or a CA bundle (which must be of type kubernetes.io/tls or Opaque). The
// Supervisor's session Secrets, which come and go with every login, do not.
func relevantSecret(obj any) bool {
	secret, ok := worker.Unwrap(obj).(*corev1.Secret)
	if !ok {
		return false
	}
	switch secret.Type {
	case idpv1alpha1.OIDCIdentityProviderSecretType, corev1.SecretTypeTLS, corev1.SecretTypeOpaque:
		return true
	default:
		return false
	}
}
