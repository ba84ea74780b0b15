// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OIDCClientSecretRequestSpec says what to do with the secrets of an OIDCClient.
type OIDCClientSecretRequestSpec struct {
	// GenerateNewSecret asks for a new client secret: 32 random bytes, hex encoded. It is
	// added to the client's secrets and returned in status.generatedSecret.
	//
	// +optional
	GenerateNewSecret bool `json:"generateNewSecret"`

	// RevokeOldSecrets asks for every secret except the newest one to be revoked. With
	// generateNewSecret, only the new secret remains. A client may have at most five
	// secrets, so rotating more often needs this.
	//
	// +optional
	RevokeOldSecrets bool `json:"revokeOldSecrets"`
}

// OIDCClientSecretRequestStatus is the result of an OIDCClientSecretRequest.
type OIDCClientSecretRequestStatus struct {
	// GeneratedSecret is the new client secret in plain text. It is returned only in the
	// response to the request that generated it; the Supervisor keeps only a hash of it,
	// so it cannot be read again later.
	//
	// +optional
	GeneratedSecret string `json:"generatedSecret,omitempty"`

	// TotalClientSecrets is how many secrets the client has after the request.
	TotalClientSecrets int `json:"totalClientSecrets"`
}

// OIDCClientSecretRequest generates or revokes client secrets of the OIDCClient with the
// same name, in the Supervisor's namespace. A request with neither field of its spec set
// only reports how many secrets the client has. Requests are never stored; only create is
// served.
//
// +genclient
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type OIDCClientSecretRequest struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what to do with the client's secrets.
	Spec OIDCClientSecretRequestSpec `json:"spec"`

	// Status is the result of the request.
	//
	// +optional
	Status OIDCClientSecretRequestStatus `json:"status"`
}

// OIDCClientSecretRequestList is a list of OIDCClientSecretRequests. Since requests are
// not stored, a list is always empty.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type OIDCClientSecretRequestList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the OIDCClientSecretRequests.
	Items []OIDCClientSecretRequest `json:"items"`
}
