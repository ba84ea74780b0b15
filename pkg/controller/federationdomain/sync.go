// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
)

// sync validates every FederationDomain of the namespace, serves the valid ones, and
// then writes each status that changed.
func (c *Controller) sync(ctx context.Context) error {
	// 1. Validate every FederationDomain against the others and the identity providers.
	fds, err := c.lister.FederationDomains(c.namespace).List(labels.Everything())
	if err != nil {
		return fmt.Errorf("could not list FederationDomains: %w", err)
	}
	idps, err := c.idps.all(c.namespace)
	if err != nil {
		return err
	}
	results := validate(fds, idps, c.idps.group)

	// 2. Serve the valid ones before any status says Ready, so that Ready means the
	// endpoints already answer.
	var valid []endpoints.FederationDomain
	for _, r := range results {
		if r.served != nil {
			valid = append(valid, *r.served)
		}
	}
	c.endpoints.SetFederationDomains(valid...)

	// 3. Write the statuses. One failure does not stop the others.
	var errs []error
	for _, r := range results {
		if err := c.writeStatus(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// result is the outcome of validating one FederationDomain.
type result struct {
	fd         *configv1alpha1.FederationDomain
	conditions []metav1.Condition
	// served is what the endpoints serve for it, nil when it is not valid.
	served *endpoints.FederationDomain
}

// validate checks every FederationDomain and builds what valid ones serve.
func validate(fds []*configv1alpha1.FederationDomain, idps *idpSet, idpGroup string) []result {
	issuers := parseIssuers(fds)
	results := make([]result, 0, len(fds))
	for _, fd := range fds {
		conds := issuers.conditions(fd)
		resolved, idpConds := idps.resolve(fd, idpGroup)
		conds = append(conds, idpConds...)
		conds = append(conds, transformsConditions(fd)...)
		r := result{fd: fd}
		if conditions.AllTrue(conds) {
			conds = append(conds, conditions.True(configv1alpha1.ConditionReady,
				"the FederationDomain is ready and its endpoints are available: the discovery endpoint is "+
					fd.Spec.Issuer+endpoints.DiscoveryPath))
			r.served = &endpoints.FederationDomain{
				Name:              fd.Name,
				UID:               fd.UID,
				Legacy:            len(fd.Spec.IdentityProviders) == 0,
				Issuer:            fd.Spec.Issuer,
				JWKSSecretName:    fdsecrets.JWKS.SecretName(fd.Name, fd.UID),
				IdentityProviders: resolved,
			}
			if fd.Spec.TLS != nil {
				r.served.TLSSecretName = fd.Spec.TLS.SecretName
			}
		} else {
			conds = append(conds, conditions.False(configv1alpha1.ConditionReady, configv1alpha1.ReasonNotReady,
				"the FederationDomain is not ready: see other conditions for details"))
		}
		r.conditions = conds
		results = append(results, r)
	}
	return results
}

// writeStatus patches the phase and conditions of a FederationDomain when they differ
// from what it has. A merge patch of only these fields leaves status.secrets to the
// keys controller.
func (c *Controller) writeStatus(ctx context.Context, r result) error {
	fd := r.fd
	merged := conditions.Merge(fd.Status.Conditions, r.conditions, fd.Generation, metav1.NewTime(c.clock.Now()))
	phase := configv1alpha1.FederationDomainPhase(conditions.PhaseOf(merged))
	if phase == fd.Status.Phase && conditions.Equal(merged, fd.Status.Conditions) {
		return nil
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": fd.ResourceVersion},
		"status":   map[string]any{"phase": phase, "conditions": merged},
	})
	if err != nil {
		return fmt.Errorf("could not encode status of FederationDomain %s: %w", fd.Name, err)
	}
	_, err = c.client.ConfigV1alpha1().FederationDomains(fd.Namespace).Patch(ctx, fd.Name,
		types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	if apierrors.IsNotFound(err) {
		// Deleted since it was listed; its delete event queues another sync.
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not update status of FederationDomain %s: %w", fd.Name, err)
	}
	klog.InfoS("updated federation domain status", "federationDomain", klog.KObj(fd), "phase", phase)
	return nil
}
