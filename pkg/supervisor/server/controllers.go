// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/controller/federationdomain"
	"github.com/sealworks/pinniped/pkg/controller/federationdomainkeys"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/supervisor/config"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// resyncPeriod is how often informers replay their whole cache to the controllers,
// a safety net for a missed event.
const resyncPeriod = 3 * time.Minute

// controllers is every controller of the Supervisor, the informers they share, and the
// serving state they feed.
type controllers struct {
	endpoints *endpoints.Handler
	certs     *certStore

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

	jwks, err := endpoints.NewJWKSObserver(secrets)
	if err != nil {
		return nil, err
	}
	certs, err := newCertStore(secrets.Lister(), namespace, cfg.Names.DefaultTLSCertificateSecret)
	if err != nil {
		return nil, err
	}
	c := &controllers{
		endpoints:        endpoints.New(jwks, healthz()),
		certs:            certs,
		informerStarters: []func(<-chan struct{}){kubeInformers.Start, supervisorInformers.Start},
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
	keys, err := federationdomainkeys.New(federationdomainkeys.Options{
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
	c.runners = []func(context.Context){fds.Run, keys.Run}
	return c, nil
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
