// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcidentityprovider runs the Supervisor's controller of OIDCIdentityProviders:
// it checks each one (client Secret, TLS, authorize parameters, discovery), reports the
// result in its status, and publishes the valid ones into an upstream cache that the
// Supervisor's login endpoints read.
package oidcidentityprovider

import (
	"context"
	"errors"
	"fmt"
	"time"

	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	idpinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions/idp/v1alpha1"
	idplisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// controllerName names the controller in logs and queue metrics.
const controllerName = "oidcidentityprovider"

// Kind is the kind of object this controller checks.
const Kind = "OIDCIdentityProvider"

// syncKey is the only key ever queued: every event re-syncs every object, because the
// cache is published as one whole set.
const syncKey = "all"

// DiscoveryTTL is how long a successful discovery is reused before it is fetched
// again; a change of issuer or CA bundle fetches it at once.
const DiscoveryTTL = 15 * time.Minute

// Options are what a Controller needs. Every field but Clock and NotLeader is required.
type Options struct {
	// Client writes the status of OIDCIdentityProviders.
	Client supervisorclientset.Interface
	// OIDCIdentityProviders is an informer of the Supervisor's namespace.
	OIDCIdentityProviders idpinformers.OIDCIdentityProviderInformer
	// Secrets and ConfigMaps are informers of the Supervisor's namespace, where client
	// Secrets and CA bundles live.
	Secrets    coreinformers.SecretInformer
	ConfigMaps coreinformers.ConfigMapInformer
	// Namespace is the Supervisor's namespace: objects are read from it only.
	Namespace string
	// Cache receives the ready upstreams.
	Cache *oidc.Cache
	// Clock stamps conditions and ages discoveries; nil means the real clock.
	Clock clock.PassiveClock
	// NotLeader reports whether a status write failed only because this replica is not
	// the leader; such a failure still publishes the upstreams, since every replica
	// serves logins. Nil means every write error is a failure.
	NotLeader func(error) bool
}

// Controller keeps the upstream cache and the status of OIDCIdentityProviders in step
// with their specs. It runs one worker, so its discovery cache needs no lock.
type Controller struct {
	client    supervisorclientset.Interface
	lister    idplisters.OIDCIdentityProviderLister
	secrets   coreinformers.SecretInformer
	resolver  *cabundle.Resolver
	namespace string
	cache     *oidc.Cache
	clock     clock.PassiveClock
	notLeader func(error) bool
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced

	// discoveries are successful discoveries by issuer and CA bundle.
	discoveries map[discoveryKey]discoveryEntry
	// built are the published providers by object name, reused while nothing that
	// shapes them changed, so that their key sets stay warm.
	built map[string]builtProvider
}

// New returns a controller and registers its event handlers on the informers. Start the
// informers and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Client == nil || opts.OIDCIdentityProviders == nil || opts.Secrets == nil ||
		opts.ConfigMaps == nil || opts.Namespace == "" || opts.Cache == nil {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	c := &Controller{
		client:    opts.Client,
		lister:    opts.OIDCIdentityProviders.Lister(),
		secrets:   opts.Secrets,
		resolver:  cabundle.NewResolver(opts.Namespace, opts.Secrets.Lister(), opts.ConfigMaps.Lister()),
		namespace: opts.Namespace,
		cache:     opts.Cache,
		clock:     opts.Clock,
		notLeader: opts.NotLeader,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName}),
		synced: []cache.InformerSynced{
			opts.OIDCIdentityProviders.Informer().HasSynced,
			opts.Secrets.Informer().HasSynced,
			opts.ConfigMaps.Informer().HasSynced,
		},
		discoveries: map[discoveryKey]discoveryEntry{},
		built:       map[string]builtProvider{},
	}
	if c.clock == nil {
		c.clock = clock.RealClock{}
	}
	// Every change of an identity provider, Secret or ConfigMap of the namespace may
	// change a result. Secrets are many in the Supervisor's namespace (sessions), so
	// only the types an identity provider can use trigger a sync.
	enqueue := func() { c.queue.Add(syncKey) }
	handler := worker.EnqueueOn(nil, enqueue)
	if _, err := opts.OIDCIdentityProviders.Informer().AddEventHandler(handler); err != nil {
		return nil, fmt.Errorf("could not watch OIDCIdentityProviders: %w", err)
	}
	if _, err := opts.Secrets.Informer().AddEventHandler(worker.EnqueueOn(relevantSecret, enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch Secrets: %w", err)
	}
	if _, err := opts.ConfigMaps.Informer().AddEventHandler(handler); err != nil {
		return nil, fmt.Errorf("could not watch ConfigMaps: %w", err)
	}
	return c, nil
}

// Run syncs until the context is done. It waits for the informers to sync first, so
// that a missing object is never mistaken for a deleted one. After a successful sync
// it looks again when the oldest discovery would age out.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, controllerName, c.queue, c.synced,
		func(ctx context.Context, key string) error {
			if err := c.sync(ctx); err != nil {
				return err
			}
			c.queue.AddAfter(key, DiscoveryTTL)
			return nil
		},
		func(context.Context) { c.queue.Add(syncKey) })
}
