// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcidentityprovider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// Keys of the client Secret.
const (
	keyClientID     = "clientID"
	keyClientSecret = "clientSecret"
)

// disallowedParameters are the authorize parameters the Supervisor sets itself (hd is
// Google's hosted-domain hint, which would let a spec silently narrow who may log in).
var disallowedParameters = []string{
	"response_type", "scope", "client_id", "state", "nonce",
	"code_challenge", "code_challenge_method", "redirect_uri", "hd",
}

// outcome is the result of validating one object.
type outcome struct {
	// conditions are every condition but Ready.
	conditions []metav1.Condition
	// provider is set when every check passed.
	provider *builtProvider
	// retry is set when a check failed in a way that may pass by itself.
	retry error
}

// builtProvider is a published provider with what it was built from.
type builtProvider struct {
	fingerprint string
	discovery   *oidc.Discovery
	provider    *oidc.Provider
}

type discoveryKey struct{ issuer, caHash string }

type discoveryEntry struct {
	discovery *oidc.Discovery
	fetched   time.Time
}

// validate runs the checks. Discovery depends on the TLS settings only; the other
// checks are independent, so every failure is reported at once.
func (c *Controller) validate(ctx context.Context, obj *idpv1alpha1.OIDCIdentityProvider) outcome {
	clientID, clientSecret, secretCondition := c.checkSecret(obj.Spec.Client.SecretName)
	paramsCondition := checkParameters(obj.Spec.AuthorizationConfig.AdditionalAuthorizeParameters)
	bundle, tlsCondition := c.resolver.Resolve("spec.tls", tlsSource(obj.Spec.TLS))
	out := outcome{conditions: []metav1.Condition{secretCondition, paramsCondition, tlsCondition}}

	if tlsCondition.Status != metav1.ConditionTrue {
		out.conditions = append(out.conditions, conditions.Unknown(idpv1alpha1.ConditionOIDCDiscoverySucceeded))
		return out
	}
	discovery, discoveryCondition, err := c.discover(ctx, obj.Spec.Issuer, bundle)
	out.conditions = append(out.conditions, discoveryCondition)
	out.retry = err
	if !conditions.AllTrue(out.conditions) {
		return out
	}

	config := oidc.Config{
		Name:               obj.Name,
		ResourceUID:        string(obj.UID),
		Issuer:             obj.Spec.Issuer,
		ClientID:           clientID,
		ClientSecret:       clientSecret,
		Scopes:             oidc.Scopes(obj.Spec.AuthorizationConfig.AdditionalScopes),
		AllowPasswordGrant: obj.Spec.AuthorizationConfig.AllowPasswordGrant,
		Claims: oidc.ClaimsConfig{
			Username:                obj.Spec.Claims.Username,
			Groups:                  obj.Spec.Claims.Groups,
			AdditionalClaimMappings: obj.Spec.Claims.AdditionalClaimMappings,
		},
		RootCAs: bundle.Pool,
	}
	for _, p := range obj.Spec.AuthorizationConfig.AdditionalAuthorizeParameters {
		config.AdditionalAuthorizeParameters = append(config.AdditionalAuthorizeParameters,
			oidc.Parameter{Name: p.Name, Value: p.Value})
	}
	fingerprint := fingerprintOf(obj, clientID, clientSecret, bundle.Hash)
	if previous, ok := c.built[obj.Name]; ok && previous.fingerprint == fingerprint &&
		previous.discovery == discovery {
		out.provider = &previous
		return out
	}
	out.provider = &builtProvider{fingerprint: fingerprint, discovery: discovery,
		provider: oidc.New(config, discovery)}
	return out
}

