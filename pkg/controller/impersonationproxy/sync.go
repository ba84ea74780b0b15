// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonationproxy

import (
	"context"
	"encoding/base64"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/credentialissuer"
)

// listeningMessage is the message of a working proxy, the same as upstream's.
const listeningMessage = "impersonation proxy is ready to accept client connections"

// sync decides whether the proxy runs, sets it up, and reports the strategy.
func (c *Controller) sync(ctx context.Context) error {
	// 1. Read the spec; the CredentialIssuer controller creates the object.
	issuer, err := c.issuers.Get(c.opts.CredentialIssuer)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	spec := issuer.Spec.ImpersonationProxy

	// 2. Decide whether it runs.
	run, why, err := c.shouldRun(ctx, spec)
	if err != nil {
		return err
	}
	if !run {
		c.opts.Runner.Stop()
		if err := c.deleteServicesBut(ctx, ""); err != nil {
			return err
		}
		return c.write(ctx, issuer, strategy(configv1alpha1.ErrorStrategyStatus,
			configv1alpha1.DisabledStrategyReason, why))
	}

	// 3. Find its endpoint (making its Service) and serving certificate, then
	// start it.
	endpoint, err := c.endpointFor(ctx, spec)
	if err != nil {
		c.opts.Runner.Stop()
		reason := configv1alpha1.ErrorDuringSetupStrategyReason
		if errors.Is(err, errPending) || apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
			reason = configv1alpha1.PendingStrategyReason
		}
		return c.write(ctx, issuer, strategy(configv1alpha1.ErrorStrategyStatus, reason, err.Error()))
	}
	pair, err := c.servingCert(ctx, spec, endpoint)
	if err != nil {
		c.opts.Runner.Stop()
		reason := configv1alpha1.ErrorDuringSetupStrategyReason
		if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
			reason = configv1alpha1.PendingStrategyReason
		}
		return c.write(ctx, issuer, strategy(configv1alpha1.ErrorStrategyStatus, reason, err.Error()))
	}
	c.opts.ServingCert.Set(pair.cert, pair.key)
	c.opts.Runner.Start()

	// 4. Tell clients where it is.
	s := strategy(configv1alpha1.SuccessStrategyStatus, configv1alpha1.ListeningStrategyReason, listeningMessage)
	s.Frontend = &configv1alpha1.CredentialIssuerFrontend{
		Type: configv1alpha1.ImpersonationProxyFrontendType,
		ImpersonationProxyInfo: &configv1alpha1.ImpersonationProxyInfo{
			Endpoint:                 "https://" + endpoint,
			CertificateAuthorityData: base64.StdEncoding.EncodeToString(pair.caPEM),
		},
	}
	return c.write(ctx, issuer, s)
}

// externalEndpoint is where clients reach a proxy without a Service of ours.
func externalEndpoint(spec *configv1alpha1.ImpersonationProxySpec) (string, error) {
	if spec.ExternalEndpoint == "" {
		return "", errors.New("spec.impersonationProxy.externalEndpoint is required when service.type is None")
	}
	return spec.ExternalEndpoint, nil
}

func strategy(status configv1alpha1.StrategyStatus, reason configv1alpha1.StrategyReason, message string,
) configv1alpha1.CredentialIssuerStrategy {
	return configv1alpha1.CredentialIssuerStrategy{
		Type: configv1alpha1.ImpersonationProxyStrategyType, Status: status, Reason: reason, Message: message,
	}
}

func (c *Controller) write(ctx context.Context, issuer *configv1alpha1.CredentialIssuer,
	s configv1alpha1.CredentialIssuerStrategy,
) error {
	return credentialissuer.WriteStrategy(ctx, c.client, issuer, s, metav1.NewTime(c.opts.Clock.Now()))
}
