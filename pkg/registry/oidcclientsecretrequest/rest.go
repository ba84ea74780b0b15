// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcclientsecretrequest is the REST storage of OIDCClientSecretRequest:
// it generates a new secret for an OIDCClient, returns it once, and keeps only its
// bcrypt hash; it can also revoke every secret but the newest.
package oidcclientsecretrequest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"golang.org/x/crypto/bcrypt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
)

const (
	// MaxSecrets is how many secrets a client may have at once; enough for a
	// rotation with some slack, few enough that checking a secret stays cheap.
	MaxSecrets = 5
	// DefaultCost is the bcrypt cost of new hashes: about 250 ms on a server core,
	// and the minimum the OIDCClient controller accepts.
	DefaultCost = 12
	// secretBytes is the entropy of a generated secret.
	secretBytes = 32
)

// Clients finds OIDCClients in the Supervisor's namespace; the generated typed
// client satisfies it.
type Clients interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*configv1alpha1.OIDCClient, error)
}

// Hashes reads and writes the hashes of a client's secrets.
type Hashes interface {
	Get(ctx context.Context, uid types.UID) ([]string, string, error)
	Set(ctx context.Context, owner clientsecretstore.Owner, resourceVersion string, hashes []string) error
}

// Options configure the storage.
type Options struct {
	// Namespace is the Supervisor's namespace, the only one requests may use.
	Namespace string
	// OIDCClientAPIVersion is the OIDCClient group/version with the installation's
	// API group suffix, for the storage Secret's owner reference.
	OIDCClientAPIVersion string
	Clients              Clients
	Hashes               Hashes
	// Cost is the bcrypt cost; zero means DefaultCost. Tests lower it.
	Cost int
	// Random is the source of secrets; nil means crypto/rand.
	Random io.Reader
}

// REST serves OIDCClientSecretRequests. It stores nothing of the request itself.
type REST struct {
	opts           Options
	tableConvertor rest.TableConvertor
}

var (
	_ rest.Creater                  = (*REST)(nil)
	_ rest.Lister                   = (*REST)(nil)
	_ rest.Scoper                   = (*REST)(nil)
	_ rest.Storage                  = (*REST)(nil)
	_ rest.SingularNameProvider     = (*REST)(nil)
	_ rest.CategoriesProvider       = (*REST)(nil)
	_ rest.GroupVersionKindProvider = (*REST)(nil)
)

// NewREST returns the storage.
func NewREST(opts Options) *REST {
	if opts.Cost == 0 {
		opts.Cost = DefaultCost
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	return &REST{
		opts:           opts,
		tableConvertor: rest.NewDefaultTableConvertor(clientsecret.Resource("oidcclientsecretrequests")),
	}
}

// Create generates and revokes secrets as the request asks, and answers with the
// new secret (if any) and the number of secrets the client now has.
func (r *REST) Create(
	ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions,
) (runtime.Object, error) {
	req, err := r.validate(ctx, obj, createValidation, options)
	if err != nil {
		return nil, err
	}

	client, err := r.opts.Clients.Get(ctx, req.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, invalid(req.Name, field.NotFound(field.NewPath("metadata", "name"), req.Name))
	}
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("could not get OIDCClient: %w", err))
	}

	hashes, resourceVersion, err := r.opts.Hashes.Get(ctx, client.UID)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	var secret string
	if req.Spec.GenerateNewSecret {
		var hash string
		if secret, hash, err = r.newSecret(); err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		// The newest hash comes first, so that revoking keeps it.
		hashes = append([]string{hash}, hashes...)
	}
	if req.Spec.RevokeOldSecrets && len(hashes) > 1 {
		hashes = hashes[:1]
	}
	if len(hashes) > MaxSecrets {
		return nil, apierrors.NewBadRequest(fmt.Sprintf(
			"too many secrets, spec.revokeOldSecrets must be true (at most %d secrets)", MaxSecrets))
	}

	if req.Spec.GenerateNewSecret || req.Spec.RevokeOldSecrets {
		if err := r.store(ctx, client, resourceVersion, hashes); err != nil {
			return nil, err
		}
		klog.InfoS("OIDCClientSecretRequest updated secrets", "oidcClient", client.Name,
			"generatedSecret", req.Spec.GenerateNewSecret, "revokedOldSecrets", req.Spec.RevokeOldSecrets,
			"totalClientSecrets", len(hashes))
	}
	return &clientsecret.OIDCClientSecretRequest{
		ObjectMeta: metav1.ObjectMeta{Name: req.Name, Namespace: req.Namespace},
		Spec:       req.Spec,
		Status: clientsecret.OIDCClientSecretRequestStatus{
			GeneratedSecret:    secret,
			TotalClientSecrets: len(hashes),
		},
	}, nil
}

