// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package signingcert

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
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
// and its key under tls.key, unless other keys are named.
type SecretOptions struct {
	Namespace string
	Name      string
	// CertKey and KeyKey name the Secret's keys; default tls.crt and tls.key.
	CertKey string
	KeyKey  string
	// Generate, when set, makes the controller create the Secret with a new CA
	// whenever it is missing, instead of unloading the CA.
	Generate *Generate
}

// Generate says how to make a CA of our own when its Secret is missing.
type Generate struct {
	// Client creates the Secret.
	Client kubernetes.Interface
	// CommonName is the CA certificate's subject.
	CommonName string
	// TTL is the CA's lifetime.
	TTL time.Duration
	// RenewBefore, when positive, replaces the CA this long before it expires: the
	// Secret is deleted and made again. Certificates it signed are short-lived,
	// so nothing needs the old CA for long.
	RenewBefore time.Duration
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
	if opts.CertKey == "" {
		opts.CertKey = certKey
	}
	if opts.KeyKey == "" {
		opts.KeyKey = keyKey
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

func (s *secretSource) runWorker(ctx context.Context) {
	for {
		key, quit := s.queue.Get()
		if quit {
			return
		}
		if err := s.sync(ctx); err != nil {
			klog.ErrorS(err, "could not sync signing key; will retry", "source", s.source)
			s.queue.AddRateLimited(key)
		} else {
			s.queue.Forget(key)
		}
		s.queue.Done(key)
	}
}

// sync loads the Secret's content; a missing Secret or key unloads the CA, or,
// for a CA of our own, a missing Secret is created.
func (s *secretSource) sync(ctx context.Context) error {
	secret, err := s.lister.Secrets(s.opts.Namespace).Get(s.opts.Name)
	if apierrors.IsNotFound(err) && s.opts.Generate != nil {
		// The informer brings the new Secret back and loads it.
		return s.generate(ctx)
	}
	if apierrors.IsNotFound(err) {
		s.unset(s.source + " not found")
		return nil
	}
	if err != nil {
		return fmt.Errorf("could not get %s: %w", s.source, err)
	}
	for _, key := range []string{s.opts.CertKey, s.opts.KeyKey} {
		if len(secret.Data[key]) == 0 {
			s.unset(fmt.Sprintf("%s has no %q", s.source, key))
			return nil
		}
	}
	s.set(secret.Data[s.opts.CertKey], secret.Data[s.opts.KeyKey])
	return s.renewWhenDue(ctx, secret)
}

// renewWhenDue deletes a Secret of our own whose CA is due for replacement, and
// otherwise looks again when it will be.
func (s *secretSource) renewWhenDue(ctx context.Context, secret *corev1.Secret) error {
	g := s.opts.Generate
	ca := s.ca.Current()
	if g == nil || g.RenewBefore <= 0 || ca == nil {
		return nil
	}
	due := time.Until(ca.Certificate().NotAfter.Add(-g.RenewBefore))
	if due > 0 {
		s.queue.AddAfter(queueKey, due)
		return nil
	}
	// The UID precondition keeps a replica from deleting a CA another one just made.
	err := g.Client.CoreV1().Secrets(s.opts.Namespace).Delete(ctx, s.opts.Name,
		metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &secret.UID}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("could not delete %s for renewal: %w", s.source, err)
	}
	klog.InfoS("deleted signing key for renewal", "source", s.source, "notAfter", ca.Certificate().NotAfter)
	return nil
}

// generate creates the Secret with a new CA. Another replica may have been
// quicker; its Secret is then the one used.
func (s *secretSource) generate(ctx context.Context) error {
	g := s.opts.Generate
	ca, err := certauthority.New(g.CommonName, g.TTL)
	if err != nil {
		return err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.opts.Namespace, Name: s.opts.Name},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{s.opts.CertKey: ca.Bundle(), s.opts.KeyKey: ca.PrivateKeyPEM()},
	}
	_, err = g.Client.CoreV1().Secrets(s.opts.Namespace).Create(ctx, secret, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("could not create %s: %w", s.source, err)
	}
	klog.InfoS("created signing key", "source", s.source, "commonName", g.CommonName)
	return nil
}

func (s *secretSource) isOurSecret(obj any) bool {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	secret, ok := obj.(*corev1.Secret)
	return ok && secret.Namespace == s.opts.Namespace && secret.Name == s.opts.Name
}
