// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package sessiongc runs the garbage collector of session storage: it deletes the
// Secrets whose storage.pinniped.dev/garbage-collect-after time has passed, and
// first revokes the upstream OIDC token an expiring session holds, so that a
// forgotten session does not leave a live grant at the upstream IdP.
package sessiongc

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/controller/worker"
	"github.com/sealworks/pinniped/pkg/sessionstore"
)

const (
	// controllerName names the controller in logs and queue metrics.
	controllerName = "sessiongc"
	// sweepKey is the only queue key: every event asks for the same sweep.
	sweepKey = "sweep"
	// SweepInterval is the shortest time between two sweeps, which bounds the
	// load on the API server however many sessions change.
	SweepInterval = 30 * time.Second
	// MaxRevocationDelay is how long past expiry a session is kept while its
	// upstream token cannot be revoked; after that it is deleted regardless, so an
	// unreachable IdP cannot make sessions pile up.
	MaxRevocationDelay = 4 * time.Hour
)

// Revoker revokes an upstream token (RFC 7009) at the named upstream provider.
// tokenTypeHint is "refresh_token" or "access_token".
//
// An error wrapping ErrNotRetryable means trying again cannot help (for example,
// the provider no longer exists or refused the request), and the session is
// deleted anyway; any other error keeps the session for a later sweep.
type Revoker interface {
	Revoke(ctx context.Context, providerName, token, tokenTypeHint string) error
}

// ErrNotRetryable marks a revocation failure that a later attempt would repeat.
var ErrNotRetryable = errors.New("sessiongc: revocation cannot succeed later")

// Options are what a Controller needs. Clock is optional; the others are required.
type Options struct {
	// Kube deletes the Secrets.
	Kube kubernetes.Interface
	// Secrets is an informer of the Supervisor's namespace.
	Secrets coreinformers.SecretInformer
	// Namespace is the Supervisor's namespace.
	Namespace string
	// Revoker revokes upstream tokens of expiring sessions.
	Revoker Revoker
	// Clock decides expiry and paces sweeps; tests pass a fake one.
	Clock clock.WithTicker
}

// Controller collects expired session storage. It runs one worker, so sweeps never
// overlap.
type Controller struct {
	kube      kubernetes.Interface
	secrets   corelisters.SecretLister
	namespace string
	revoker   Revoker
	clock     clock.WithTicker
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    cache.InformerSynced
	// lastSweep is touched only by the single worker.
	lastSweep time.Time
}

// New returns a controller and registers its event handler on the informer. Start
// the informer and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Kube == nil || opts.Secrets == nil || opts.Namespace == "" || opts.Revoker == nil {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	c := &Controller{
		kube:      opts.Kube,
		secrets:   opts.Secrets.Lister(),
		namespace: opts.Namespace,
		revoker:   opts.Revoker,
		clock:     opts.Clock,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName, Clock: opts.Clock}),
		synced: opts.Secrets.Informer().HasSynced,
	}
	// Adds, changes and resyncs of collectable Secrets ask for a sweep; deletions
	// leave nothing to collect.
	if _, err := opts.Secrets.Informer().AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: c.collectable,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { c.queue.Add(sweepKey) },
			UpdateFunc: func(_, _ any) { c.queue.Add(sweepKey) },
		},
	}); err != nil {
		return nil, fmt.Errorf("could not watch Secrets: %w", err)
	}
	return c, nil
}

// Run sweeps until the context is done, after the informer has synced. A sweep
// never fails as a whole: a Secret it could not collect is looked at again by the
// next sweep.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, controllerName, c.queue, []cache.InformerSynced{c.synced},
		func(ctx context.Context, _ string) error {
			c.sync(ctx)
			return nil
		},
		func(context.Context) { c.queue.Add(sweepKey) })
}

// sync sweeps unless the last sweep was less than SweepInterval ago, and then asks
// for the next sweep, so that expiry is noticed even when nothing changes. Requests
// in between are dropped: the pending one covers them.
func (c *Controller) sync(ctx context.Context) {
	now := c.clock.Now()
	if !c.lastSweep.IsZero() && now.Sub(c.lastSweep) < SweepInterval {
		return
	}
	c.lastSweep = now
	c.sweep(ctx)
	c.queue.AddAfter(sweepKey, SweepInterval)
}

// collectable picks the Secrets of the namespace that carry an expiry annotation.
func (c *Controller) collectable(obj any) bool {
	secret, ok := obj.(*corev1.Secret)
	if !ok || secret.Namespace != c.namespace {
		return false
	}
	_, ok = secret.Annotations[sessionstore.GarbageCollectAfterAnnotation]
	return ok
}
