// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	aggregatorinformers "k8s.io/kube-aggregator/pkg/client/informers/externalversions"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
	"github.com/sealworks/pinniped/pkg/controller/federationdomain"
	"github.com/sealworks/pinniped/pkg/controller/federationdomainkeys"
	"github.com/sealworks/pinniped/pkg/controller/oidcclient"
	"github.com/sealworks/pinniped/pkg/controller/oidcidentityprovider"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	"github.com/sealworks/pinniped/pkg/controller/sessiongc"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
	configlisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/registry/oidcclientsecretrequest"
	"github.com/sealworks/pinniped/pkg/sessionstore"
	"github.com/sealworks/pinniped/pkg/supervisor/config"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
	"github.com/sealworks/pinniped/pkg/supervisor/oauth"
	upstreamoidc "github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// resyncPeriod is how often informers replay their whole cache to the controllers,
// a safety net for a missed event.
const resyncPeriod = 3 * time.Minute

// controllers is every controller of the Supervisor, the informers they share, and the
// serving state they feed.
type controllers struct {
	endpoints *endpoints.Handler
	certs     *certStore
	// servingCert is the aggregated API's serving certificate.
	servingCert *servingcert.Provider
	// clientSecrets is what the OIDCClientSecretRequest storage needs.
	clientSecrets oidcclientsecretrequest.Options

	informerStarters []func(stop <-chan struct{})
	runners          []func(ctx context.Context)
}

// fanout hands the valid FederationDomains to several consumers, in order.
type fanout []federationdomain.EndpointsManager

func (f fanout) SetFederationDomains(fds ...endpoints.FederationDomain) {
	for _, m := range f {
		m.SetFederationDomains(fds...)
	}
}

func newControllers(kubeConfig *restclient.Config, cfg *config.Config, namespace string) (*controllers, error) {
	kube, err := kubernetes.NewForConfig(kubeConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build kubernetes client: %w", err)
	}
	// The generated clients speak the default groups; the middleware renames them
	// when the installation uses another suffix.
	supervisor, err := supervisorclientset.NewForConfig(groupsuffix.WithSuffix(kubeConfig, cfg.APIGroupSuffix))
	if err != nil {
		return nil, fmt.Errorf("could not build supervisor client: %w", err)
	}
	// The Supervisor reads objects of its own namespace only.
	kubeInformers := kubeinformers.NewSharedInformerFactoryWithOptions(kube, resyncPeriod,
		kubeinformers.WithNamespace(namespace))
	supervisorInformers := supervisorinformers.NewSharedInformerFactoryWithOptions(supervisor, resyncPeriod,
		supervisorinformers.WithNamespace(namespace))
	secrets := kubeInformers.Core().V1().Secrets()

	keys, err := endpoints.NewKeyObserver(secrets)
	if err != nil {
		return nil, err
	}
	upstreams := upstreamoidc.NewCache()
	engine, err := oauth.New(oauth.Options{
		// Access and refresh tokens are read from the Secret informer's cache (every
		// exchange and refresh reads one); a change to either goes through a
		// resourceVersion precondition or is a revocation, which the watch delivers
		// within moments. Authorization codes are always read from the API.
		Store: sessionstore.New(kube.CoreV1().Secrets(namespace), clock.RealClock{},
			sessionstore.WithCachedReads(secrets.Lister().Secrets(namespace),
				sessionstore.KindAccessToken, sessionstore.KindRefreshToken)),
		Keys:      keys,
		Upstreams: upstreams,
		Clients: clientSource{
			clients:   supervisorInformers.Config().V1alpha1().OIDCClients().Lister(),
			secrets:   secrets.Lister(),
			namespace: namespace,
		},
	})
	if err != nil {
		return nil, err
	}
	certs, err := newCertStore(secrets.Lister(), namespace, cfg.Names.DefaultTLSCertificateSecret)
	if err != nil {
		return nil, err
	}
	aggregator, err := aggregatorclient.NewForConfig(kubeConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build aggregator client: %w", err)
	}
	aggregatorInformers := aggregatorinformers.NewSharedInformerFactory(aggregator, resyncPeriod)
	c := &controllers{
		endpoints:   endpoints.New(keys, healthz(), engine.Routes),
		certs:       certs,
		servingCert: servingcert.NewProvider("supervisor-serving-cert"),
		clientSecrets: oidcclientsecretrequest.Options{
			Namespace:            namespace,
			OIDCClientAPIVersion: oidcClientAPIVersion(cfg.APIGroupSuffix),
			Clients:              supervisor.ConfigV1alpha1().OIDCClients(namespace),
			Hashes:               clientsecretstore.New(kube.CoreV1().Secrets(namespace)),
		},
		informerStarters: []func(<-chan struct{}){
			kubeInformers.Start, supervisorInformers.Start, aggregatorInformers.Start,
		},
	}
	clientSecretGroup, _ := groupsuffix.Replace(clientsecret.GroupName, cfg.APIGroupSuffix)
	serving, err := servingcert.New(servingcert.Options{
		Namespace:       namespace,
		SecretName:      cfg.ServingCertificateSecret(),
		ServiceName:     cfg.Names.APIService,
		APIServiceNames: []string{"v1alpha1." + clientSecretGroup},
		Duration:        cfg.ServingCertDuration(),
		RenewBefore:     cfg.ServingCertRenewBefore(),
	}, c.servingCert, kube, aggregator, secrets, aggregatorInformers.Apiregistration().V1().APIServices())
	if err != nil {
		return nil, fmt.Errorf("could not build serving certificate controller: %w", err)
	}

	idps := supervisorInformers.Idp().V1alpha1()
	fds, err := federationdomain.New(federationdomain.Options{
		Client:            supervisor,
		FederationDomains: supervisorInformers.Config().V1alpha1().FederationDomains(),
		OIDC:              idps.OIDCIdentityProviders(),
		LDAP:              idps.LDAPIdentityProviders(),
		ActiveDirectory:   idps.ActiveDirectoryIdentityProviders(),
		GitHub:            idps.GitHubIdentityProviders(),
		Namespace:         namespace,
		APIGroupSuffix:    cfg.APIGroupSuffix,
		// The certificates first, so that a host is never served before its cert is known.
		Endpoints: fanout{certs, c.endpoints},
	})
	if err != nil {
		return nil, fmt.Errorf("could not build FederationDomain controller: %w", err)
	}
	keysController, err := federationdomainkeys.New(federationdomainkeys.Options{
		Kube:              kube,
		Client:            supervisor,
		FederationDomains: supervisorInformers.Config().V1alpha1().FederationDomains(),
		Secrets:           secrets,
		Namespace:         namespace,
		APIGroupSuffix:    cfg.APIGroupSuffix,
	})
	if err != nil {
		return nil, fmt.Errorf("could not build FederationDomain keys controller: %w", err)
	}
	oidcIDPs, err := oidcidentityprovider.New(oidcidentityprovider.Options{
		Client:                supervisor,
		OIDCIdentityProviders: idps.OIDCIdentityProviders(),
		Secrets:               secrets,
		ConfigMaps:            kubeInformers.Core().V1().ConfigMaps(),
		Namespace:             namespace,
		Cache:                 upstreams,
		NotLeader:             apierrors.IsConflict,
	})
	if err != nil {
		return nil, fmt.Errorf("could not build OIDCIdentityProvider controller: %w", err)
	}
	gc, err := sessiongc.New(sessiongc.Options{
		Kube:      kube,
		Secrets:   secrets,
		Namespace: namespace,
		Revoker:   upstreamRevoker{upstreams: upstreams},
	})
	if err != nil {
		return nil, fmt.Errorf("could not build session garbage collector: %w", err)
	}
	oidcClients, err := oidcclient.New(oidcclient.Options{
		Client:      supervisor,
		OIDCClients: supervisorInformers.Config().V1alpha1().OIDCClients(),
		Secrets:     secrets,
		Namespace:   namespace,
		NotLeader:   apierrors.IsConflict,
	})
	if err != nil {
		return nil, fmt.Errorf("could not build OIDCClient controller: %w", err)
	}
	c.runners = []func(context.Context){
		serving.Run, fds.Run, keysController.Run, oidcIDPs.Run, oidcClients.Run, gc.Run,
	}
	return c, nil
}

