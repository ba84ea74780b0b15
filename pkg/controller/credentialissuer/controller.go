// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package credentialissuer keeps the Concierge's CredentialIssuer status current
// for the KubeClusterSigningCertificate strategy: whether the signing key is
// loaded, and where clients send their TokenCredentialRequests. Strategies written
// by others (the impersonation proxy) are kept.
package credentialissuer

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	configinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions/config/v1alpha1"
	configlisters "github.com/sealworks/pinniped/pkg/generated/concierge/listers/config/v1alpha1"
)

// SigningKey reports whether the key that signs client certificates is loaded and,
// when it is not, why. signingcert.Controller is one.
type SigningKey interface {
	LoadStatus() (loaded bool, message string)
}

// Options configure the controller.
type Options struct {
	// Name is the CredentialIssuer's name; it is created when missing.
	Name string
	// Labels are put on the CredentialIssuer when the controller creates it.
	Labels map[string]string
	// Server, when set, is the API server URL given to clients instead of the one
	// in kube-public/cluster-info.
	Server string
	// CertificateAuthorityPEM, when set, is the CA bundle given to clients instead
	// of the one in kube-public/cluster-info.
	CertificateAuthorityPEM []byte
	// Clock stamps lastUpdateTime; nil means the real clock.
	Clock clock.PassiveClock
}

// Validate reports the first problem of the options.
func (o *Options) Validate() error {
	if o.Name == "" {
		return errors.New("credentialissuer: name is required")
	}
	if o.Server != "" {
		u, err := url.Parse(o.Server)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("credentialissuer: server %q is not an http(s) URL", o.Server)
		}
	}
	if len(o.CertificateAuthorityPEM) > 0 {
		if _, err := cert.ParseCertsPEM(o.CertificateAuthorityPEM); err != nil {
			return fmt.Errorf("credentialissuer: could not parse certificate authority: %w", err)
		}
	}
	return nil
}

// queueKey is the only key of the queue: there is one CredentialIssuer.
const queueKey = "credential-issuer"

// Controller writes the strategy into the CredentialIssuer's status.
type Controller struct {
	opts       Options
	client     conciergeclientset.Interface
	key        SigningKey
	issuers    configlisters.CredentialIssuerLister
	configMaps corelisters.ConfigMapLister
	synced     []cache.InformerSynced
	queue      workqueue.TypedRateLimitingInterface[string]
}

// New returns a controller. The caller starts the informers; the ConfigMap informer
// must cover the kube-public namespace. Register the controller as a listener of
// the signing key's changes (it implements dynamiccertificates.Listener) so that
// the status follows them at once.
func New(
	opts Options,
	client conciergeclientset.Interface,
	issuers configinformers.CredentialIssuerInformer,
	configMaps coreinformers.ConfigMapInformer,
	key SigningKey,
) (*Controller, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	c := &Controller{
		opts:       opts,
		client:     client,
		key:        key,
		issuers:    issuers.Lister(),
		configMaps: configMaps.Lister(),
		synced:     []cache.InformerSynced{issuers.Informer().HasSynced, configMaps.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "credentialissuer"},
		),
	}
	isOurIssuer := func(obj any) bool {
		issuer, ok := worker.Unwrap(obj).(*configv1alpha1.CredentialIssuer)
		return ok && issuer.Name == opts.Name
	}
	isClusterInfo := func(obj any) bool {
		cm, ok := worker.Unwrap(obj).(*corev1.ConfigMap)
		return ok && cm.Namespace == ClusterInfoNamespace && cm.Name == ClusterInfoName
	}
	if _, err := issuers.Informer().AddEventHandler(worker.EnqueueOn(isOurIssuer, c.Enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch credentialissuers: %w", err)
	}
	if _, err := configMaps.Informer().AddEventHandler(worker.EnqueueOn(isClusterInfo, c.Enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch configmaps: %w", err)
	}
	return c, nil
}

// Enqueue asks for the status to be brought up to date; the signing key calls it
// when it changes.
func (c *Controller) Enqueue() { c.queue.Add(queueKey) }

// Run syncs until the context is done.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, "credentialissuer", c.queue, c.synced,
		func(ctx context.Context, _ string) error { return c.sync(ctx) },
		func(context.Context) { c.Enqueue() })
}
