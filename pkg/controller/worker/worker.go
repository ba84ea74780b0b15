// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package worker runs a controller's work queue the way every controller here
// does: wait for the informers, then sync one key at a time, retrying a failed
// sync with the queue's backoff.
package worker

import (
	"context"
	"time"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// Run blocks until ctx is done. Nothing is synced before every informer in synced
// has its first full list, so that an object still loading is never taken for a
// missing one. started, when not nil, runs once the caches are synced, e.g. to
// queue a first sync. The queue is shut down when Run returns.
func Run[K comparable](
	ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[K],
	synced []cache.InformerSynced, sync func(context.Context, K) error, started func(context.Context),
) {
	defer utilruntime.HandleCrashWithContext(ctx)
	defer queue.ShutDown()

	klog.InfoS("starting controller", "controller", name)
	defer klog.InfoS("stopped controller", "controller", name)
	if !cache.WaitForNamedCacheSync(name, ctx.Done(), synced...) {
		return
	}
	if started != nil {
		started(ctx)
	}
	go wait.UntilWithContext(ctx, func(ctx context.Context) {
		for processNext(ctx, name, queue, sync) {
		}
	}, time.Second)
	<-ctx.Done()
}

func processNext[K comparable](
	ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[K],
	sync func(context.Context, K) error,
) bool {
	key, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(key)

	if err := sync(ctx, key); err != nil {
		klog.ErrorS(err, "could not sync, will retry", "controller", name, "key", key,
			"retries", queue.NumRequeues(key))
		queue.AddRateLimited(key)
		return true
	}
	queue.Forget(key)
	return true
}

// EnqueueOn is an event handler that calls enqueue on every add, update and
// delete of an object that filter accepts; a nil filter accepts every object.
func EnqueueOn(filter func(obj any) bool, enqueue func()) cache.ResourceEventHandler {
	if filter == nil {
		filter = func(any) bool { return true }
	}
	return cache.FilteringResourceEventHandler{
		FilterFunc: filter,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { enqueue() },
			UpdateFunc: func(any, any) { enqueue() },
			DeleteFunc: func(any) { enqueue() },
		},
	}
}

// Unwrap returns the object of a deletion the informer missed the last state of,
// and any other object as it is.
func Unwrap(obj any) any {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return tombstone.Obj
	}
	return obj
}
