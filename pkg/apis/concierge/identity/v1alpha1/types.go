// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WhoAmIRequest asks the Concierge who the caller is. The response's status holds the
// user exactly as the Kubernetes API server authenticated the request, after any
// impersonation. Nothing is stored: the answer comes back from the create call.
//
// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type WhoAmIRequest struct {
	metav1.TypeMeta `json:",inline"`

	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is empty: the request is about whoever sends it.
	Spec WhoAmIRequestSpec `json:"spec,omitempty"`

	// Status holds the authenticated user.
	Status WhoAmIRequestStatus `json:"status,omitempty"`
}

// WhoAmIRequestSpec has no fields. Any that are added must be safe to accept from an
// unauthenticated caller.
type WhoAmIRequestSpec struct{}

// WhoAmIRequestStatus is the answer to a WhoAmIRequest.
type WhoAmIRequestStatus struct {
	// KubernetesUserInfo is the user the Kubernetes API server authenticated.
	KubernetesUserInfo KubernetesUserInfo `json:"kubernetesUserInfo"`
}

// KubernetesUserInfo is an authenticated user as Kubernetes sees it, with the audiences
// its credential was valid for.
type KubernetesUserInfo struct {
	// User is the authenticated user.
	User UserInfo `json:"user"`

	// Audiences are the audiences that the authenticator found the caller's credential to
	// be valid for, when it reports any.
	//
	// +optional
	// +listType=atomic
	Audiences []string `json:"audiences,omitempty"`
}

// UserInfo is the identity of an authenticated user, with the same fields as the user of
// a Kubernetes TokenReview.
type UserInfo struct {
	// Username is the name that identifies the user among all current users.
	Username string `json:"username"`

	// UID identifies the user across time: a user that is deleted and then re-created with
	// the same name gets a different UID.
	//
	// +optional
	UID string `json:"uid,omitempty"`

	// Groups are the names of the groups the user belongs to.
	//
	// +optional
	// +listType=atomic
	Groups []string `json:"groups,omitempty"`

	// Extra holds any other information the authenticator provided about the user, such
	// as scopes or the original user behind the impersonation proxy.
	//
	// +optional
	Extra map[string]ExtraValue `json:"extra,omitempty"`
}

// ExtraValue is the list of values of one key of UserInfo.Extra. It is a named type so
// that generated serializers and OpenAPI treat it as a list of strings.
type ExtraValue []string

// String formats the values the way fmt formats a []string.
func (v ExtraValue) String() string {
	return fmt.Sprintf("%v", []string(v))
}

// WhoAmIRequestList is a list of WhoAmIRequests. Requests are not stored, so a list is
// always empty.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type WhoAmIRequestList struct {
	metav1.TypeMeta `json:",inline"`

	// Standard list metadata.
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the WhoAmIRequests in the list.
	Items []WhoAmIRequest `json:"items"`
}
