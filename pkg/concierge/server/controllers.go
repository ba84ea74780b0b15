// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	aggregatorinformers "k8s.io/kube-aggregator/pkg/client/informers/externalversions"

	"github.com/sealworks/pinniped/pkg/apis/concierge/identity"
	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/concierge/config"
	"github.com/sealworks/pinniped/pkg/controller/credentialissuer"
	"github.com/sealworks/pinniped/pkg/controller/jwtauthenticator"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	"github.com/sealworks/pinniped/pkg/controller/signingcert"
	"github.com/sealworks/pinniped/pkg/controller/webhookauthenticator"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// resyncPeriod is how often informers replay their whole cache to the controllers,
// a safety net for a missed event.
const resyncPeriod = 3 * time.Minute

// servingCertProvider is the serving certificate the aggregated API presents.
type servingCertProvider = *servingcert.Provider

// controllers is every controller of the Concierge, with the informers they share.
type controllers struct {
	servingCert servingCertProvider
	// proxyRunning reports whether the impersonation proxy serves.
	proxyRunning func() bool
	// synced is set once every informer has its first full list, so that /readyz
	// keeps a new replica out of rotation until it knows the authenticators.
	synced atomic.Bool

	informerStarters []func(stop <-chan struct{})
	informerWaiters  []func(stop <-chan struct{}) map[reflect.Type]bool
	runners          []func(ctx context.Context)
}

