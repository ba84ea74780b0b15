// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package jwtauthenticator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	coreosoidc "github.com/coreos/go-oidc"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// The messages of passing checks. They never vary, so that a check that passes again
// after a rebuild, or is skipped because nothing changed, leaves the status as it was.
const (
	msgIssuerValid        = "spec.issuer is a valid https URL"
	msgDiscoveryValid     = "OIDC discovery of the issuer succeeded"
	msgJWKSURLValid       = "the issuer's jwks_uri is a valid https URL"
	msgJWKSFetchValid     = "fetched the issuer's signing keys from its jwks_uri"
	msgAuthenticatorValid = "the authenticator is initialized"
)

// wellKnownPath is where OIDC discovery looks below the issuer.
const wellKnownPath = "/.well-known/openid-configuration"

// maxMessageLength bounds condition messages built from remote errors, which can quote
// a server's response body.
const maxMessageLength = 512

// validateIssuer checks spec.issuer without any network access.
func validateIssuer(issuer string) metav1.Condition {
	const typ = authenticationv1alpha1.ConditionIssuerURLValid
	u, err := url.Parse(issuer)
	switch {
	case err != nil:
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURL,
			"spec.issuer is not a valid URL: "+limit(err.Error()))
	case u.Scheme != "https":
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURLScheme,
			fmt.Sprintf("spec.issuer %q must use the https scheme", issuer))
	case u.Host == "":
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURL,
			fmt.Sprintf("spec.issuer %q has no host", issuer))
	case u.User != nil:
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURL,
			"spec.issuer must not contain a username or password")
	case u.RawQuery != "" || u.ForceQuery:
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURLContainsQueryParams,
			fmt.Sprintf("spec.issuer %q must not have query parameters", issuer))
	case strings.Contains(issuer, "#"):
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURLContainsFragment,
			fmt.Sprintf("spec.issuer %q must not have a fragment", issuer))
	case strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), wellKnownPath):
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidIssuerURLContainsWellKnownEndpoint,
			fmt.Sprintf("spec.issuer %q must be the issuer itself, without %s", issuer, wellKnownPath))
	default:
		return conditions.True(typ, msgIssuerValid)
	}
}

// discover fetches the issuer's discovery document and returns its jwks_uri. It fails
// when the document is missing, unparseable, or names another issuer.
func discover(ctx context.Context, client *http.Client, issuer string) (string, metav1.Condition, error) {
	provider, err := coreosoidc.NewProvider(coreosoidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return "", conditions.False(authenticationv1alpha1.ConditionDiscoveryURLValid,
			authenticationv1alpha1.ReasonInvalidDiscoveryProbe,
			"could not perform OIDC discovery on spec.issuer: "+limit(err.Error())), err
	}
	var document struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := provider.Claims(&document); err != nil {
		return "", conditions.False(authenticationv1alpha1.ConditionDiscoveryURLValid,
			authenticationv1alpha1.ReasonInvalidDiscoveryProbe,
			"could not parse the issuer's discovery document: "+limit(err.Error())), err
	}
	return document.JWKSURI, conditions.True(authenticationv1alpha1.ConditionDiscoveryURLValid, msgDiscoveryValid), nil
}

// validateJWKSURL checks the jwks_uri of the discovery document. It must be https:
// the keys fetched from it decide which tokens are trusted.
func validateJWKSURL(jwksURL string) metav1.Condition {
	const typ = authenticationv1alpha1.ConditionJWKSURLValid
	if jwksURL == "" {
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidProviderJWKSURL,
			"the issuer's discovery document has no jwks_uri")
	}
	u, err := url.Parse(jwksURL)
	switch {
	case err != nil:
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidProviderJWKSURL,
			"the issuer's jwks_uri is not a valid URL: "+limit(err.Error()))
	case u.Scheme != "https":
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidProviderJWKSURLScheme,
			fmt.Sprintf("the issuer's jwks_uri %q must use the https scheme", limit(jwksURL)))
	case u.Host == "":
		return conditions.False(typ, authenticationv1alpha1.ReasonInvalidProviderJWKSURL,
			fmt.Sprintf("the issuer's jwks_uri %q has no host", limit(jwksURL)))
	default:
		return conditions.True(typ, msgJWKSURLValid)
	}
}

// fetchKeys fetches the issuer's signing keys once, so that the authenticator is never
// loaded with keys it could not get.
func fetchKeys(ctx context.Context, keys *remoteKeySet) (metav1.Condition, error) {
	if err := keys.fetch(ctx); err != nil {
		return conditions.False(authenticationv1alpha1.ConditionJWKSFetchValid,
			authenticationv1alpha1.ReasonInvalidCouldNotFetchJWKS,
			"could not fetch the issuer's signing keys: "+limit(err.Error())), err
	}
	return conditions.True(authenticationv1alpha1.ConditionJWKSFetchValid, msgJWKSFetchValid), nil
}

// retryable reports whether a failure to reach the issuer may go away by itself (the
// network, the issuer starting up) and so deserves a retry with backoff. A certificate
// the configured CA bundle does not trust is a configuration problem: the conditions say
// so, and a change of the spec or of the referenced bundle brings the next attempt.
func retryable(err error) bool {
	var verification *tls.CertificateVerificationError
	return err != nil && !errors.As(err, &verification)
}

// limit shortens a message built from a remote answer.
func limit(message string) string {
	if len(message) <= maxMessageLength {
		return message
	}
	// Cutting bytes may split a character; drop the broken tail rather than send it.
	return strings.ToValidUTF8(message[:maxMessageLength], "") + "..."
}
