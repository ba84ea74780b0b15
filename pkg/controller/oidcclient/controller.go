// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcclient runs the Supervisor's controller of OIDCClients: it checks each
// client's grant types, scopes and stored secret hashes (see oidcclientvalidator)
// and writes the result, the number of secrets and a phase into its status. The
// status is for people; the OAuth endpoints run the same check on every request.
package oidcclient

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	coreinformers "k8s.io/client-go/informers/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/controller/worker"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	configinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions/config/v1alpha1"
	configlisters "github.com/sealworks/pinniped/pkg/generated/supervisor/listers/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/oidcclientvalidator"
)

const (
	// controllerName names the controller in logs and queue metrics.
	controllerName = "oidcclient"
	// Kind is the kind of object this controller checks.
	Kind = "OIDCClient"
	// syncKey is the only key ever queued: every event re-syncs every client, which
	// costs a lister read and a few bcrypt header parses each.
	syncKey = "all"
)

// Options are what a Controller needs. Every field but Clock and NotLeader is required.
type Options struct {
	// Client writes the status of OIDCClients.
	Client supervisorclientset.Interface
	// OIDCClients and Secrets are informers of the Supervisor's namespace.
	OIDCClients configinformers.OIDCClientInformer
	Secrets     coreinformers.SecretInformer
	// Namespace is the Supervisor's namespace.
	Namespace string
	// Clock stamps conditions; nil means the real clock.
	Clock clock.PassiveClock
	// NotLeader reports whether a status write failed only because this replica is
	// not the leader. Nil means every write error is a failure.
	NotLeader func(error) bool
}

// Controller keeps the status of OIDCClients in step with their specs and secrets.
type Controller struct {
	client    supervisorclientset.Interface
	clients   configlisters.OIDCClientLister
	secrets   corelisters.SecretLister
	namespace string
	clock     clock.PassiveClock
	notLeader func(error) bool
	queue     workqueue.TypedRateLimitingInterface[string]
	synced    []cache.InformerSynced
}

// New returns a controller and registers its event handlers on the informers.
// Start the informers and call Run.
func New(opts Options) (*Controller, error) {
	if opts.Client == nil || opts.OIDCClients == nil || opts.Secrets == nil || opts.Namespace == "" {
		return nil, errors.New(controllerName + ": a required option is missing")
	}
	c := &Controller{
		client:    opts.Client,
		clients:   opts.OIDCClients.Lister(),
		secrets:   opts.Secrets.Lister(),
		namespace: opts.Namespace,
		clock:     opts.Clock,
		notLeader: opts.NotLeader,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: controllerName}),
		synced: []cache.InformerSynced{opts.OIDCClients.Informer().HasSynced, opts.Secrets.Informer().HasSynced},
	}
	if c.clock == nil {
		c.clock = clock.RealClock{}
	}
	enqueue := func() { c.queue.Add(syncKey) }
	if _, err := opts.OIDCClients.Informer().AddEventHandler(worker.EnqueueOn(nil, enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch OIDCClients: %w", err)
	}
	// Session Secrets come and go with every login; only secret storage matters here.
	if _, err := opts.Secrets.Informer().AddEventHandler(worker.EnqueueOn(isSecretStorage, enqueue)); err != nil {
		return nil, fmt.Errorf("could not watch Secrets: %w", err)
	}
	return c, nil
}

// Run syncs until the context is done.
func (c *Controller) Run(ctx context.Context) {
	worker.Run(ctx, controllerName, c.queue, c.synced,
		func(ctx context.Context, _ string) error { return c.sync(ctx) },
		func(context.Context) { c.queue.Add(syncKey) })
}

// sync validates every OIDCClient of the namespace and writes its status when it
// changed. Only failed writes are retried: configuration errors go to the status.
func (c *Controller) sync(ctx context.Context) error {
	all, err := c.clients.OIDCClients(c.namespace).List(labels.Everything())
	if err != nil {
		return fmt.Errorf("could not list OIDCClients: %w", err)
	}
	var retries []error
	for _, client := range all {
		hashes, hashesErr := HashesFromLister(c.secrets, c.namespace, client)
		result := oidcclientvalidator.Validate(&client.Spec, hashes, hashesErr)
		if err := c.updateStatus(ctx, client, result.Conditions, len(hashes)); err != nil &&
			!apierrors.IsNotFound(err) {
			retries = append(retries, err)
		}
	}
	return errors.Join(retries...)
}

// HashesFromLister reads a client's stored hashes from an informer's cache; a
// client without a storage Secret has none.
func HashesFromLister(
	secrets corelisters.SecretLister, namespace string, client *configv1alpha1.OIDCClient,
) ([]string, error) {
	secret, err := secrets.Secrets(namespace).Get(clientsecretstore.SecretName(client.UID))
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("could not get client secret storage: %w", err)
	}
	return clientsecretstore.HashesOf(secret)
}

func (c *Controller) updateStatus(
	ctx context.Context, client *configv1alpha1.OIDCClient, checks []metav1.Condition, total int,
) error {
	merged := conditions.Merge(client.Status.Conditions, conditions.WithReady(checks, Kind),
		client.Generation, metav1.NewTime(c.clock.Now()))
	phase := configv1alpha1.OIDCClientPhase(conditions.PhaseOf(merged))
	if phase == client.Status.Phase && int(client.Status.TotalClientSecrets) == total &&
		conditions.Equal(client.Status.Conditions, merged) {
		return nil
	}
	updated := client.DeepCopy()
	updated.Status.Conditions = merged
	updated.Status.Phase = phase
	updated.Status.TotalClientSecrets = int32(total) //nolint:gosec // at most a handful
	_, err := c.client.ConfigV1alpha1().OIDCClients(client.Namespace).UpdateStatus(ctx, updated,
		metav1.UpdateOptions{})
	switch {
	case err == nil:
		klog.InfoS("updated status", "oidcClient", klog.KObj(client), "phase", phase, "totalClientSecrets", total)
		return nil
	case c.notLeader != nil && c.notLeader(err):
		return nil
	default:
		return fmt.Errorf("could not update status of OIDCClient %q: %w", client.Name, err)
	}
}

func isSecretStorage(obj any) bool {
	secret, ok := worker.Unwrap(obj).(*corev1.Secret)
	return ok && secret.Type == clientsecretstore.SecretType
}
