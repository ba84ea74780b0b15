// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"

	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/webhook"
	"k8s.io/client-go/rest"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// config is what an authenticator was built from. While an object's config stays the
// same, its loaded authenticator is kept without probing the endpoint again.
type config struct {
	endpoint     string
	caBundleHash string
}

// cachedAuthenticator is what the controller stores in the authenticator cache: the
// Kubernetes webhook token authenticator and the transport it owns.
type cachedAuthenticator struct {
	webhook   authenticator.Token
	config    config
	transport *http.Transport
}

// AuthenticateToken asks the webhook about a token. authncache strips the request's
// audiences from ctx before it gets here.
func (a *cachedAuthenticator) AuthenticateToken(ctx context.Context, token string) (*authenticator.Response,
	bool, error) {
	return a.webhook.AuthenticateToken(ctx, token)
}

// Close drops the authenticator's idle connections.
func (a *cachedAuthenticator) Close() {
	a.transport.CloseIdleConnections()
}

// newAuthenticator builds a webhook authenticator that POSTs TokenReviews (v1beta1, the
// version every webhook understands) to the endpoint. It has no implicit audiences,
// retries with the library's default backoff, and caches no results: every
// TokenCredentialRequest asks the webhook.
func newAuthenticator(cfg config, pool *x509.CertPool,
	proxy func(*http.Request) (*url.URL, error)) (*cachedAuthenticator, metav1.Condition) {
	const typ = authenticationv1alpha1.ConditionAuthenticatorValid
	// The transport is ours rather than one built by client-go from TLS settings, which
	// client-go would keep in its process-wide transport cache forever, one per CA bundle
	// ever seen; ours is released when the authenticator is replaced.
	transport := utilnet.SetTransportDefaults(&http.Transport{
		Proxy:           proxy,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	})
	restConfig := &rest.Config{
		Host:      cfg.endpoint,
		Transport: transport,
		Timeout:   requestTimeout,
		QPS:       -1,
	}
	if _, err := rest.HTTPClientFor(restConfig); err != nil {
		transport.CloseIdleConnections()
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonUnableToCreateClient,
			"could not create an HTTP client for spec.endpoint: "+limit(err.Error()))
	}
	token, err := webhook.New(restConfig, authenticationv1beta1.SchemeGroupVersion.Version, nil,
		*webhook.DefaultRetryBackoff())
	if err != nil {
		transport.CloseIdleConnections()
		return nil, conditions.False(typ, authenticationv1alpha1.ReasonUnableToInstantiateWebhook,
			"could not create the webhook authenticator: "+limit(err.Error()))
	}
	value := &cachedAuthenticator{webhook: token, config: cfg, transport: transport}
	return value, conditions.True(typ, msgAuthenticatorValid)
}
