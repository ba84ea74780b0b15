// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package clientsecret

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OIDCClientSecretRequestSpec says what to do with the secrets of an OIDCClient.
type OIDCClientSecretRequestSpec struct {
	// GenerateNewSecret asks for a new client secret to be generated and returned once.
	GenerateNewSecret bool `json:"generateNewSecret"`

	// RevokeOldSecrets asks for every secret except the newest one to be revoked.
	RevokeOldSecrets bool `json:"revokeOldSecrets"`
}

// OIDCClientSecretRequestStatus is the result of an OIDCClientSecretRequest.
type OIDCClientSecretRequestStatus struct {
	// GeneratedSecret is the new client secret in plain text. It is returned only in the
	// response to the request that generated it and cannot be read again later.
	GeneratedSecret string `json:"generatedSecret,omitempty"`

	// TotalClientSecrets is how many secrets the client has after the request.
	TotalClientSecrets int `json:"totalClientSecrets"`
}

// OIDCClientSecretRequest generates or revokes client secrets of the OIDCClient with
// the same name and namespace. It is never stored; only create is served.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type OIDCClientSecretRequest struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what to do with the client's secrets.
	Spec OIDCClientSecretRequestSpec `json:"spec"`

	// Status is the result of the request.
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