// validate checks what can be checked without reading anything.
func (r *REST) validate(
	ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions,
) (*clientsecret.OIDCClientSecretRequest, error) {
	req, ok := obj.(*clientsecret.OIDCClientSecretRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not an OIDCClientSecretRequest: %T", obj))
	}
	namespace, _ := genericapirequest.NamespaceFrom(ctx)
	if namespace != r.opts.Namespace {
		return nil, apierrors.NewBadRequest(fmt.Sprintf(
			"namespace must be %s on OIDCClientSecretRequest, was %s", r.opts.Namespace, namespace))
	}
	if options != nil && len(options.DryRun) > 0 {
		return nil, invalid(req.Name, field.NotSupported[string](field.NewPath("dryRun"), options.DryRun, nil))
	}
	if req.Name == "" {
		return nil, invalid(req.Name, field.Required(field.NewPath("metadata", "name"), ""))
	}
	if createValidation != nil {
		if err := createValidation(ctx, req.DeepCopy()); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// newSecret returns a fresh secret and its bcrypt hash.
func (r *REST) newSecret() (string, string, error) {
	raw := make([]byte, secretBytes)
	if _, err := io.ReadFull(r.opts.Random, raw); err != nil {
		return "", "", fmt.Errorf("could not generate client secret: %w", err)
	}
	secret := hex.EncodeToString(raw)
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), r.opts.Cost)
	if err != nil {
		return "", "", fmt.Errorf("could not hash client secret: %w", err)
	}
	return secret, string(hash), nil
}

// store writes the hashes; a concurrent request that got there first makes this
// one fail with 409, so the caller retries on the new state instead of undoing it.
func (r *REST) store(
	ctx context.Context, client *configv1alpha1.OIDCClient, resourceVersion string, hashes []string,
) error {
	owner := clientsecretstore.Owner{APIVersion: r.opts.OIDCClientAPIVersion, Name: client.Name, UID: client.UID}
	err := r.opts.Hashes.Set(ctx, owner, resourceVersion, hashes)
	if apierrors.IsConflict(err) {
		return apierrors.NewConflict(clientsecret.Resource("oidcclientsecretrequests"), client.Name,
			fmt.Errorf("the client's secrets were changed by another request; try again"))
	}
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	return nil
}

func invalid(name string, errs ...*field.Error) error {
	return apierrors.NewInvalid(clientsecret.Kind("OIDCClientSecretRequest"), name, errs)
}

// New returns an empty OIDCClientSecretRequest.
func (*REST) New() runtime.Object { return &clientsecret.OIDCClientSecretRequest{} }

// NewList returns an empty list.
func (*REST) NewList() runtime.Object { return &clientsecret.OIDCClientSecretRequestList{} }

// Destroy releases nothing: the storage holds no resources.
func (*REST) Destroy() {}

// NamespaceScoped is true: a request lives in the namespace of its OIDCClient.
func (*REST) NamespaceScoped() bool { return true }

// GetSingularName returns the singular resource name.
func (*REST) GetSingularName() string { return "oidcclientsecretrequest" }

// Categories puts the resource in `kubectl get pinniped`.
func (*REST) Categories() []string { return []string{"pinniped"} }

// GroupVersionKind reports the kind for the group version being served.
func (*REST) GroupVersionKind(containingGV schema.GroupVersion) schema.GroupVersionKind {
	return containingGV.WithKind("OIDCClientSecretRequest")
}

// List always returns an empty list: requests are never stored.
func (*REST) List(context.Context, *metainternalversion.ListOptions) (runtime.Object, error) {
	return &clientsecret.OIDCClientSecretRequestList{ListMeta: metav1.ListMeta{ResourceVersion: "0"}}, nil
}

// ConvertToTable renders requests for kubectl.
func (r *REST) ConvertToTable(
	ctx context.Context, obj runtime.Object, tableOptions runtime.Object,
) (*metav1.Table, error) {
	return r.tableConvertor.ConvertToTable(ctx, obj, tableOptions)
}
