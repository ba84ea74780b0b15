// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package whoamirequest is the REST storage of WhoAmIRequest: it answers with the
// user the API server authenticated for the request itself.
package whoamirequest

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/sealworks/pinniped/pkg/apis/concierge/identity"
)

// REST serves WhoAmIRequests. It stores nothing.
type REST struct {
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
func NewREST() *REST {
	return &REST{tableConvertor: rest.NewDefaultTableConvertor(identity.Resource("whoamirequests"))}
}

// Create echoes the authenticated user of the request, as the API server saw it.
func (r *REST) Create(
	ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions,
) (runtime.Object, error) {
	req, ok := obj.(*identity.WhoAmIRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a WhoAmIRequest: %T", obj))
	}
	if namespace, ok := genericapirequest.NamespaceFrom(ctx); ok && namespace != "" {
		return nil, apierrors.NewBadRequest("a WhoAmIRequest is cluster-scoped; no namespace may be given")
	}
	if options != nil && len(options.DryRun) > 0 {
		return nil, apierrors.NewInvalid(identity.Kind("WhoAmIRequest"), req.Name, field.ErrorList{
			field.NotSupported[string](field.NewPath("dryRun"), options.DryRun, nil),
		})
	}
	if createValidation != nil {
		if err := createValidation(ctx, req.DeepCopy()); err != nil {
			return nil, err
		}
	}

	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("no user in the request context"))
	}
	var extra map[string]identity.ExtraValue
	if len(u.GetExtra()) > 0 {
		extra = make(map[string]identity.ExtraValue, len(u.GetExtra()))
		for k, v := range u.GetExtra() {
			extra[k] = append(identity.ExtraValue(nil), v...)
		}
	}
	audiences, _ := authenticator.AudiencesFrom(ctx)
	return &identity.WhoAmIRequest{
		Status: identity.WhoAmIRequestStatus{
			KubernetesUserInfo: identity.KubernetesUserInfo{
				User: identity.UserInfo{
					Username: u.GetName(),
					UID:      u.GetUID(),
					Groups:   u.GetGroups(),
					Extra:    extra,
				},
				Audiences: audiences,
			},
		},
	}, nil
}

// New returns an empty WhoAmIRequest.
func (*REST) New() runtime.Object { return &identity.WhoAmIRequest{} }

// NewList returns an empty list.
func (*REST) NewList() runtime.Object { return &identity.WhoAmIRequestList{} }

// Destroy releases nothing: the storage holds no resources.
func (*REST) Destroy() {}

// NamespaceScoped is false: a WhoAmIRequest is cluster-scoped.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName returns the singular resource name.
func (*REST) GetSingularName() string { return "whoamirequest" }

// Categories puts the resource in `kubectl get pinniped`.
func (*REST) Categories() []string { return []string{"pinniped"} }

// GroupVersionKind reports the kind for the group version being served.
func (*REST) GroupVersionKind(containingGV schema.GroupVersion) schema.GroupVersionKind {
	return containingGV.WithKind("WhoAmIRequest")
}

// List always returns an empty list: requests are never stored.
func (*REST) List(context.Context, *metainternalversion.ListOptions) (runtime.Object, error) {
	return &identity.WhoAmIRequestList{ListMeta: metav1.ListMeta{ResourceVersion: "0"}}, nil
}

// ConvertToTable renders requests for kubectl.
func (r *REST) ConvertToTable(
	ctx context.Context, obj runtime.Object, tableOptions runtime.Object,
) (*metav1.Table, error) {
	return r.tableConvertor.ConvertToTable(ctx, obj, tableOptions)
}
