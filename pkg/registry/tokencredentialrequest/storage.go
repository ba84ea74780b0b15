// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package tokencredentialrequest

import (
	"context"

	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
)

// New returns an empty TokenCredentialRequest.
func (*REST) New() runtime.Object { return &login.TokenCredentialRequest{} }

// NewList returns an empty list.
func (*REST) NewList() runtime.Object { return &login.TokenCredentialRequestList{} }

// Destroy releases nothing: the storage holds no resources.
func (*REST) Destroy() {}

// NamespaceScoped is false: a TokenCredentialRequest is cluster-scoped.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName returns the singular resource name.
func (*REST) GetSingularName() string { return "tokencredentialrequest" }

// Categories puts the resource in `kubectl get pinniped`.
func (*REST) Categories() []string { return []string{"pinniped"} }

// GroupVersionKind reports the kind for the group version being served.
func (*REST) GroupVersionKind(containingGV schema.GroupVersion) schema.GroupVersionKind {
	return containingGV.WithKind("TokenCredentialRequest")
}

// List always returns an empty list: requests are never stored. It exists so that
// `kubectl get pinniped` works across the category.
func (*REST) List(context.Context, *metainternalversion.ListOptions) (runtime.Object, error) {
	return &login.TokenCredentialRequestList{ListMeta: metav1.ListMeta{ResourceVersion: "0"}}, nil
}

// ConvertToTable renders requests for kubectl.
func (r *REST) ConvertToTable(
	ctx context.Context, obj runtime.Object, tableOptions runtime.Object,
) (*metav1.Table, error) {
	return r.tableConvertor.ConvertToTable(ctx, obj, tableOptions)
}
