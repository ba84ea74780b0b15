// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/conditions"
)

var everything = labels.Everything()

// outcome is the result of validating one object.
type outcome struct {
	// conditions are every condition but Ready.
	conditions []metav1.Condition
	// built is a new authenticator to load, nil when none was built.
	built *cachedAuthenticator
	// retry is set when a check failed in a way that may go away by itself.
	retry error
}

// sync brings one object's cache entry and status in line with its spec:
//  1. an object that is gone loses its cache entry;
//  2. the spec is validated, reusing the loaded authenticator when its config is the same;
//  3. a failing object loses its cache entry at once;
//  4. the status is written when it changed;
//  5. only then is a newly built authenticator loaded, so that the cache never holds
//     an authenticator whose status could not be reported.
func (c *Controller) sync(ctx context.Context, name string) error {
	key := cacheKey(name)
	obj, err := c.lister.Get(name)
	if apierrors.IsNotFound(err) {
		c.cache.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not get JWTAuthenticator %q: %w", name, err)
	}

	result := c.validate(ctx, obj)

	if !conditions.AllTrue(result.conditions) && c.cache.Get(key) != nil {
		c.cache.Delete(key)
		klog.InfoS("unloaded authenticator of invalid object", "jwtAuthenticator", klog.KObj(obj))
	}

	if err := c.updateStatus(ctx, obj, result.conditions); err != nil {
		if result.built != nil {
			result.built.Close()
		}
		if apierrors.IsNotFound(err) {
			c.cache.Delete(key)
			return nil
		}
		return err
	}

	if result.built != nil {
		c.cache.Store(key, result.built)
		klog.InfoS("loaded authenticator", "jwtAuthenticator", klog.KObj(obj), "issuer", obj.Spec.Issuer)
	}
	return result.retry
}

// validate runs the checks in dependency order; a check whose prerequisite failed is
// reported as Unknown instead of run.
func (c *Controller) validate(ctx context.Context, obj *authenticationv1alpha1.JWTAuthenticator) outcome {
	bundle, tlsCondition := c.resolver.Resolve("spec.tls", tlsSource(obj.Spec.TLS))
	issuerCondition := validateIssuer(obj.Spec.Issuer)
	out := outcome{conditions: []metav1.Condition{tlsCondition, issuerCondition}}
	if !conditions.AllTrue(out.conditions) {
		return out.skipped(authenticationv1alpha1.ConditionDiscoveryURLValid,
			authenticationv1alpha1.ConditionJWKSURLValid, authenticationv1alpha1.ConditionJWKSFetchValid,
			authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	cfg := configOf(&obj.Spec, bundle.Hash)
	if loaded, ok := c.cache.Get(cacheKey(obj.Name)).(*cachedAuthenticator); ok && loaded.config == cfg {
		// Nothing that the authenticator depends on changed, so it is kept as it is:
		// re-probing the issuer here could only turn a network flake into an outage.
		return out.passed(
			conditions.True(authenticationv1alpha1.ConditionDiscoveryURLValid, msgDiscoveryValid),
			conditions.True(authenticationv1alpha1.ConditionJWKSURLValid, msgJWKSURLValid),
			conditions.True(authenticationv1alpha1.ConditionJWKSFetchValid, msgJWKSFetchValid),
			conditions.True(authenticationv1alpha1.ConditionAuthenticatorValid, msgAuthenticatorValid))
	}
	return c.build(ctx, cfg, bundle, out)
}

// build probes the issuer and builds a new authenticator for a config.
func (c *Controller) build(ctx context.Context, cfg config, bundle *cabundle.Bundle, out outcome) outcome {
	client := newHTTPClient(bundle.Pool)
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()

	jwksURL, discoveryCondition, err := discover(ctx, client, cfg.issuer)
	out.conditions = append(out.conditions, discoveryCondition)
	if err != nil {
		client.CloseIdleConnections()
		out.retry = retryError(err)
		return out.skipped(authenticationv1alpha1.ConditionJWKSURLValid,
			authenticationv1alpha1.ConditionJWKSFetchValid, authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	jwksURLCondition := validateJWKSURL(jwksURL)
	out.conditions = append(out.conditions, jwksURLCondition)
	if jwksURLCondition.Status != metav1.ConditionTrue {
		client.CloseIdleConnections()
		return out.skipped(authenticationv1alpha1.ConditionJWKSFetchValid,
			authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	keys := newRemoteKeySet(client, jwksURL)
	fetchCondition, err := fetchKeys(ctx, keys)
	out.conditions = append(out.conditions, fetchCondition)
	if err != nil {
		client.CloseIdleConnections()
		out.retry = retryError(err)
		return out.skipped(authenticationv1alpha1.ConditionAuthenticatorValid)
	}

	built, authenticatorCondition := newAuthenticator(cfg, client, keys, c.compiler)
	out.conditions = append(out.conditions, authenticatorCondition)
	if built == nil {
		client.CloseIdleConnections()
	}
	out.built = built
	return out
}

// skipped adds Unknown conditions for checks that could not run.
func (o outcome) skipped(types ...string) outcome {
	for _, t := range types {
		o.conditions = append(o.conditions, conditions.Unknown(t))
	}
	return o
}

// passed adds conditions for checks that passed.
func (o outcome) passed(passed ...metav1.Condition) outcome {
	o.conditions = append(o.conditions, passed...)
	return o
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

// tlsSource converts the API's TLS spec to a CA source.
func tlsSource(spec *authenticationv1alpha1.TLSSpec) *cabundle.Source {
	if spec == nil {
		return nil
	}
	src := &cabundle.Source{Data: spec.CertificateAuthorityData}
	if ref := spec.CertificateAuthorityDataSource; ref != nil {
		src.Ref = &cabundle.Ref{Kind: string(ref.Kind), Name: ref.Name, Key: ref.Key}
	}
	return src
}
