// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types and reasons that only WebhookAuthenticator reports. The shared ones
// (Ready, AuthenticatorValid, TLSConfigurationValid and their reasons) are declared beside
// JWTAuthenticator and TLSSpec.
const (
	// ConditionEndpointURLValid is True when spec.endpoint is a usable https URL.
	ConditionEndpointURLValid = "EndpointURLValid"

	// ConditionWebhookConnectionValid is True when a TLS connection to the endpoint could
	// be opened with the configured CA bundle.
	ConditionWebhookConnectionValid = "WebhookConnectionValid"

	// ReasonInvalidEndpointURL means spec.endpoint does not parse as a URL.
	ReasonInvalidEndpointURL = "InvalidEndpointURL"

	// ReasonInvalidEndpointURLScheme means spec.endpoint does not use the https scheme.
	ReasonInvalidEndpointURLScheme = "InvalidEndpointURLScheme"

	// ReasonInvalidEndpointCannotDetermineProxy means the proxy settings of the Concierge's
	// environment could not be applied to spec.endpoint.
	ReasonInvalidEndpointCannotDetermineProxy = "InvalidEndpointCannotDetermineProxy"

	// ReasonUnableToDialServer means the TLS connection to the endpoint failed.
	ReasonUnableToDialServer = "UnableToDialServer"

	// ReasonUnableToCreateClient means no HTTP client could be built for the endpoint.
	ReasonUnableToCreateClient = "UnableToCreateClient"

	// ReasonUnableToInstantiateWebhook means no webhook authenticator could be built around
	// the HTTP client.
	ReasonUnableToInstantiateWebhook = "UnableToInstantiateWebhook"
)

// WebhookAuthenticatorPhase is a one-word summary of a WebhookAuthenticator's conditions.
type WebhookAuthenticatorPhase string

const (
	// WebhookAuthenticatorPhasePending means the authenticator has not been checked yet.
	WebhookAuthenticatorPhasePending WebhookAuthenticatorPhase = "Pending"

	// WebhookAuthenticatorPhaseReady means every condition is True and the authenticator
	// is accepting tokens.
	WebhookAuthenticatorPhaseReady WebhookAuthenticatorPhase = "Ready"

	// WebhookAuthenticatorPhaseError means at least one condition is not True; the
	// conditions say which and why.
	WebhookAuthenticatorPhaseError WebhookAuthenticatorPhase = "Error"
)

// WebhookAuthenticator configures the Concierge to validate tokens by sending them to a
// remote webhook as TokenReviews, the way the Kubernetes API server's webhook token
// authentication does. A TokenCredentialRequest that names a WebhookAuthenticator is
// exchanged for a cluster credential when the webhook accepts its token.
//
// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=pinniped;pinniped-authenticator;pinniped-authenticators
// +kubebuilder:printcolumn:name="Endpoint",type=string,JSONPath=`.spec.endpoint`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type WebhookAuthenticator struct {
	metav1.TypeMeta `json:",inline"`

	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the configuration of the authenticator.
	Spec WebhookAuthenticatorSpec `json:"spec"`

	// Status is the state of the authenticator as last observed by the Concierge.
	//
	// +optional
	Status WebhookAuthenticatorStatus `json:"status,omitempty"`
}

// WebhookAuthenticatorSpec is the configuration of a WebhookAuthenticator.
type WebhookAuthenticatorSpec struct {
	// Endpoint is the https URL to which the Concierge POSTs a TokenReview for every token
	// it is asked to validate.
	//
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^https://`
	Endpoint string `json:"endpoint"`

	// TLS configures which certificate authorities are trusted when the Concierge connects
	// to the endpoint. When it is absent, the root CAs of the Concierge's image are trusted.
	//
	// +optional
	TLS *TLSSpec `json:"tls,omitempty"`
}

// WebhookAuthenticatorStatus is the state of a WebhookAuthenticator as last observed by
// the Concierge.
type WebhookAuthenticatorStatus struct {
	// Conditions are the results of the checks the Concierge ran on the spec, one per
	// type, with a summary of them all in the Ready condition.
	//
	// +optional
	// +patchMergeKey=type
	// +patchStrategy=merge
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// Phase summarizes the conditions: Pending before the first check, Ready when every
	// condition is True, and Error otherwise.
	//
	// +optional
	// +kubebuilder:default=Pending
	// +kubebuilder:validation:Enum=Pending;Ready;Error
	Phase WebhookAuthenticatorPhase `json:"phase,omitempty"`
}

// WebhookAuthenticatorList is a list of WebhookAuthenticators.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type WebhookAuthenticatorList struct {
	metav1.TypeMeta `json:",inline"`

	// Standard list metadata.
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the WebhookAuthenticators in the list.
	Items []WebhookAuthenticator `json:"items"`
}
