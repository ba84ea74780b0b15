// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package federationdomain runs the controller that validates every FederationDomain,
// hands the valid ones to the Supervisor's endpoints, and reports the result in each
// object's status.
package federationdomain

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/controller/worker"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	configinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions/config/v1alpha1"
	idpinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions/idp/v1alpha1"
	configlisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// controllerName names the controller in logs and queue metrics.
const controllerName = "federationdomain"

// syncKey is the only key ever queued: whether an issuer is unique depends on every
// FederationDomain, so each event re-validates them all.
const syncKey = "all"

// EndpointsManager serves the endpoints of the FederationDomains it is given.
type EndpointsManager interface {
	SetFederationDomains(fds ...endpoints.FederationDomain)
}

// Options are what a Controller needs. Every field but Clock is required.
type Options struct {
	// Client writes the status of FederationDomains.
	Client supervisorclientset.Interface
	// FederationDomains, OIDC, LDAP, ActiveDirectory and GitHub are informers of the
	// Supervisor's namespace.
	FederationDomains configinformers.FederationDomainInformer
	OIDC              idpinformers.OIDCIdentityProviderInformer
	LDAP              idpinformers.LDAPIdentityProviderInformer
	ActiveDirectory   idpinformers.ActiveDirectoryIdentityProviderInformer
	GitHub            idpinformers.GitHubIdentityProviderInformer
	// Namespace is the Supervisor's namespace.
	Namespace string
	// APIGroupSuffix is the configured API group suffix; objectRefs must name
	// idp.supervisor.<suffix>.
	APIGroupSuffix string
	// Endpoints receives the valid FederationDomains.
	Endpoints EndpointsManager
	// Clock stamps condition transitions; nil means the real clock.
	Clock clock.PassiveClock
}

// Controller validates FederationDomains. It runs one worker.
type Controller struct {
	client    supervisorclientset.Interface
	lister    configlisters.FederationDomainLister
	idps      *idpLookup
	namespace string
	endpoints EndpointsManager
	clock     clock.PassiveClock
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced
}

// New returns a controller and registers its event handlers on the informers. Start
// the informers and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Client == nil || opts.FederationDomains == nil || opts.OIDC == nil || opts.LDAP == nil ||
		opts.ActiveDirectory == nil || opts.GitHub == nil || opts.Namespace == "" ||
		opts.APIGroupSuffix == "" || opts.Endpoints == nil {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	c := &Controller{
		client:    opts.Client,
		lister:    opts.FederationDomains.Lister(),
		idps:      newIDPLookup(opts),
		namespace: opts.Namespace,
		endpoints: opts.Endpoints,
		clock:     opts.Clock,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName}),
	}
	if c.clock == nil {
		c.clock = clock.RealClock{}
	}
	informers := []cache.SharedIndexInformer{
		opts.FederationDomains.Informer(), opts.OIDC.Informer(), opts.LDAP.Informer(),
		opts.ActiveDirectory.Informer(), opts.GitHub.Informer(),
	}
	// Every change of a FederationDomain queues a sync, so that a status edited by hand
	// is put right; the sync writes nothing when nothing changed, so its own writes do
	// not loop.
	fdHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { c.queue.Add(syncKey) },
		UpdateFunc: func(any, any) { c.queue.Add(syncKey) },
		DeleteFunc: func(any) { c.queue.Add(syncKey) },
	}
	idpHandler := fdHandler
	idpHandler.UpdateFunc = c.idpUpdated
	for i, informer := range informers {
		handler := idpHandler
		if i == 0 {
			handler = fdHandler
		}
		if _, err := informer.AddEventHandler(handler); err != nil {
			return nil, fmt.Errorf("could not watch %T: %w", informer, err)
		}
		c.synced = append(c.synced, informer.HasSynced)
	}
	return c, nil
}

// idpUpdated queues a sync when an identity provider's spec changed. Its status changes
// often and never matters here, so those updates are skipped.
func (c *Controller) idpUpdated(oldObj, newObj any) {
	oldMeta, err1 := metaOf(oldObj)
	newMeta, err2 := metaOf(newObj)
	if err1 != nil || err2 != nil || oldMeta.GetGeneration() != newMeta.GetGeneration() {
		c.queue.Add(syncKey)
	}
}

func metaOf(obj any) (metav1.Object, error) {
	o, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T is not an object", obj)
	}
	return o, nil
}

// Run syncs until the context is done. It waits for the informers first, so that a
// missing identity provider is never reported while the caches are still filling.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, controllerName, c.queue, c.synced,
		func(ctx context.Context, _ string) error { return c.sync(ctx) },
		func(context.Context) { c.queue.Add(syncKey) })
}
