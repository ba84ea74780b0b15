// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package signingcert

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// The keys of a kubernetes.io/tls Secret, which is how a signing key is stored.
const (
	certKey = corev1.TLSCertKey
	keyKey  = corev1.TLSPrivateKeyKey
)

// SecretOptions name the Secret that holds the signing certificate under tls.crt
// and its key under tls.key.
type SecretOptions struct {
	Namespace string
	Name      string
}

// NewFromSecret returns a controller that loads the CA from a Secret, following
// it through the informer. The caller starts the informer, which must cover
// opts.Namespace.
func NewFromSecret(ca *certauthority.Dynamic, opts SecretOptions, secrets coreinformers.SecretInformer) (
	*Controller, error,
) {
	if opts.Namespace == "" || opts.Name == "" {
		return nil, errors.New("signingcert: both a secret namespace and a secret name are required")
	}
	l := newLoader(ca, fmt.Sprintf("secret %q", opts.Namespace+"/"+opts.Name))
	s := &secretSource{
		loader: l,
		opts:   opts,
		lister: secrets.Lister(),
		synced: secrets.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "signingcert"},
		),
	}
	enqueue := func(any) { s.queue.Add(queueKey) }
	_, err := secrets.Informer().AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: s.isOurSecret,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    enqueue,
			UpdateFunc: func(_, obj any) { enqueue(obj) },
			DeleteFunc: enqueue,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("could not watch secrets: %w", err)
	}
	return &Controller{loader: l, run: s.run}, nil
}

// queueKey is the only key of the queue: there is one Secret to look at.
const queueKey = "signing-key"

type secretSource struct {
	*loader
	opts   SecretOptions
	lister corelisters.SecretLister
	synced cache.InformerSynced
	queue  workqueue.TypedRateLimitingInterface[string]
}

func (s *secretSource) run(ctx context.Context) {
	defer utilruntime.HandleCrashWithContext(ctx)
	defer s.queue.ShutDown()
	klog.InfoS("starting signing key controller", "source", s.source)
	defer klog.InfoS("stopping signing key controller", "source", s.source)
	if !cache.WaitForNamedCacheSyncWithContext(ctx, s.synced) {
		return
	}
	s.queue.Add(queueKey)
	go wait.UntilWithContext(ctx, s.runWorker, time.Second)
	<-ctx.Done()
}

func (s *secretSource) runWorker(context.Context) {
	for {
		key, quit := s.queue.Get()
		if quit {
			return
		}
		if err := s.sync(); err != nil {
			klog.ErrorS(err, "could not sync signing key; will retry", "source", s.source)
			s.queue.AddRateLimited(key)
		} else {
			s.queue.Forget(key)
		}
		s.queue.Done(key)
	}
}

// sync loads the Secret's content; a missing Secret or key unloads the CA.
func (s *secretSource) sync() error {
	secret, err := s.lister.Secrets(s.opts.Namespace).Get(s.opts.Name)
	if apierrors.IsNotFound(err) {
		s.unset(s.source + " not found")
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not get %s: %w", s.source, err)
	}
	for _, key := range []string{certKey, keyKey} {
		if len(secret.Data[key]) == 0 {
			s.unset(fmt.Sprintf("%s has no %q", s.source, key))
			return nil
		}
	}
	s.set(secret.Data[certKey], secret.Data[keyKey])
	return nil
}

func (s *secretSource) isOurSecret(obj any) bool {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	secret, ok := obj.(*corev1.Secret)
	return ok && secret.Namespace == s.opts.Namespace && secret.Name == s.opts.Name
}
