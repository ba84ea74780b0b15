// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package impersonationproxy decides, from the CredentialIssuer's
// spec.impersonationProxy, whether the Concierge's impersonation proxy runs,
// gives it a serving certificate valid for its endpoint, starts and stops it,
// and reports the ImpersonationProxy strategy in the CredentialIssuer's status.
package impersonationproxy

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	configinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions/config/v1alpha1"
	configlisters "github.com/sealworks/pinniped/pkg/generated/concierge/listers/config/v1alpha1"
)

// Runner starts and stops the proxy's server. Both are idempotent.
type Runner interface {
	Start()
	Stop()
}

// ServingCert receives the proxy's serving certificate.
type ServingCert interface {
	Set(certPEM, keyPEM []byte) bool
}

// Options configure the controller.
type Options struct {
	// CredentialIssuer is the name of the CredentialIssuer to follow.
	CredentialIssuer string
	// Namespace is the Concierge's namespace, where the Secrets live.
	Namespace string
	// CASecretName is the Secret of the CA the controller makes for the serving
	// certificate when spec.impersonationProxy.tls names no Secret.
	CASecretName string
	// LoadBalancerService and ClusterIPService name the Services the controller
	// makes for spec.impersonationProxy.service.type LoadBalancer and ClusterIP.
	LoadBalancerService string
	ClusterIPService    string
	// PodSelector selects the Concierge's pods; Labels go on the Services.
	PodSelector map[string]string
	Labels      map[string]string
	// Port is the proxy's port in the pods.
	Port int32
	// ServingCert and Runner are the proxy's.
	ServingCert ServingCert
	Runner      Runner
	// Clock stamps lastUpdateTime; nil means the real clock.
	Clock clock.PassiveClock
}

// queueKey is the only key: the controller always looks at the whole picture.
const queueKey = "impersonation-proxy"

// Controller keeps the proxy in step with the CredentialIssuer.
type Controller struct {
	opts     Options
	client   conciergeclientset.Interface
	kube     kubernetes.Interface
	issuers  configlisters.CredentialIssuerLister
	secrets  corelisters.SecretLister
	services corelisters.ServiceLister
	synced   []cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
	nodes    nodeCheck
	issuedTo servingKey
	issued   *servingPair
}

// New returns a controller. The caller starts the informers; the Secret and
// Service informers must cover opts.Namespace.
func New(
	opts Options, client conciergeclientset.Interface, kube kubernetes.Interface,
	issuers configinformers.CredentialIssuerInformer, secrets coreinformers.SecretInformer,
	services coreinformers.ServiceInformer,
) (*Controller, error) {
	if opts.CredentialIssuer == "" || opts.Namespace == "" || opts.CASecretName == "" {
		return nil, errors.New("impersonationproxy: credential issuer, namespace and CA secret names are required")
	}
	if opts.ServingCert == nil || opts.Runner == nil {
		return nil, errors.New("impersonationproxy: a serving certificate and a runner are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	c := &Controller{
		opts:     opts,
		client:   client,
		kube:     kube,
		issuers:  issuers.Lister(),
		secrets:  secrets.Lister(),
		services: services.Lister(),
		synced: []cache.InformerSynced{
			issuers.Informer().HasSynced, secrets.Informer().HasSynced, services.Informer().HasSynced,
		},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "impersonationproxy"},
		),
		nodes: nodeCheck{kube: kube},
	}
	isOurIssuer := func(obj any) bool {
		issuer, ok := worker.Unwrap(obj).(*configv1alpha1.CredentialIssuer)
		return ok && issuer.Name == opts.CredentialIssuer
	}
	isOurNamespace := func(obj any) bool {
		secret, ok := worker.Unwrap(obj).(*corev1.Secret)
		return ok && secret.Namespace == opts.Namespace
	}
	isOurService := func(obj any) bool {
		svc, ok := worker.Unwrap(obj).(*corev1.Service)
		return ok && svc.Namespace == opts.Namespace &&
			(svc.Name == opts.LoadBalancerService || svc.Name == opts.ClusterIPService)
	}
	if _, err := issuers.Informer().AddEventHandler(worker.EnqueueOn(isOurIssuer, c.Enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch credentialissuers: %w", err)
	}
	if _, err := secrets.Informer().AddEventHandler(worker.EnqueueOn(isOurNamespace, c.Enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch secrets: %w", err)
	}
	if _, err := services.Informer().AddEventHandler(worker.EnqueueOn(isOurService, c.Enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch services: %w", err)
	}
	return c, nil
}

// Enqueue asks for a sync, e.g. when the proxy's server stopped by itself.
func (c *Controller) Enqueue() { c.queue.Add(queueKey) }

// Run syncs until ctx is done, then stops the proxy.
func (c *Controller) Run(ctx context.Context) {
	defer c.opts.Runner.Stop()
	worker.Run(ctx, "impersonationproxy", c.queue, c.synced,
		func(ctx context.Context, _ string) error { return c.sync(ctx) },
		func(context.Context) { c.Enqueue() })
}

// nodeCheck answers, once per process, whether any node says it is part of the
// control plane; managed clusters hide theirs.
type nodeCheck struct {
	kube   kubernetes.Interface
	mu     sync.Mutex
	known  bool
	answer bool
}