func newControllers(
	kubeConfig *restclient.Config, cfg *config.Config, namespace string,
	cache *authncache.Cache, signers signers, bindAddress string,
) (*controllers, error) {
	kube, err := kubernetes.NewForConfig(kubeConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build kubernetes client: %w", err)
	}
	// The generated clients speak the default groups; the middleware renames them
	// when the installation uses another suffix.
	pinniped, err := conciergeclientset.NewForConfig(groupsuffix.WithSuffix(kubeConfig, cfg.APIGroupSuffix))
	if err != nil {
		return nil, fmt.Errorf("could not build concierge client: %w", err)
	}
	aggregator, err := aggregatorclient.NewForConfig(kubeConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build aggregator client: %w", err)
	}
	// The Concierge reads Secrets and ConfigMaps of its own namespace only.
	ownNamespace := kubeinformers.NewSharedInformerFactoryWithOptions(kube, resyncPeriod,
		kubeinformers.WithNamespace(namespace))
	pinnipedInformers := conciergeinformers.NewSharedInformerFactory(pinniped, resyncPeriod)
	aggregatorInformers := aggregatorinformers.NewSharedInformerFactory(aggregator, resyncPeriod)
	c := &controllers{
		servingCert: servingcert.NewProvider("concierge-serving-cert"),
		informerStarters: []func(<-chan struct{}){
			ownNamespace.Start, pinnipedInformers.Start, aggregatorInformers.Start,
		},
		informerWaiters: []func(<-chan struct{}) map[reflect.Type]bool{
			ownNamespace.WaitForCacheSync, pinnipedInformers.WaitForCacheSync, aggregatorInformers.WaitForCacheSync,
		},
	}

	var apiServices []string
	for _, group := range []string{login.GroupName, identity.GroupName} {
		renamed, _ := groupsuffix.Replace(group, cfg.APIGroupSuffix)
		apiServices = append(apiServices, "v1alpha1."+renamed)
	}
	serving, err := servingcert.New(servingcert.Options{
		Namespace:       namespace,
		SecretName:      cfg.Names.ServingCertificateSecret,
		ServiceName:     cfg.Names.APIService,
		APIServiceNames: apiServices,
		Duration:        cfg.ServingCertDuration(),
		RenewBefore:     cfg.ServingCertRenewBefore(),
	}, c.servingCert, kube, aggregator,
		ownNamespace.Core().V1().Secrets(), aggregatorInformers.Apiregistration().V1().APIServices())
	if err != nil {
		return nil, fmt.Errorf("could not build serving certificate controller: %w", err)
	}

	signing, err := newSigningController(cfg, namespace, signers.cluster, ownNamespace)
	if err != nil {
		return nil, err
	}
	impersonationSigner, err := signingcert.NewFromSecret(signers.impersonation, signingcert.SecretOptions{
		Namespace: namespace,
		Name:      cfg.Names.ImpersonationSignerSecret,
		CertKey:   "caCertificate",
		KeyKey:    "caCertificatePrivateKey",
		Generate: &signingcert.Generate{
			Client: kube, CommonName: impersonationSignerName, TTL: impersonationSignerTTL,
			RenewBefore: time.Hour,
		},
	}, ownNamespace.Core().V1().Secrets())
	if err != nil {
		return nil, fmt.Errorf("could not build impersonation signer controller: %w", err)
	}

	issuer, err := newCredentialIssuerController(cfg, kube, pinniped, pinnipedInformers, signing)
	if err != nil {
		return nil, err
	}
	proxy, err := newImpersonationProxy(kubeConfig, cfg, namespace, bindAddress, kube, pinniped,
		pinnipedInformers, ownNamespace, signers.impersonation)
	if err != nil {
		return nil, err
	}
	c.informerStarters = append(c.informerStarters, issuer.informers.Start)
	c.informerWaiters = append(c.informerWaiters, issuer.informers.WaitForCacheSync)

	jwt, err := jwtauthenticator.New(jwtauthenticator.Options{
		Client:            pinniped,
		JWTAuthenticators: pinnipedInformers.Authentication().V1alpha1().JWTAuthenticators(),
		Secrets:           ownNamespace.Core().V1().Secrets(),
		ConfigMaps:        ownNamespace.Core().V1().ConfigMaps(),
		Namespace:         namespace,
		Cache:             cache,
	})
	if err != nil {
		return nil, fmt.Errorf("could not build JWTAuthenticator controller: %w", err)
	}

	webhook, err := webhookauthenticator.New(webhookauthenticator.Options{
		Client:                pinniped,
		WebhookAuthenticators: pinnipedInformers.Authentication().V1alpha1().WebhookAuthenticators(),
		Secrets:               ownNamespace.Core().V1().Secrets(),
		ConfigMaps:            ownNamespace.Core().V1().ConfigMaps(),
		Namespace:             namespace,
		Cache:                 cache,
	})
	if err != nil {
		return nil, fmt.Errorf("could not build WebhookAuthenticator controller: %w", err)
	}

	c.runners = []func(context.Context){
		serving.Run, signing.run, impersonationSigner.Run, issuer.controller.Run, jwt.Run, webhook.Run,
	}
	c.runners = append(c.runners, proxy.runners...)
	c.proxyRunning = proxy.running
	return c, nil
}

// The impersonation proxy's signer CA, made by the Concierge when it is missing.
const (
	impersonationSignerName = "Pinniped Impersonation Proxy Signer CA"
	impersonationSignerTTL  = 365 * 24 * time.Hour
)

// signers are the two CAs a TokenCredentialRequest may sign with: the cluster's
// when it is configured and loaded, else the impersonation proxy's.
type signers struct {
	cluster       *certauthority.Dynamic
	impersonation *certauthority.Dynamic
}

// issuer signs with the cluster's key when it is loaded, since its certificates
// work at kube-apiserver and at the proxy alike; else with the proxy's signer,
// but only while the proxy serves, as nothing else accepts those certificates.
type issuer struct {
	signers
	proxyRunning func() bool
}

func (i issuer) IssueClientCert(username string, groups []string, ttl time.Duration) (
	*certauthority.PEMPair, error,
) {
	if i.cluster.Current() != nil || !i.proxyRunning() {
		return i.cluster.IssueClientCert(username, groups, ttl)
	}
	return i.impersonation.IssueClientCert(username, groups, ttl)
}

// clusterSigning is the cluster signing key's controller, or its absence.
type clusterSigning struct {
	credentialissuer.SigningKey
	addListener func(dynamiccertificates.Listener)
	run         func(ctx context.Context)
}

// notConfigured is the status of a cluster signing key nobody configured.
type notConfigured struct{}

