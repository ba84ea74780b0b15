// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package conciergeclient trades a token for a cluster credential through the
// Concierge's TokenCredentialRequest API, as the CLI's login commands do.
package conciergeclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	loginclient "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned/typed/login/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// requestTimeout bounds one TokenCredentialRequest.
const requestTimeout = 30 * time.Second

// Config says which Concierge to ask and which authenticator should check the token.
type Config struct {
	// Endpoint is the Concierge's https URL: the cluster's API server, or the
	// impersonation proxy.
	Endpoint string
	// CABundle is the PEM that the endpoint's certificate must chain to; it is the
	// only trust used.
	CABundle []byte
	// APIGroupSuffix is the Concierge's API group suffix; empty means pinniped.dev.
	APIGroupSuffix string
	// AuthenticatorType is jwt or webhook, in any case.
	AuthenticatorType string
	// AuthenticatorName names the JWTAuthenticator or WebhookAuthenticator.
	AuthenticatorName string
}

// Client sends TokenCredentialRequests.
type Client struct {
	authenticator corev1.TypedLocalObjectReference
	client        loginclient.LoginV1alpha1Interface
}

// New checks the configuration and builds an anonymous client: the request
// carries the token in its body and no credential of any kind.
func New(config Config) (*Client, error) {
	kind, err := authenticatorKind(config.AuthenticatorType)
	if err != nil {
		return nil, err
	}
	if config.AuthenticatorName == "" {
		return nil, errors.New("missing authenticator name")
	}
	endpoint, err := url.Parse(config.Endpoint)
	if err != nil || endpoint.Scheme != "https" || endpoint.Host == "" {
		return nil, fmt.Errorf("invalid concierge endpoint %q: it must be an https URL", config.Endpoint)
	}
	if len(config.CABundle) == 0 {
		return nil, errors.New("missing concierge CA bundle")
	}
	suffix := config.APIGroupSuffix
	if suffix == "" {
		suffix = groupsuffix.Default
	}
	if err := groupsuffix.Validate(suffix); err != nil {
		return nil, fmt.Errorf("invalid API group suffix: %w", err)
	}
	restConfig := groupsuffix.WithSuffix(&rest.Config{
		Host:            config.Endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: config.CABundle},
		Timeout:         requestTimeout,
		UserAgent:       rest.DefaultKubernetesUserAgent(),
	}, suffix)
	// The typed login client alone: the whole clientset would bring in client-go's
	// discovery and the registration of every Kubernetes API type at each start.
	client, err := loginclient.NewForConfig(restConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build concierge client: %w", err)
	}
	return &Client{
		// The group is the default one; the suffix middleware renames it on the wire.
		authenticator: corev1.TypedLocalObjectReference{
			APIGroup: ptr.To(authenticationv1alpha1.GroupName), Kind: kind, Name: config.AuthenticatorName,
		},
		client: client,
	}, nil
}

// authenticatorKind maps the CLI's jwt|webhook to the authenticator's kind.
func authenticatorKind(authenticatorType string) (string, error) {
	switch strings.ToLower(authenticatorType) {
	case "jwt":
		return "JWTAuthenticator", nil
	case "webhook":
		return "WebhookAuthenticator", nil
	default:
		return "", fmt.Errorf("invalid authenticator type %q: expected jwt or webhook", authenticatorType)
	}
}

// ExchangeToken sends token to the Concierge and returns the credential it issued,
// as the status of an ExecCredential.
func (c *Client) ExchangeToken(ctx context.Context, token string) (*clientauthv1beta1.ExecCredentialStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := c.client.TokenCredentialRequests().Create(ctx, &loginv1alpha1.TokenCredentialRequest{
		Spec: loginv1alpha1.TokenCredentialRequestSpec{Token: token, Authenticator: c.authenticator},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("could not login: %w", err)
	}
	if resp.Status.Credential == nil {
		if resp.Status.Message != nil {
			return nil, fmt.Errorf("login failed: %s", *resp.Status.Message)
		}
		return nil, errors.New("login failed: unknown cause")
	}
	cred := resp.Status.Credential
	return &clientauthv1beta1.ExecCredentialStatus{
		ExpirationTimestamp:   &cred.ExpirationTimestamp,
		Token:                 cred.Token,
		ClientCertificateData: cred.ClientCertificateData,
		ClientKeyData:         cred.ClientKeyData,
	}, nil
}