// checkSecret reads the client credentials.
func (c *Controller) checkSecret(name string) (clientID, clientSecret string, condition metav1.Condition) {
	const conditionType = idpv1alpha1.ConditionClientCredentialsSecretValid
	secret, err := c.secrets.Lister().Secrets(c.namespace).Get(name)
	switch {
	case apierrors.IsNotFound(err):
		return "", "", conditions.False(conditionType, idpv1alpha1.ReasonSecretNotFound,
			fmt.Sprintf("secret %q not found", name))
	case err != nil:
		return "", "", conditions.False(conditionType, idpv1alpha1.ReasonSecretNotFound,
			fmt.Sprintf("could not read secret %q: %v", name, err))
	case secret.Type != idpv1alpha1.OIDCIdentityProviderSecretType:
		return "", "", conditions.False(conditionType, idpv1alpha1.ReasonSecretWrongType,
			fmt.Sprintf("referenced Secret %q has type %q, but it must be %q",
				name, secret.Type, idpv1alpha1.OIDCIdentityProviderSecretType))
	}
	var missing []string
	for _, key := range []string{keyClientID, keyClientSecret} {
		if len(secret.Data[key]) == 0 {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		return "", "", conditions.False(conditionType, idpv1alpha1.ReasonSecretMissingKeys,
			fmt.Sprintf("referenced Secret %q lacks the required keys %q", name, missing))
	}
	return string(secret.Data[keyClientID]), string(secret.Data[keyClientSecret]),
		conditions.True(conditionType, "loaded client credentials")
}

// checkParameters refuses additional authorize parameters that would replace one the
// Supervisor sets.
func checkParameters(params []idpv1alpha1.Parameter) metav1.Condition {
	const conditionType = idpv1alpha1.ConditionAdditionalAuthorizeParametersValid
	var refused []string
	for _, p := range params {
		if slices.Contains(disallowedParameters, p.Name) && !slices.Contains(refused, p.Name) {
			refused = append(refused, p.Name)
		}
	}
	if len(refused) > 0 {
		return conditions.False(conditionType, idpv1alpha1.ReasonDisallowedParameterName,
			"these additionalAuthorizeParameters names are set by the Supervisor and cannot be configured: "+
				strings.Join(refused, ", "))
	}
	return conditions.True(conditionType, "additionalAuthorizeParameters names are allowed")
}

// discover returns the issuer's discovery, from the cache while it is younger than
// DiscoveryTTL. A failure is returned as the error too, so that the sync is retried:
// an issuer that is down now may be up soon.
//
// Known limitation: discoveries run one after another in the single worker, so an issuer
// that accepts connections but never answers holds up the others' checks for up to
// oidc.HTTPTimeout; the published providers stay as they were meanwhile.
func (c *Controller) discover(ctx context.Context, issuer string,
	bundle *cabundle.Bundle) (*oidc.Discovery, metav1.Condition, error) {
	const conditionType = idpv1alpha1.ConditionOIDCDiscoverySucceeded
	key := discoveryKey{issuer: issuer, caHash: bundle.Hash}
	now := c.clock.Now()
	if entry, ok := c.discoveries[key]; ok && now.Sub(entry.fetched) < DiscoveryTTL {
		return entry.discovery, conditions.True(conditionType, "discovered issuer configuration"), nil
	}
	discovery, err := oidc.FetchDiscovery(ctx, issuer, bundle.Pool)
	if err != nil {
		delete(c.discoveries, key)
		reason := idpv1alpha1.ReasonInvalidResponse
		if errors.Is(err, oidc.ErrUnreachable) {
			reason = idpv1alpha1.ReasonUnreachable
		}
		return nil, conditions.False(conditionType, reason,
			fmt.Sprintf("could not perform OIDC discovery of %q: %v", issuer, err)), err
	}
	c.discoveries[key] = discoveryEntry{discovery: discovery, fetched: now}
	return discovery, conditions.True(conditionType, "discovered issuer configuration"), nil
}

// forgetUnusedDiscoveries drops cached discoveries of issuers no object names anymore.
func (c *Controller) forgetUnusedDiscoveries(all []*idpv1alpha1.OIDCIdentityProvider) {
	used := map[string]bool{}
	for _, obj := range all {
		used[obj.Spec.Issuer] = true
	}
	for key := range c.discoveries {
		if !used[key.issuer] {
			delete(c.discoveries, key)
		}
	}
}

// fingerprintOf identifies everything a provider is built from besides the discovery.
// The client secret enters only through a hash, so it is not kept in memory twice.
func fingerprintOf(obj *idpv1alpha1.OIDCIdentityProvider, clientID, clientSecret, caHash string) string {
	specJSON, _ := json.Marshal(obj.Spec)
	h := sha256.New()
	for _, part := range [][]byte{specJSON, []byte(obj.UID), []byte(clientID), []byte(clientSecret), []byte(caHash)} {
		_, _ = fmt.Fprintf(h, "%d:", len(part))
		_, _ = h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tlsSource converts the API's TLS spec into a cabundle.Source.
func tlsSource(tls *idpv1alpha1.TLSSpec) *cabundle.Source {
	if tls == nil {
		return nil
	}
	src := &cabundle.Source{Data: tls.CertificateAuthorityData}
	if ref := tls.CertificateAuthorityDataSource; ref != nil {
		src.Ref = &cabundle.Ref{Kind: string(ref.Kind), Name: ref.Name, Key: ref.Key}
	}
	return src
}
