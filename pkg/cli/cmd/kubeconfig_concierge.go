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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// pendingPoll is how often a Pending strategy is looked at again.
const pendingPoll = 2 * time.Second

// discoverConcierge finds the Concierge's strategy and authenticator, and fills in
// the flags that a JWTAuthenticator answers.
func discoverConcierge(ctx context.Context, log logr.Logger, restConfig *rest.Config,
	f *getKubeconfigFlags, t *target) error {
	client, err := conciergeclientset.NewForConfig(conciergeRESTConfig(restConfig, f.concierge.apiGroupSuffix))
	if err != nil {
		return fmt.Errorf("could not build the Concierge client: %w", err)
	}

	issuer, err := credentialIssuer(ctx, client, f)
	if err != nil {
		return err
	}
	strategy := chooseStrategy(issuer, f.concierge.mode)
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
func credentialIssuer(ctx context.Context, client conciergeclientset.Interface,
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

// chooseStrategy returns the first successful strategy whose frontend is of mode.
func chooseStrategy(issuer *configv1alpha1.CredentialIssuer, mode string) *configv1alpha1.CredentialIssuerStrategy {
	for i, s := range issuer.Status.Strategies {
		if s.Status == configv1alpha1.SuccessStrategyStatus && s.Frontend != nil &&
			strings.EqualFold(string(s.Frontend.Type), mode) {
			return &issuer.Status.Strategies[i]
		}
	}
	return nil
}

// discoverAuthenticator picks the named authenticator, or the only one.
func discoverAuthenticator(ctx context.Context, restConfig *rest.Config, client conciergeclientset.Interface,
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
	aggregator, err := aggregatorclient.NewForConfig(restConfig)
	if err != nil {
		return nil, err
	}
	group, _ := groupsuffix.Replace("login.concierge.pinniped.dev", suffix)
	apiService, err := aggregator.ApiregistrationV1().APIServices().Get(ctx, "v1alpha1."+group, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("could not find the Concierge's namespace: %w", err)
	}
	if apiService.Spec.Service == nil {
		return nil, fmt.Errorf("APIService %s has no service", apiService.Name)
	}
	namespace := apiService.Spec.Service.Namespace
	kube, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return nil, err
	}
	switch source.Kind {
	case authenticationv1alpha1.CertificateAuthorityDataSourceKindSecret:
		secret, err := kube.CoreV1().Secrets(namespace).Get(ctx, source.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return secret.Data[source.Key], nil
	case authenticationv1alpha1.CertificateAuthorityDataSourceKindConfigMap:
		configMap, err := kube.CoreV1().ConfigMaps(namespace).Get(ctx, source.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return []byte(configMap.Data[source.Key]), nil
	default:
		return nil, fmt.Errorf("unknown CA source kind %q", source.Kind)
	}
}
