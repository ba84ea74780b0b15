// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	authnclient "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned/typed/authentication/v1alpha1"
	configclient "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned/typed/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// pendingPoll is how often a Pending strategy is looked at again.
const pendingPoll = 2 * time.Second

// conciergeAPI is the part of the Concierge's clientset that get kubeconfig uses.
// It is built from the typed clients alone: the whole clientset would bring in
// client-go's discovery and the registration of every Kubernetes API type, which
// each run of the CLI as a credential plugin would pay for at start.
type conciergeAPI interface {
	ConfigV1alpha1() configclient.ConfigV1alpha1Interface
	AuthenticationV1alpha1() authnclient.AuthenticationV1alpha1Interface
}

type typedConciergeClients struct {
	config         configclient.ConfigV1alpha1Interface
	authentication authnclient.AuthenticationV1alpha1Interface
}

func (c typedConciergeClients) ConfigV1alpha1() configclient.ConfigV1alpha1Interface { return c.config }
func (c typedConciergeClients) AuthenticationV1alpha1() authnclient.AuthenticationV1alpha1Interface {
	return c.authentication
}

func newConciergeAPI(config *rest.Config) (conciergeAPI, error) {
	configClient, err := configclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	authenticationClient, err := authnclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return typedConciergeClients{config: configClient, authentication: authenticationClient}, nil
}

// discoverConcierge finds the Concierge's strategy and authenticator, and fills in
// the flags that a JWTAuthenticator answers.
func discoverConcierge(ctx context.Context, log logr.Logger, restConfig *rest.Config,
	f *getKubeconfigFlags, t *target) error {
	client, err := newConciergeAPI(conciergeRESTConfig(restConfig, f.concierge.apiGroupSuffix))
	if err != nil {
		return fmt.Errorf("could not build the Concierge client: %w", err)
	}

	issuer, err := credentialIssuer(ctx, client, f)
	if err != nil {
		return err
	}
	strategy := chooseStrategy(issuer, f.concierge.mode, f.concierge.modeSet)
	if strategy == nil {
		return fmt.Errorf("could not find a successful Concierge strategy of mode %q in CredentialIssuer %q",
			f.concierge.mode, issuer.Name)
	}
	log.V(1).Info("found Concierge strategy", "type", strategy.Type, "frontend", strategy.Frontend.Type)
	if strategy.Frontend.Type == configv1alpha1.ImpersonationProxyFrontendType {
		info := strategy.Frontend.ImpersonationProxyInfo
		t.server = info.Endpoint
		if t.caBundle, err = base64.StdEncoding.DecodeString(info.CertificateAuthorityData); err != nil {
			return fmt.Errorf("invalid impersonation proxy CA data: %w", err)
		}
	}
	if f.concierge.endpoint != "" {
		t.server = f.concierge.endpoint
	}
	if len(f.concierge.caBundlePaths) > 0 {
		t.caBundle = nil
		for _, path := range f.concierge.caBundlePaths {
			pem, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("could not read --concierge-ca-bundle: %w", err)
			}
			t.caBundle = appendPEM(t.caBundle, pem)
		}
	}
	t.conciergeEnd = t.server

	return discoverAuthenticator(ctx, restConfig, client, f, t)
}

// credentialIssuer returns the named CredentialIssuer, or the only one, waiting
// while any strategy is Pending.
func credentialIssuer(ctx context.Context, client conciergeAPI,
	f *getKubeconfigFlags) (*configv1alpha1.CredentialIssuer, error) {
	for {
		var issuer *configv1alpha1.CredentialIssuer
		if name := f.concierge.credentialIssuer; name != "" {
			got, err := client.ConfigV1alpha1().CredentialIssuers().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return nil, fmt.Errorf("could not get CredentialIssuer %q: %w", name, err)
			}
			issuer = got
		} else {
			list, err := client.ConfigV1alpha1().CredentialIssuers().List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("could not list CredentialIssuers (is the Concierge installed?): %w", err)
			}
			if len(list.Items) != 1 {
				return nil, fmt.Errorf("found %d CredentialIssuers; name one with --concierge-credential-issuer",
					len(list.Items))
			}
			issuer = &list.Items[0]
		}
		pending := slices.ContainsFunc(issuer.Status.Strategies, func(s configv1alpha1.CredentialIssuerStrategy) bool {
			return s.Reason == configv1alpha1.PendingStrategyReason
		})
		if !pending || f.concierge.skipWait {
			return issuer, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("timed out waiting for the Concierge strategy to stop pending: %w", ctx.Err())
		case <-time.After(pendingPoll):
		}
	}
}

// chooseStrategy returns the first successful strategy whose frontend is of mode,
// or, when the mode was not asked for, the first successful one: the status lists
// the preferred strategy first.
func chooseStrategy(issuer *configv1alpha1.CredentialIssuer, mode string, modeSet bool,
) *configv1alpha1.CredentialIssuerStrategy {
	for i, s := range issuer.Status.Strategies {
		if s.Status == configv1alpha1.SuccessStrategyStatus && s.Frontend != nil &&
			(!modeSet || strings.EqualFold(string(s.Frontend.Type), mode)) {
			return &issuer.Status.Strategies[i]
		}
	}
	return nil
}