func (notConfigured) LoadStatus() (bool, string) {
	return false, "no cluster signing key is configured (expected on clusters whose control plane is hidden, " +
		"such as EKS); certificates are signed by the impersonation proxy's signer"
}

// newSigningController loads the cluster's client-certificate signing CA from the
// source the configuration names, if any.
func newSigningController(
	cfg *config.Config, namespace string, signer *certauthority.Dynamic,
	ownNamespace kubeinformers.SharedInformerFactory,
) (*clusterSigning, error) {
	key := cfg.SigningKey
	if !key.HasClusterSigningKey() {
		return &clusterSigning{
			SigningKey: notConfigured{}, addListener: func(dynamiccertificates.Listener) {},
			run: func(ctx context.Context) { <-ctx.Done() },
		}, nil
	}
	var c *signingcert.Controller
	var err error
	switch {
	case key.CertFile != "":
		c, err = signingcert.NewFromFiles(signer, signingcert.FileOptions{CertPath: key.CertFile, KeyPath: key.KeyFile})
	case key.SecretName != "":
		c, err = signingcert.NewFromSecret(signer, signingcert.SecretOptions{Namespace: namespace, Name: key.SecretName},
			ownNamespace.Core().V1().Secrets())
	}
	if err != nil {
		return nil, fmt.Errorf("could not build signing key controller: %w", err)
	}
	return &clusterSigning{SigningKey: c, addListener: c.AddListener, run: c.Run}, nil
}

// credentialIssuerController keeps the CredentialIssuer's status, with the
// informer of kube-public it reads cluster-info from.
type credentialIssuerController struct {
	controller *credentialissuer.Controller
	informers  kubeinformers.SharedInformerFactory
}

func newCredentialIssuerController(
	cfg *config.Config, kube kubernetes.Interface, pinniped conciergeclientset.Interface,
	pinnipedInformers conciergeinformers.SharedInformerFactory, signing *clusterSigning,
) (*credentialIssuerController, error) {
	opts := credentialissuer.Options{Name: cfg.Names.CredentialIssuer}
	if cfg.Frontend != nil {
		ca, err := base64.StdEncoding.DecodeString(cfg.Frontend.CertificateAuthorityData)
		if err != nil {
			return nil, fmt.Errorf("frontend.certificateAuthorityData is not base64: %w", err)
		}
		opts.Server, opts.CertificateAuthorityPEM = cfg.Frontend.Server, ca
	}
	kubePublic := kubeinformers.NewSharedInformerFactoryWithOptions(kube, resyncPeriod,
		kubeinformers.WithNamespace(metav1.NamespacePublic))
	controller, err := credentialissuer.New(opts, pinniped,
		pinnipedInformers.Config().V1alpha1().CredentialIssuers(), kubePublic.Core().V1().ConfigMaps(), signing)
	if err != nil {
		return nil, fmt.Errorf("could not build CredentialIssuer controller: %w", err)
	}
	// A newly loaded or lost signing key changes the status at once.
	signing.addListener(controller)
	return &credentialIssuerController{controller: controller, informers: kubePublic}, nil
}

// run starts the informers and every controller, and returns when ctx is done and
// all controllers have returned.
func (c *controllers) run(ctx context.Context) {
	for _, start := range c.informerStarters {
		start(ctx.Done())
	}
	go func() {
		for _, wait := range c.informerWaiters {
			for informer, ok := range wait(ctx.Done()) {
				if !ok {
					klog.InfoS("informer did not sync", "type", informer.String())
					return
				}
			}
		}
		c.synced.Store(true)
		klog.InfoS("concierge informers synced")
	}()
	var wg sync.WaitGroup
	for _, run := range c.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx)
		}()
	}
	klog.InfoS("concierge controllers started")
	wg.Wait()
}

// readyCheck fails until the informers have synced. The authenticators are
// loaded by the controllers moments later.
func (c *controllers) readyCheck(*http.Request) error {
	if !c.synced.Load() {
		return errors.New("the concierge's informers have not synced yet")
	}
	return nil
}