// oidcClientAPIVersion is the group/version of OIDCClients in this installation.
func oidcClientAPIVersion(suffix string) string {
	group, _ := groupsuffix.Replace(configv1alpha1.GroupName, suffix)
	return group + "/" + configv1alpha1.SchemeGroupVersion.Version
}

// clientSource finds OIDCClients and their secret hashes in the informers' caches,
// for the OAuth endpoints, which validate them again at every request.
type clientSource struct {
	clients   configlisters.OIDCClientLister
	secrets   corelisters.SecretLister
	namespace string
}

func (s clientSource) OIDCClient(name string) (*configv1alpha1.OIDCClient, []string, error) {
	client, err := s.clients.OIDCClients(s.namespace).Get(name)
	if err != nil {
		// Not found, or not yet in the cache: either way the client is unknown now.
		return nil, nil, nil
	}
	hashes, err := oidcclient.HashesFromLister(s.secrets, s.namespace, client)
	return client, hashes, err
}

// upstreamRevoker revokes upstream tokens for the session garbage collector.
type upstreamRevoker struct {
	upstreams *upstreamoidc.Cache
}

func (r upstreamRevoker) Revoke(ctx context.Context, providerName, token, tokenTypeHint string) error {
	upstream := r.upstreams.Get(providerName)
	if upstream == nil {
		return fmt.Errorf("%w: identity provider %q is not ready", sessiongc.ErrNotRetryable, providerName)
	}
	err := upstream.Revoke(ctx, token, tokenTypeHint)
	if errors.Is(err, upstreamoidc.ErrNoRevocationEndpoint) || errors.Is(err, upstreamoidc.ErrInvalidGrant) {
		return fmt.Errorf("%w: %w", sessiongc.ErrNotRetryable, err)
	}
	return err
}

// run starts the informers and every controller, and returns when ctx is done and
// all controllers have returned.
func (c *controllers) run(ctx context.Context) {
	for _, start := range c.informerStarters {
		start(ctx.Done())
	}
	var wg sync.WaitGroup
	for _, run := range c.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx)
		}()
	}
	klog.InfoS("supervisor controllers started")
	wg.Wait()
}