// discoverAuthenticator picks the named authenticator, or the only one.
func discoverAuthenticator(ctx context.Context, restConfig *rest.Config, client conciergeAPI,
	f *getKubeconfigFlags, t *target) error {
	authn := client.AuthenticationV1alpha1()
	name, kind := f.concierge.authenticatorName, strings.ToLower(f.concierge.authenticatorType)
	var jwt *authenticationv1alpha1.JWTAuthenticator
	switch {
	case name != "" && kind == "jwt":
		got, err := authn.JWTAuthenticators().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("could not get JWTAuthenticator %q: %w", name, err)
		}
		jwt = got
	case name != "" && kind == "webhook":
		if _, err := authn.WebhookAuthenticators().Get(ctx, name, metav1.GetOptions{}); err != nil {
			return fmt.Errorf("could not get WebhookAuthenticator %q: %w", name, err)
		}
	case name != "" || kind != "":
		return fmt.Errorf("give both --concierge-authenticator-type (jwt or webhook) and " +
			"--concierge-authenticator-name, or neither")
	default:
		jwts, err := authn.JWTAuthenticators().List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("could not list JWTAuthenticators: %w", err)
		}
		webhooks, err := authn.WebhookAuthenticators().List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("could not list WebhookAuthenticators: %w", err)
		}
		switch count := len(jwts.Items) + len(webhooks.Items); {
		case count == 0:
			return fmt.Errorf("no authenticators were found")
		case count > 1:
			return fmt.Errorf("multiple authenticators were found, so the --concierge-authenticator-type/" +
				"--concierge-authenticator-name flags must be specified")
		case len(jwts.Items) == 1:
			jwt, name, kind = &jwts.Items[0], jwts.Items[0].Name, "jwt"
		default:
			name, kind = webhooks.Items[0].Name, "webhook"
		}
	}
	t.authName, t.authType = name, kind
	if jwt == nil {
		return nil
	}

	if f.oidc.issuer == "" {
		f.oidc.issuer = jwt.Spec.Issuer
	}
	if f.oidc.requestAudience == "" {
		f.oidc.requestAudience = jwt.Spec.Audience
	}
	if len(f.oidc.caBundlePaths) == 0 && jwt.Spec.TLS != nil {
		ca, err := jwtAuthenticatorCA(ctx, restConfig, f.concierge.apiGroupSuffix, jwt.Spec.TLS)
		if err != nil {
			return fmt.Errorf("could not read the CA of JWTAuthenticator %q: %w", jwt.Name, err)
		}
		t.oidcCABundle = ca
	}
	return nil
}

// apiServicesResource is the aggregator's APIService resource.
var apiServicesResource = schema.GroupVersionResource{
	Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices",
}

// jwtAuthenticatorCA reads spec.tls: inline, or from a Secret or ConfigMap in the
// Concierge's namespace, which its APIService names.
func jwtAuthenticatorCA(ctx context.Context, restConfig *rest.Config, suffix string,
	tls *authenticationv1alpha1.TLSSpec) ([]byte, error) {
	if tls.CertificateAuthorityData != "" {
		return base64.StdEncoding.DecodeString(tls.CertificateAuthorityData)
	}
	source := tls.CertificateAuthorityDataSource
	if source == nil {
		return nil, nil
	}
	// A dynamic client keeps the typed clientsets, and the time their schemes
	// take to register at every start of the CLI, out of the binary.
	client, err := dynamic.NewForConfig(restConfig)
	if err != nil {
		return nil, err
	}
	group, _ := groupsuffix.Replace("login.concierge.pinniped.dev", suffix)
	apiService, err := client.Resource(apiServicesResource).Get(ctx, "v1alpha1."+group, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("could not find the Concierge's namespace: %w", err)
	}
	namespace, _, _ := unstructured.NestedString(apiService.Object, "spec", "service", "namespace")
	if namespace == "" {
		return nil, fmt.Errorf("APIService %s has no service", apiService.GetName())
	}
	switch source.Kind {
	case authenticationv1alpha1.CertificateAuthorityDataSourceKindSecret:
		secret, err := client.Resource(corev1.SchemeGroupVersion.WithResource("secrets")).Namespace(namespace).
			Get(ctx, source.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		encoded, _, _ := unstructured.NestedString(secret.Object, "data", source.Key)
		return base64.StdEncoding.DecodeString(encoded)
	case authenticationv1alpha1.CertificateAuthorityDataSourceKindConfigMap:
		configMap, err := client.Resource(corev1.SchemeGroupVersion.WithResource("configmaps")).
			Namespace(namespace).Get(ctx, source.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		value, _, _ := unstructured.NestedString(configMap.Object, "data", source.Key)
		return []byte(value), nil
	default:
		return nil, fmt.Errorf("unknown CA source kind %q", source.Kind)
	}
}
