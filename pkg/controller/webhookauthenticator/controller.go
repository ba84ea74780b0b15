// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package webhookauthenticator runs the controller that turns each WebhookAuthenticator
// into a token authenticator in the Concierge's authenticator cache, and reports in the
// object's status why it could or could not.
package webhookauthenticator

import (
	"errors"
	"net/http"
	"net/url"

	"k8s.io/apimachinery/pkg/labels"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/utils/clock"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/controller/authenticator"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	informers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions/authentication/v1alpha1"
	authlisters "github.com/sealworks/pinniped/pkg/generated/concierge/listers/authentication/v1alpha1"
)

// controllerName names the controller in logs and queue metrics.
const controllerName = "webhookauthenticator"

// Kind is the kind of object this controller loads, as it appears in authncache keys.
const Kind = "WebhookAuthenticator"

// Options are what a Controller needs. Every field but Clock and NotLeader is required.
type Options struct {
	// Client writes the status of WebhookAuthenticators.
	Client conciergeclientset.Interface
	// WebhookAuthenticators is the informer of the objects to load.
	WebhookAuthenticators informers.WebhookAuthenticatorInformer
	// Secrets and ConfigMaps are informers of the Concierge's namespace, where CA
	// bundles named by spec.tls.certificateAuthorityDataSource live.
	Secrets    coreinformers.SecretInformer
	ConfigMaps coreinformers.ConfigMapInformer
	// Namespace is the Concierge's own namespace: CA bundles are read from it only.
	Namespace string
	// Cache receives the authenticators.
	Cache *authncache.Cache
	// Clock stamps condition transitions; nil means the real clock.
	Clock clock.PassiveClock
	// NotLeader reports whether a status write failed only because this replica is not
	// the leader. Such a failure still lets the authenticator be loaded, because every
	// replica must authenticate and the leader writes the same status. Nil means every
	// write error is a failure.
	NotLeader func(error) bool
}

// Controller keeps the authenticator cache in step with the WebhookAuthenticators. It runs
// one worker, so the objects are synced one at a time.
type Controller struct {
	*authenticator.Loop[*authenticationv1alpha1.WebhookAuthenticator]

	client    conciergeclientset.Interface
	lister    authlisters.WebhookAuthenticatorLister
	resolver  *cabundle.Resolver
	cache     *authncache.Cache
	clock     clock.PassiveClock
	notLeader func(error) bool
	// proxy says which proxy, if any, a request goes through. It is a field so that
	// tests can set it: http.ProxyFromEnvironment reads the environment only once.
	proxy func(*http.Request) (*url.URL, error)
}

// New returns a controller and registers its event handlers on the informers. Start the
// informers and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Client == nil || opts.WebhookAuthenticators == nil || opts.Secrets == nil ||
		opts.ConfigMaps == nil || opts.Namespace == "" || opts.Cache == nil {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	c := &Controller{
		client:    opts.Client,
		lister:    opts.WebhookAuthenticators.Lister(),
		resolver:  cabundle.NewResolver(opts.Namespace, opts.Secrets.Lister(), opts.ConfigMaps.Lister()),
		cache:     opts.Cache,
		clock:     opts.Clock,
		notLeader: opts.NotLeader,
		proxy:     http.ProxyFromEnvironment,
	}
	if c.clock == nil {
		c.clock = clock.RealClock{}
	}
	loop, err := authenticator.New(authenticator.Kind[*authenticationv1alpha1.WebhookAuthenticator]{
		Name:     Kind,
		Informer: opts.WebhookAuthenticators.Informer(),
		Get:      c.lister.Get,
		List: func() ([]*authenticationv1alpha1.WebhookAuthenticator, error) {
			return c.lister.List(labels.Everything())
		},
		TLS: func(a *authenticationv1alpha1.WebhookAuthenticator) *authenticationv1alpha1.TLSSpec {
			return a.Spec.TLS
		},
		Check:        c.check,
		UpdateStatus: c.updateStatus,
	}, opts.Namespace, opts.Cache, opts.Secrets, opts.ConfigMaps)
	if err != nil {
		return nil, err
	}
	c.Loop = loop
	return c, nil
}

// cacheKey is the cache key of a WebhookAuthenticator.
func cacheKey(name string) authncache.Key { return authenticator.CacheKey(Kind, name) }
