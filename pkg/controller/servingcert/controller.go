// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package servingcert keeps an aggregated API server's own CA and serving
// certificate in a Secret, serves the certificate through a Provider, replaces
// both before they expire, and writes the CA into the server's APIServices so that
// kube-apiserver trusts it. The Concierge and the Supervisor both use it, each
// with its own names.
//
// Known limitation: the CA and the certificate are replaced together. Between a
// server loading the new certificate and kube-apiserver reading the new caBundle,
// and while a second replica still serves the old certificate, requests through
// the aggregator fail for a moment. This happens once per renewal period.
package servingcert

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
	apiregistrationinformers "k8s.io/kube-aggregator/pkg/client/informers/externalversions/apiregistration/v1"
	apiregistrationlisters "k8s.io/kube-aggregator/pkg/client/listers/apiregistration/v1"

	"github.com/sealworks/pinniped/pkg/controller/worker"
)

// queueKey is the only key of the queue: every event leads to one look at the
// whole state, which is one Secret and a few APIServices.
const queueKey = "serving-cert"

// Controller is the serving-certificate controller. Build it with New and run it
// with Run.
type Controller struct {
	opts       Options
	provider   *Provider
	kube       kubernetes.Interface
	aggregator aggregatorclient.Interface

	secrets     corelisters.SecretLister
	apiServices apiregistrationlisters.APIServiceLister
	synced      []cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]
}

// New returns a controller that writes the serving certificate into provider. The
// informers must be started by the caller; the Secret informer must cover
// opts.Namespace.
func New(
	opts Options,
	provider *Provider,
	kube kubernetes.Interface,
	aggregator aggregatorclient.Interface,
	secrets coreinformers.SecretInformer,
	apiServices apiregistrationinformers.APIServiceInformer,
) (*Controller, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c := &Controller{
		opts:        opts.withDefaults(),
		provider:    provider,
		kube:        kube,
		aggregator:  aggregator,
		secrets:     secrets.Lister(),
		apiServices: apiServices.Lister(),
		synced:      []cache.InformerSynced{secrets.Informer().HasSynced, apiServices.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "servingcert"},
		),
	}
	if _, err := secrets.Informer().AddEventHandler(c.handler(c.isOurSecret)); err != nil {
		return nil, fmt.Errorf("could not watch secrets: %w", err)
	}
	if _, err := apiServices.Informer().AddEventHandler(c.handler(c.isOurAPIService)); err != nil {
		return nil, fmt.Errorf("could not watch apiservices: %w", err)
	}
	return c, nil
}

// Run syncs until the context is done, and checks the certificate's age every
// CheckInterval even without an event.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, "servingcert", c.queue, c.synced,
		func(ctx context.Context, _ string) error { return c.sync(ctx) },
		func(ctx context.Context) {
			c.queue.Add(queueKey)
			go c.tick(ctx)
		})
}

// tick re-checks the Secret on the injected clock, so that renewal happens without
// any event and tests can trigger it by stepping a fake clock.
func (c *Controller) tick(ctx context.Context) {
	ticker := c.opts.Clock.NewTicker(c.opts.CheckInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C():
			c.queue.Add(queueKey)
		}
	}
}

// handler enqueues the single key for every event on an object that passes filter.
func (c *Controller) handler(filter func(obj any) bool) cache.ResourceEventHandler {
	enqueue := func(any) { c.queue.Add(queueKey) }
	return cache.FilteringResourceEventHandler{
		FilterFunc: filter,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    enqueue,
			UpdateFunc: func(_, obj any) { enqueue(obj) },
			DeleteFunc: enqueue,
		},
	}
}

func (c *Controller) isOurSecret(obj any) bool {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	secret, ok := obj.(*corev1.Secret)
	return ok && secret.Namespace == c.opts.Namespace && secret.Name == c.opts.SecretName
}

func (c *Controller) isOurAPIService(obj any) bool {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	svc, ok := obj.(*apiregistrationv1.APIService)
	if !ok {
		return false
	}
	for _, name := range c.opts.APIServiceNames {
		if svc.Name == name {
			return true
		}
	}
	return false
}

func (c *Controller) secretRef() klog.ObjectRef {
	return klog.KRef(c.opts.Namespace, c.opts.SecretName)
}
