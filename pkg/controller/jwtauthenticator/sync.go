// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/controller/authenticator"
)

// check runs the checks in dependency order; a check whose prerequisite failed is
// reported as Unknown instead of run.
func (c *Controller) check(
	ctx context.Context, obj *authenticationv1alpha1.JWTAuthenticator,
) authenticator.Outcome {
	bundle, tlsCondition := c.resolver.Resolve("spec.tls", authenticator.TLSSource(obj.Spec.TLS))
	issuerCondition := validateIssuer(obj.Spec.Issuer)
	out := authenticator.Outcome{Conditions: []metav1.Condition{tlsCondition, issuerCondition}}
	if !conditions.AllTrue(out.Conditions) {
		return out.Skipped(authenticationv1alpha1.ConditionDiscoveryURLValid,
			authenticationv1alpha1.ConditionJWKSURLValid, authenticationv1alpha1.ConditionJWKSFetchValid,
			authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	cfg := configOf(&obj.Spec, bundle.Hash)
	if loaded, ok := c.cache.Get(cacheKey(obj.Name)).(*cachedAuthenticator); ok && loaded.config == cfg {
		// Nothing that the authenticator depends on changed, so it is kept as it is:
		// re-probing the issuer here could only turn a network flake into an outage.
		return out.Passed(
			conditions.True(authenticationv1alpha1.ConditionDiscoveryURLValid, msgDiscoveryValid),
			conditions.True(authenticationv1alpha1.ConditionJWKSURLValid, msgJWKSURLValid),
			conditions.True(authenticationv1alpha1.ConditionJWKSFetchValid, msgJWKSFetchValid),
			conditions.True(authenticationv1alpha1.ConditionAuthenticatorValid, msgAuthenticatorValid))
	}
	return c.build(ctx, cfg, bundle, out)
}

// build probes the issuer and builds a new authenticator for a config.
func (c *Controller) build(
	ctx context.Context, cfg config, bundle *cabundle.Bundle, out authenticator.Outcome,
) authenticator.Outcome {
	client := newHTTPClient(bundle.Pool)
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()

	jwksURL, discoveryCondition, err := discover(ctx, client, cfg.issuer)
	out.Conditions = append(out.Conditions, discoveryCondition)
	if err != nil {
		client.CloseIdleConnections()
		out.Retry = retryError(err)
		return out.Skipped(authenticationv1alpha1.ConditionJWKSURLValid,
			authenticationv1alpha1.ConditionJWKSFetchValid, authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	jwksURLCondition := validateJWKSURL(jwksURL)
	out.Conditions = append(out.Conditions, jwksURLCondition)
	if jwksURLCondition.Status != metav1.ConditionTrue {
		client.CloseIdleConnections()
		return out.Skipped(authenticationv1alpha1.ConditionJWKSFetchValid,
			authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	keys := newRemoteKeySet(client, jwksURL)
	fetchCondition, err := fetchKeys(ctx, keys)
	out.Conditions = append(out.Conditions, fetchCondition)
	if err != nil {
		client.CloseIdleConnections()
		out.Retry = retryError(err)
		return out.Skipped(authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	built, authenticatorCondition := newAuthenticator(cfg, client, keys, c.compiler)
	out.Conditions = append(out.Conditions, authenticatorCondition)
	if built == nil {
		client.CloseIdleConnections()
	}
	if built != nil {
		out.Built = built
	}
	return out
}

// retryError returns err when it deserves a retry, nil otherwise.
func retryError(err error) error {
	if retryable(err) {
		return err
	}
	return nil
}

// updateStatus writes the conditions, the Ready summary and the phase when any of them
// differs from what the object shows. Skipping an unchanged write is what keeps the
// controller's own status writes from triggering syncs forever.
func (c *Controller) updateStatus(ctx context.Context, obj *authenticationv1alpha1.JWTAuthenticator,
	checks []metav1.Condition) error {
	merged := conditions.Merge(obj.Status.Conditions, conditions.WithReady(checks, Kind),
		obj.Generation, metav1.NewTime(c.clock.Now()))
	phase := authenticationv1alpha1.JWTAuthenticatorPhase(conditions.PhaseOf(merged))
	if phase == obj.Status.Phase && conditions.Equal(obj.Status.Conditions, merged) {
		return nil
	}
	updated := obj.DeepCopy()
	updated.Status.Conditions = merged
	updated.Status.Phase = phase
	_, err := c.client.AuthenticationV1alpha1().JWTAuthenticators().UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	switch {
	case err == nil:
		klog.InfoS("updated status", "jwtAuthenticator", klog.KObj(obj), "phase", phase)
		return nil
	case c.notLeader != nil && c.notLeader(err):
		return nil
	default:
		return fmt.Errorf("could not update status of JWTAuthenticator %q: %w", obj.Name, err)
	}
}
