// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package federationdomainkeys runs the controller that gives every FederationDomain
// its keys: a JWKS Secret for signing ID tokens and three symmetric key Secrets. It
// creates a Secret that is missing, replaces one that is invalid, never rotates a
// valid one, and names them in the FederationDomain's status.secrets.
package federationdomainkeys

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	configinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions/config/v1alpha1"
	configlisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// controllerName names the controller in logs and queue metrics.
const controllerName = "federationdomainkeys"

// Options are what a Controller needs. Every field is required.
type Options struct {
	// Kube writes the Secrets.
	Kube kubernetes.Interface
	// Client writes status.secrets of FederationDomains.
	Client supervisorclientset.Interface
	// FederationDomains and Secrets are informers of the Supervisor's namespace.
	FederationDomains configinformers.FederationDomainInformer
	Secrets           coreinformers.SecretInformer
	// Namespace is the Supervisor's namespace.
	Namespace string
	// APIGroupSuffix is the configured API group suffix, which the owner references of
	// the Secrets must use to name the FederationDomain's API group.
	APIGroupSuffix string
}

// Controller keeps the key Secrets of every FederationDomain. It runs one worker.
type Controller struct {
	kube       kubernetes.Interface
	client     supervisorclientset.Interface
	fds        configlisters.FederationDomainLister
	secrets    corelisters.SecretLister
	namespace  string
	apiVersion string
	queue      workqueue.TypedRateLimitingInterface[string]
	synced     []cache.InformerSynced
}

// New returns a controller and registers its event handlers on the informers. Start
// the informers and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Kube == nil || opts.Client == nil || opts.FederationDomains == nil || opts.Secrets == nil ||
		opts.Namespace == "" || opts.APIGroupSuffix == "" {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	group, _ := groupsuffix.Replace(configv1alpha1.GroupName, opts.APIGroupSuffix)
	c := &Controller{
		kube:       opts.Kube,
		client:     opts.Client,
		fds:        opts.FederationDomains.Lister(),
		secrets:    opts.Secrets.Lister(),
		namespace:  opts.Namespace,
		apiVersion: group + "/v1alpha1",
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName}),
		synced: []cache.InformerSynced{
			opts.FederationDomains.Informer().HasSynced, opts.Secrets.Informer().HasSynced,
		},
	}
	if _, err := opts.FederationDomains.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueFD,
		UpdateFunc: func(_, obj any) { c.enqueueFD(obj) },
	}); err != nil {
		return nil, fmt.Errorf("could not watch FederationDomains: %w", err)
	}
	// A Secret that is changed or deleted queues its owner, so that it is repaired.
	if _, err := opts.Secrets.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueueOwner,
		UpdateFunc: func(_, obj any) { c.enqueueOwner(obj) },
		DeleteFunc: c.enqueueOwner,
	}); err != nil {
		return nil, fmt.Errorf("could not watch Secrets: %w", err)
	}
	return c, nil
}

// Run syncs until the context is done.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, controllerName, c.queue, c.synced, c.sync, nil)
}

func (c *Controller) enqueueFD(obj any) {
	if fd, ok := obj.(*configv1alpha1.FederationDomain); ok && fd.Namespace == c.namespace {
		c.queue.Add(fd.Name)
	}
}

func (c *Controller) enqueueOwner(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	secret, ok := obj.(*corev1.Secret)
	if !ok || secret.Namespace != c.namespace {
		return
	}
	if owner := metav1.GetControllerOf(secret); owner != nil && owner.Kind == "FederationDomain" &&
		owner.APIVersion == c.apiVersion {
		c.queue.Add(owner.Name)
	}
}
