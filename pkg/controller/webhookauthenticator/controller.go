// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package webhookauthenticator runs the controller that turns each WebhookAuthenticator
// into a token authenticator in the Concierge's authenticator cache, and reports in the
// object's status why it could or could not.
package webhookauthenticator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/cabundle"
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
	client    conciergeclientset.Interface
	lister    authlisters.WebhookAuthenticatorLister
	resolver  *cabundle.Resolver
	namespace string
	cache     *authncache.Cache
	clock     clock.PassiveClock
	notLeader func(error) bool
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced
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
		namespace: opts.Namespace,
		cache:     opts.Cache,
		clock:     opts.Clock,
		notLeader: opts.NotLeader,
		proxy:     http.ProxyFromEnvironment,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName}),
		synced: []cache.InformerSynced{
			opts.WebhookAuthenticators.Informer().HasSynced,
			opts.Secrets.Informer().HasSynced,
			opts.ConfigMaps.Informer().HasSynced,
		},
	}
	if c.clock == nil {
		c.clock = clock.RealClock{}
	}
	if err := c.watch(opts); err != nil {
		return nil, err
	}
	return c, nil
}

// watch registers the event handlers: an object's own events queue it, and a change of
// a Secret or ConfigMap queues the objects whose CA bundle it holds.
func (c *Controller) watch(opts Options) error {
	if _, err := opts.WebhookAuthenticators.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj any) { c.enqueue(obj) },
		DeleteFunc: c.deleted,
	}); err != nil {
		return fmt.Errorf("could not watch WebhookAuthenticators: %w", err)
	}
	bundleHandler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.bundleChanged(cabundle.KindSecret, obj) },
		UpdateFunc: func(_, obj any) { c.bundleChanged(cabundle.KindSecret, obj) },
		DeleteFunc: func(obj any) { c.bundleChanged(cabundle.KindSecret, obj) },
	}
	if _, err := opts.Secrets.Informer().AddEventHandler(bundleHandler); err != nil {
		return fmt.Errorf("could not watch Secrets: %w", err)
	}
	bundleHandler = cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.bundleChanged(cabundle.KindConfigMap, obj) },
		UpdateFunc: func(_, obj any) { c.bundleChanged(cabundle.KindConfigMap, obj) },
		DeleteFunc: func(obj any) { c.bundleChanged(cabundle.KindConfigMap, obj) },
	}
	if _, err := opts.ConfigMaps.Informer().AddEventHandler(bundleHandler); err != nil {
		return fmt.Errorf("could not watch ConfigMaps: %w", err)
	}
	return nil
}

// Run syncs objects until the context is done. It waits for the informers to sync
// first, so that a missing object is never mistaken for a deleted one.
func (c *Controller) Run(ctx context.Context) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()

	klog.InfoS("starting controller", "controller", controllerName)
	defer klog.InfoS("stopped controller", "controller", controllerName)
	if !cache.WaitForNamedCacheSync(controllerName, ctx.Done(), c.synced...) {
		return
	}
	go wait.UntilWithContext(ctx, c.runWorker, time.Second)
	<-ctx.Done()
}

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNext(ctx) {
	}
}

// processNext syncs one queued name. A sync error means the problem may go away by
// itself, so the name is retried with backoff; otherwise its backoff is reset.
func (c *Controller) processNext(ctx context.Context) bool {
	name, shutdown := c.queue.Get()
	if shutdown {
		return false
	}
	defer c.queue.Done(name)

	if err := c.sync(ctx, name); err != nil {
		klog.ErrorS(err, "could not sync, will retry", "controller", controllerName,
			"webhookAuthenticator", klog.KRef("", name), "retries", c.queue.NumRequeues(name))
		c.queue.AddRateLimited(name)
		return true
	}
	c.queue.Forget(name)
	return true
}

// enqueue queues an object's name.
func (c *Controller) enqueue(obj any) {
	if a, ok := obj.(*authenticationv1alpha1.WebhookAuthenticator); ok {
		c.queue.Add(a.Name)
	}
}

// deleted unloads a deleted object's authenticator at once, without waiting for the
// queue, and queues its name so that the sync confirms it is gone.
func (c *Controller) deleted(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	a, ok := obj.(*authenticationv1alpha1.WebhookAuthenticator)
	if !ok {
		return
	}
	c.cache.Delete(cacheKey(a.Name))
	klog.InfoS("unloaded authenticator of deleted object", "webhookAuthenticator", klog.KObj(a))
	c.queue.Add(a.Name)
}

// bundleChanged queues every WebhookAuthenticator whose CA bundle comes from the Secret or
// ConfigMap that changed.
func (c *Controller) bundleChanged(kind string, obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	var namespace, name string
	switch o := obj.(type) {
	case *corev1.Secret:
		namespace, name = o.Namespace, o.Name
	case *corev1.ConfigMap:
		namespace, name = o.Namespace, o.Name
	default:
		return
	}
	if namespace != c.namespace {
		return
	}
	all, err := c.lister.List(everything)
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("could not list WebhookAuthenticators: %w", err))
		return
	}
	for _, a := range all {
		if tls := a.Spec.TLS; tls != nil && tls.CertificateAuthorityDataSource != nil &&
			string(tls.CertificateAuthorityDataSource.Kind) == kind && tls.CertificateAuthorityDataSource.Name == name {
			c.queue.Add(a.Name)
		}
	}
}

// cacheKey is the cache key of a WebhookAuthenticator. The group is always the one with the
// default suffix: TokenCredentialRequests are mapped back to it before lookup.
func cacheKey(name string) authncache.Key {
	return authncache.Key{APIGroup: authenticationv1alpha1.GroupName, Kind: Kind, Name: name}
}
