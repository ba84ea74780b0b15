// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package authenticator is what the JWTAuthenticator and WebhookAuthenticator
// controllers share: the work queue, the informer wiring (the objects, and the
// Secrets and ConfigMaps their CA bundles come from) and the order in which a sync
// updates the authenticator cache and the status. Each kind supplies its checks.
package authenticator

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/cabundle"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/controller/worker"
)

// Outcome is the result of checking one object.
type Outcome struct {
	// Conditions are every condition but Ready.
	Conditions []metav1.Condition
	// Built is a new authenticator to load, nil when none was built.
	Built authncache.Value
	// Retry is set when a check failed in a way that may go away by itself.
	Retry error
}

// Kind is what a controller tells the loop about its kind of object.
type Kind[T metav1.Object] struct {
	// Name is the kind, e.g. "JWTAuthenticator".
	Name string
	// Informer delivers the objects.
	Informer cache.SharedIndexInformer
	// Get and List read the objects from the informer's cache.
	Get  func(name string) (T, error)
	List func() ([]T, error)
	// TLS returns an object's TLS spec, so CA bundle changes reach the right objects.
	TLS func(T) *authenticationv1alpha1.TLSSpec
	// Check validates an object and builds its authenticator when needed.
	Check func(ctx context.Context, obj T) Outcome
	// UpdateStatus writes the conditions when they changed.
	UpdateStatus func(ctx context.Context, obj T, checks []metav1.Condition) error
}

// Loop runs a Kind's syncs one at a time.
type Loop[T metav1.Object] struct {
	kind      Kind[T]
	namespace string
	cache     *authncache.Cache
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced
}

// New wires a loop to its informers. Secrets and ConfigMaps must cover namespace,
// the only namespace CA bundles are read from. The caller starts the informers.
func New[T metav1.Object](
	kind Kind[T], namespace string, authnCache *authncache.Cache,
	secrets coreinformers.SecretInformer, configMaps coreinformers.ConfigMapInformer,
) (*Loop[T], error) {
	if kind.Informer == nil || kind.Get == nil || kind.List == nil || kind.TLS == nil || kind.Check == nil ||
		kind.UpdateStatus == nil || namespace == "" || authnCache == nil || secrets == nil || configMaps == nil {
		return nil, errors.New("authenticator: a required option is missing")
	}
	l := &Loop[T]{
		kind:      kind,
		namespace: namespace,
		cache:     authnCache,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: kind.Name}),
		synced: []cache.InformerSynced{
			kind.Informer.HasSynced, secrets.Informer().HasSynced, configMaps.Informer().HasSynced,
		},
	}
	if err := l.watch(secrets.Informer(), configMaps.Informer()); err != nil {
		return nil, err
	}
	return l, nil
}

// CacheKey is the cache key of an object of a kind. The group is always the one
// with the default suffix, whatever suffix the server serves.
func CacheKey(kind, name string) authncache.Key {
	return authncache.Key{APIGroup: authenticationv1alpha1.GroupName, Kind: kind, Name: name}
}

// Run processes the queue until ctx is done.
func (l *Loop[T]) Run(ctx context.Context) {
	worker.Run(ctx, l.kind.Name, l.queue, l.synced, l.sync, nil)
}

// sync brings one object's cache entry and status in line with its spec:
//  1. an object that is gone loses its cache entry;
//  2. the spec is checked (the kind may reuse the loaded authenticator);
//  3. a failing object loses its cache entry at once;
//  4. the status is written when it changed;
//  5. only then is a newly built authenticator loaded, so that the cache never holds
//     an authenticator whose status could not be reported.
func (l *Loop[T]) sync(ctx context.Context, name string) error {
	key := CacheKey(l.kind.Name, name)
	obj, err := l.kind.Get(name)
	if apierrors.IsNotFound(err) {
		l.cache.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not get %s %q: %w", l.kind.Name, name, err)
	}

	result := l.kind.Check(ctx, obj)

	if !conditions.AllTrue(result.Conditions) && l.cache.Get(key) != nil {
		l.cache.Delete(key)
		klog.InfoS("unloaded authenticator of invalid object", "kind", l.kind.Name, "name", name)
	}

	if err := l.kind.UpdateStatus(ctx, obj, result.Conditions); err != nil {
		if result.Built != nil {
			result.Built.Close()
		}
		if apierrors.IsNotFound(err) {
			l.cache.Delete(key)
			return nil
		}
		return err
	}

	if result.Built != nil {
		l.cache.Store(key, result.Built)
		klog.InfoS("loaded authenticator", "kind", l.kind.Name, "name", name)
	}
	return result.Retry
}

func (l *Loop[T]) watch(secrets, configMaps cache.SharedIndexInformer) error {
	if _, err := l.kind.Informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    l.enqueue,
		UpdateFunc: func(_, obj any) { l.enqueue(obj) },
		DeleteFunc: l.deleted,
	}); err != nil {
		return fmt.Errorf("could not watch %ss: %w", l.kind.Name, err)
	}
	for kind, informer := range map[string]cache.SharedIndexInformer{
		cabundle.KindSecret: secrets, cabundle.KindConfigMap: configMaps,
	} {
		changed := func(obj any) { l.bundleChanged(kind, obj) }
		if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: changed, UpdateFunc: func(_, obj any) { changed(obj) }, DeleteFunc: changed,
		}); err != nil {
			return fmt.Errorf("could not watch %ss: %w", kind, err)
		}
	}
	return nil
}

func (l *Loop[T]) enqueue(obj any) {
	if o, ok := obj.(T); ok {
		l.queue.Add(o.GetName())
	}
}

// deleted unloads a deleted object's authenticator at once, before the queue gets
// to it: a token presented after the delete is never authenticated by it.
func (l *Loop[T]) deleted(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	o, ok := obj.(T)
	if !ok {
		return
	}
	l.cache.Delete(CacheKey(l.kind.Name, o.GetName()))
	klog.InfoS("unloaded authenticator of deleted object", "kind", l.kind.Name, "name", o.GetName())
	l.queue.Add(o.GetName())
}

// bundleChanged queues every object whose CA bundle comes from the Secret or
// ConfigMap that changed.
func (l *Loop[T]) bundleChanged(kind string, obj any) {
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
	if namespace != l.namespace {
		return
	}
	all, err := l.kind.List()
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("could not list %ss: %w", l.kind.Name, err))
		return
	}
	for _, o := range all {
		if tls := l.kind.TLS(o); tls != nil && tls.CertificateAuthorityDataSource != nil &&
			string(tls.CertificateAuthorityDataSource.Kind) == kind && tls.CertificateAuthorityDataSource.Name == name {
			l.queue.Add(o.GetName())
		}
	}
}

// TLSSource converts the API's TLS spec to a CA source.
func TLSSource(spec *authenticationv1alpha1.TLSSpec) *cabundle.Source {
	if spec == nil {
		return nil
	}
	src := &cabundle.Source{Data: spec.CertificateAuthorityData}
	if ref := spec.CertificateAuthorityDataSource; ref != nil {
		src.Ref = &cabundle.Ref{Kind: string(ref.Kind), Name: ref.Name, Key: ref.Key}
	}
	return src
}

// Skipped adds Unknown conditions for checks that could not run because a check
// they depend on failed.
func (o Outcome) Skipped(types ...string) Outcome {
	for _, t := range types {
		o.Conditions = append(o.Conditions, conditions.Unknown(t))
	}
	return o
}

// Passed adds conditions for checks that passed.
func (o Outcome) Passed(passed ...metav1.Condition) Outcome {
	o.Conditions = append(o.Conditions, passed...)
	return o
}
