// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// The messages of passing checks. They never vary, so that a check that passes again
// after a rebuild, or is skipped because nothing changed, leaves the status as it was.
const (
	msgEndpointValid     = "spec.endpoint is a valid https URL"
	msgConnectionValid   = "a TLS connection to spec.endpoint succeeded"
	msgConnectionProxied = "skipped dialing connection probe because HTTPS_PROXY is configured for use " +
		"with the specified host"
	msgAuthenticatorValid = "the authenticator is initialized"
)

// dialTimeout bounds the connection probe, and requestTimeout every TokenReview.
const (
	dialTimeout    = 30 * time.Second
	requestTimeout = 30 * time.Second
)

// maxMessageLength bounds condition messages built from errors.
const maxMessageLength = 512

// endpoint is a checked spec.endpoint.
type endpoint struct {
	url *url.URL
	// proxied is true when requests to the endpoint go through a proxy, which makes a
	// direct connection probe meaningless.
	proxied bool
}

// validateEndpoint checks spec.endpoint and finds out whether a proxy applies to it.
func validateEndpoint(raw string, proxy func(*http.Request) (*url.URL, error)) (*endpoint, metav1.Condition) {
	const typ = authenticationv1alpha1.ConditionEndpointURLValid
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonInvalidEndpointURL,
			"spec.endpoint is not a valid URL: "+limit(err.Error()))
	case u.Scheme != "https":
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonInvalidEndpointURLScheme,
			fmt.Sprintf("spec.endpoint %q must use the https scheme", raw))
	case u.Host == "":
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonInvalidEndpointURL,
			fmt.Sprintf("spec.endpoint %q has no host", raw))
	}
	proxyURL, err := proxy(&http.Request{Method: http.MethodPost, URL: u})
	if err != nil {
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonInvalidEndpointCannotDetermineProxy,
			"could not determine whether a proxy applies to spec.endpoint: "+limit(err.Error()))
	}
	return &endpoint{url: u, proxied: proxyURL != nil}, conditions.True(typ, msgEndpointValid)
}

// probe opens a TLS connection to the endpoint with the configured CA pool, so that an
// unreachable server or an untrusted certificate shows in the status rather than only
// in failed logins. Behind a proxy there is nothing meaningful to dial directly.
func probe(ctx context.Context, ep *endpoint, pool *x509.CertPool) (metav1.Condition, error) {
	const typ = authenticationv1alpha1.ConditionWebhookConnectionValid
	if ep.proxied {
		return conditions.True(typ, msgConnectionProxied), nil
	}
	port := ep.url.Port()
	if port == "" {
		port = "443"
	}
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: dialTimeout},
		Config:    &tls.Config{RootCAs: pool, ServerName: ep.url.Hostname(), MinVersion: tls.VersionTLS12},
	}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(ep.url.Hostname(), port))
	if err != nil {
		return conditions.False(typ, authenticationv1alpha1.ReasonUnableToDialServer,
			"could not dial spec.endpoint: "+limit(err.Error())), err
	}
	_ = conn.Close()
	return conditions.True(typ, msgConnectionValid), nil
}

// retryable reports whether a failed probe may succeed later by itself (the network,
// the server starting up) and so deserves a retry with backoff. A certificate the
// configured CA bundle does not trust is a configuration problem: the conditions say so,
// and a change of the spec or of the referenced bundle brings the next attempt.
func retryable(err error) bool {
	var verification *tls.CertificateVerificationError
	return err != nil && !errors.As(err, &verification)
}

// limit shortens a message built from an error.
func limit(message string) string {
	if len(message) <= maxMessageLength {
		return message
	}
	// Cutting bytes may split a character; drop the broken tail rather than send it.
	return strings.ToValidUTF8(message[:maxMessageLength], "") + "..."
}
