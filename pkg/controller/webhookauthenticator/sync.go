// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/controller/authenticator"
)

// check runs the checks in dependency order; a check whose prerequisite failed is
// reported as Unknown instead of run.
func (c *Controller) check(
	ctx context.Context, obj *authenticationv1alpha1.WebhookAuthenticator,
) authenticator.Outcome {
	bundle, tlsCondition := c.resolver.Resolve("spec.tls", authenticator.TLSSource(obj.Spec.TLS))
	ep, endpointCondition := validateEndpoint(obj.Spec.Endpoint, c.proxy)
	out := authenticator.Outcome{Conditions: []metav1.Condition{tlsCondition, endpointCondition}}
	if !conditions.AllTrue(out.Conditions) {
		return out.Skipped(authenticationv1alpha1.ConditionWebhookConnectionValid,
			authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	cfg := config{endpoint: obj.Spec.Endpoint, caBundleHash: bundle.Hash}
	if loaded, ok := c.cache.Get(cacheKey(obj.Name)).(*cachedAuthenticator); ok && loaded.config == cfg {
		// Nothing that the authenticator depends on changed, so it is kept as it is:
		// probing the endpoint again here could only turn a network flake into an outage.
		connection := msgConnectionValid
		if ep.proxied {
			connection = msgConnectionProxied
		}
		return out.Passed(
			conditions.True(authenticationv1alpha1.ConditionWebhookConnectionValid, connection),
			conditions.True(authenticationv1alpha1.ConditionAuthenticatorValid, msgAuthenticatorValid))
	}

	connectionCondition, err := probe(ctx, ep, bundle.Pool)
	out.Conditions = append(out.Conditions, connectionCondition)
	if err != nil {
		if retryable(err) {
			out.Retry = err
		}
		return out.Skipped(authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	built, authenticatorCondition := newAuthenticator(cfg, bundle.Pool, c.proxy)
	out.Conditions = append(out.Conditions, authenticatorCondition)
	if built != nil {
		out.Built = built
	}
	return out
}

// updateStatus writes the conditions, the Ready summary and the phase when any of them
// differs from what the object shows. Skipping an unchanged write is what keeps the
// controller's own status writes from triggering syncs forever.
func (c *Controller) updateStatus(ctx context.Context, obj *authenticationv1alpha1.WebhookAuthenticator,
	checks []metav1.Condition) error {
	merged := conditions.Merge(obj.Status.Conditions, conditions.WithReady(checks, Kind),
		obj.Generation, metav1.NewTime(c.clock.Now()))
	phase := authenticationv1alpha1.WebhookAuthenticatorPhase(conditions.PhaseOf(merged))
	if phase == obj.Status.Phase && conditions.Equal(obj.Status.Conditions, merged) {
		return nil
	}
	updated := obj.DeepCopy()
	updated.Status.Conditions = merged
	updated.Status.Phase = phase
	_, err := c.client.AuthenticationV1alpha1().WebhookAuthenticators().UpdateStatus(ctx, updated,
		metav1.UpdateOptions{})
	switch {
	case err == nil:
		klog.InfoS("updated status", "webhookAuthenticator", klog.KObj(obj), "phase", phase)
		return nil
	case c.notLeader != nil && c.notLeader(err):
		return nil
	default:
		return fmt.Errorf("could not update status of WebhookAuthenticator %q: %w", obj.Name, err)
	}
}
