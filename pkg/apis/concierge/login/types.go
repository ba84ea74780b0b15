// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package login

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TokenCredentialRequest exchanges a token from an external identity provider for a
// short-lived credential for this cluster. The request names the JWTAuthenticator or
// WebhookAuthenticator that should validate the token. Nothing is stored: the
// credential is returned in the status of the response to the create call.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type TokenCredentialRequest struct {
	metav1.TypeMeta `json:",inline"`

	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec holds the token and names the authenticator that should validate it.
	Spec TokenCredentialRequestSpec `json:"spec,omitempty"`

	// Status holds the credential, or a message when no credential was issued.
	Status TokenCredentialRequestStatus `json:"status,omitempty"`
}

// TokenCredentialRequestSpec is what a client submits in a TokenCredentialRequest.
type TokenCredentialRequestSpec struct {
	// Token is the bearer token to validate, such as an ID token from the Pinniped
	// Supervisor. It is never echoed back in the response.
	Token string `json:"token,omitempty"`

	// Authenticator names the authenticator that should validate the token: its apiGroup
	// is authentication.concierge.pinniped.dev (or the renamed group when the API group
	// suffix is changed), its kind is JWTAuthenticator or WebhookAuthenticator, and its
	// name is the authenticator's name.
	Authenticator corev1.TypedLocalObjectReference `json:"authenticator"`
}

// TokenCredentialRequestStatus is the outcome of a TokenCredentialRequest. Exactly one of
// its fields is set: the credential on success, the message on failure.
type TokenCredentialRequestStatus struct {
	// Credential is the cluster credential issued for the authenticated user.
	//
	// +optional
	Credential *ClusterCredential `json:"credential,omitempty"`

	// Message says why no credential was issued. It is deliberately the same for every
	// failure, "authentication failed", so that it tells a caller nothing about which
	// check the token failed.
	//
	// +optional
	Message *string `json:"message,omitempty"`
}

// ClusterCredential is a credential for this cluster: either a bearer token, or a client
// certificate with its private key. The Concierge issues client certificates.
type ClusterCredential struct {
	// ExpirationTimestamp is when the credential stops being valid. Clients should request
	// a new one before then.
	ExpirationTimestamp metav1.Time `json:"expirationTimestamp,omitempty"`

	// Token is a bearer token for the cluster. The Concierge does not issue tokens today,
	// so it is always empty.
	Token string `json:"token,omitempty"`

	// ClientCertificateData is the PEM-encoded client certificate, followed by any
	// intermediate certificates.
	ClientCertificateData string `json:"clientCertificateData,omitempty"`

	// ClientKeyData is the PEM-encoded private key of the client certificate.
	ClientKeyData string `json:"clientKeyData,omitempty"`
}

// TokenCredentialRequestList is a list of TokenCredentialRequests. Requests are not
// stored, so a list is always empty.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type TokenCredentialRequestList struct {
	metav1.TypeMeta `json:",inline"`

	// Standard list metadata.
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the TokenCredentialRequests in the list.
	Items []TokenCredentialRequest `json:"items"`
}
