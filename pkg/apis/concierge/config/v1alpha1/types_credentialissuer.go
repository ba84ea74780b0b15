// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ImpersonationProxyMode says whether the Concierge runs its impersonation proxy.
//
// +kubebuilder:validation:Enum=auto;enabled;disabled
type ImpersonationProxyMode string

const (
	// ImpersonationProxyModeAuto runs the proxy only when no node of the cluster carries a
	// control-plane role label. That is the case on managed Kubernetes services, whose
	// control plane, and with it the cluster's signing key, is out of the Concierge's reach.
	ImpersonationProxyModeAuto ImpersonationProxyMode = "auto"

	// ImpersonationProxyModeEnabled always runs the proxy.
	ImpersonationProxyModeEnabled ImpersonationProxyMode = "enabled"

	// ImpersonationProxyModeDisabled never runs the proxy.
	ImpersonationProxyModeDisabled ImpersonationProxyMode = "disabled"
)

// ImpersonationProxyServiceType is the kind of Service that exposes the impersonation proxy.
//
// +kubebuilder:validation:Enum=LoadBalancer;ClusterIP;None
type ImpersonationProxyServiceType string

const (
	// ImpersonationProxyServiceTypeLoadBalancer exposes the proxy through a Service of type
	// LoadBalancer.
	ImpersonationProxyServiceTypeLoadBalancer ImpersonationProxyServiceType = "LoadBalancer"

	// ImpersonationProxyServiceTypeClusterIP exposes the proxy through a Service of type
	// ClusterIP, for clusters where something else (an ingress, a tunnel) routes to it.
	ImpersonationProxyServiceTypeClusterIP ImpersonationProxyServiceType = "ClusterIP"

	// ImpersonationProxyServiceTypeNone creates no Service; spec.impersonationProxy
	// .externalEndpoint must then say how clients reach the proxy.
	ImpersonationProxyServiceTypeNone ImpersonationProxyServiceType = "None"
)

// StrategyType names a way in which the Concierge can give users access to the cluster.
//
// +kubebuilder:validation:Enum=KubeClusterSigningCertificate;ImpersonationProxy
type StrategyType string

const (
	// KubeClusterSigningCertificateStrategyType issues client certificates signed by the
	// cluster's own signing key, which the kube-apiserver trusts directly.
	KubeClusterSigningCertificateStrategyType StrategyType = "KubeClusterSigningCertificate"

	// ImpersonationProxyStrategyType serves an impersonation proxy in front of the
	// kube-apiserver and issues client certificates that only the proxy trusts.
	ImpersonationProxyStrategyType StrategyType = "ImpersonationProxy"
)

// StrategyStatus says whether a strategy is working.
//
// +kubebuilder:validation:Enum=Success;Error
type StrategyStatus string

const (
	// SuccessStrategyStatus means the strategy is working.
	SuccessStrategyStatus StrategyStatus = "Success"

	// ErrorStrategyStatus means the strategy is not working; its reason and message say
	// why.
	ErrorStrategyStatus StrategyStatus = "Error"
)

// StrategyReason is a one-word explanation of a strategy's status.
//
// +kubebuilder:validation:Enum=Listening;Pending;Disabled;ErrorDuringSetup;CouldNotFetchKey;CouldNotGetClusterInfo;FetchedKey
type StrategyReason string

const (
	// ListeningStrategyReason means the impersonation proxy is serving requests.
	ListeningStrategyReason StrategyReason = "Listening"

	// PendingStrategyReason means the impersonation proxy is waiting for something, such
	// as the ingress address of its load balancer.
	PendingStrategyReason StrategyReason = "Pending"

	// DisabledStrategyReason means the impersonation proxy is turned off by its mode, or
	// by the auto mode's view of the cluster.
	DisabledStrategyReason StrategyReason = "Disabled"

	// ErrorDuringSetupStrategyReason means the impersonation proxy could not be started.
	ErrorDuringSetupStrategyReason StrategyReason = "ErrorDuringSetup"

	// CouldNotFetchKeyStrategyReason means the cluster's signing key could not be read.
	CouldNotFetchKeyStrategyReason StrategyReason = "CouldNotFetchKey"

	// CouldNotGetClusterInfoStrategyReason means the cluster's API server URL and CA bundle
	// could not be found, so clients could not be told where to send credential requests.
	CouldNotGetClusterInfoStrategyReason StrategyReason = "CouldNotGetClusterInfo"

	// FetchedKeyStrategyReason means the cluster's signing key was read and is being used.
	FetchedKeyStrategyReason StrategyReason = "FetchedKey"
)

// FrontendType names how clients reach a working strategy.
//
// +kubebuilder:validation:Enum=TokenCredentialRequestAPI;ImpersonationProxy
type FrontendType string

const (
	// TokenCredentialRequestAPIFrontendType means clients send TokenCredentialRequests to
	// the cluster's own API server and then talk to it directly.
	TokenCredentialRequestAPIFrontendType FrontendType = "TokenCredentialRequestAPI"

	// ImpersonationProxyFrontendType means clients send every request, including
	// TokenCredentialRequests, to the impersonation proxy.
	ImpersonationProxyFrontendType FrontendType = "ImpersonationProxy"
)

// CredentialIssuer holds the Concierge's configuration that may change while it runs, and
// reports which ways of reaching the cluster work. There is usually exactly one,
// created at install time; clients such as "pinniped get kubeconfig" read its status.
//
// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=pinniped
// +kubebuilder:printcolumn:name="ProxyMode",type=string,JSONPath=`.spec.impersonationProxy.mode`
// +kubebuilder:printcolumn:name="DefaultStrategy",type=string,JSONPath=`.status.strategies[?(@.status == "Success")].type`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CredentialIssuer struct {
	metav1.TypeMeta `json:",inline"`

	// Standard object metadata.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the configuration the Concierge should follow.
	Spec CredentialIssuerSpec `json:"spec"`

	// Status reports which strategies the Concierge found to work.
	//
	// +optional
	Status CredentialIssuerStatus `json:"status"`
}

// CredentialIssuerSpec is the configuration of the Concierge held by a CredentialIssuer.
type CredentialIssuerSpec struct {
	// ImpersonationProxy configures the impersonation proxy.
	//
	// +optional
	ImpersonationProxy *ImpersonationProxySpec `json:"impersonationProxy,omitempty"`
}

// ImpersonationProxySpec configures the Concierge's impersonation proxy: whether it runs,
// how it is exposed, and which certificate it serves.
//
// +kubebuilder:validation:XValidation:rule="!has(self.service.type) || self.service.type != 'None' || (has(self.externalEndpoint) && size(self.externalEndpoint) > 0)",message="externalEndpoint is required when service type is None"
type ImpersonationProxySpec struct {
	// Mode says whether the proxy runs: "enabled" always, "disabled" never, and "auto"
	// only when no node of the cluster carries a control-plane role label, as on managed
	// Kubernetes services where the cluster's signing key is out of reach.
	Mode ImpersonationProxyMode `json:"mode"`

	// Service configures the Service that the Concierge creates to expose the proxy.
	//
	// +kubebuilder:default:={"type": "LoadBalancer"}
	Service ImpersonationProxyServiceSpec `json:"service"`

	// ExternalEndpoint is the host, optionally with a port (443 when absent), at which
	// clients reach the proxy over HTTPS. When it is empty, clients are sent to the
	// ingress IP or hostname of the LoadBalancer Service, or else to the cluster IP of the
	// ClusterIP Service. It is required when service.type is None.
	//
	// +optional
	ExternalEndpoint string `json:"externalEndpoint,omitempty"`

	// TLS configures the certificate the proxy serves. When it is absent, the Concierge
	// creates its own CA and serving certificate.
	//
	// +optional
	TLS *ImpersonationProxyTLSSpec `json:"tls,omitempty"`
}

// ImpersonationProxyServiceSpec configures the Service that exposes the impersonation
// proxy.
type ImpersonationProxyServiceSpec struct {
	// Type is the kind of Service to create: LoadBalancer, ClusterIP, or None for no
	// Service at all.
	//
	// +optional
	// +kubebuilder:default:="LoadBalancer"
	Type ImpersonationProxyServiceType `json:"type,omitempty"`

	// LoadBalancerIP asks the cloud provider for this IP address when the Service is of
	// type LoadBalancer. Not every provider honours it.
	//
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	LoadBalancerIP string `json:"loadBalancerIP,omitempty"`

	// Annotations are added to the Service, for example to tune a cloud provider's load
	// balancer.
	//
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ImpersonationProxyTLSSpec configures the serving certificate of the impersonation proxy.
type ImpersonationProxyTLSSpec struct {
	// CertificateAuthorityData is a base64 encoding of the PEM-encoded CA certificate that
	// clients should trust for the proxy. When it is empty, the ca.crt key of the Secret
	// named by secretName is advertised instead, if present.
	//
	// +optional
	CertificateAuthorityData string `json:"certificateAuthorityData,omitempty"`

	// SecretName names a Secret of type kubernetes.io/tls, in the Concierge's namespace,
	// whose tls.crt and tls.key the proxy serves.
	//
	// +optional
	// +kubebuilder:validation:MinLength=1
	SecretName string `json:"secretName,omitempty"`
}

// CredentialIssuerStatus reports which strategies the Concierge found to work.
type CredentialIssuerStatus struct {
	// Strategies holds one entry per strategy type, the preferred strategy first.
	Strategies []CredentialIssuerStrategy `json:"strategies"`

	// KubeConfigInfo is where clients of old Pinniped versions looked for the cluster's
	// API server URL and CA bundle.
	//
	// Deprecated: read the frontend of a successful entry in strategies instead. This
	// field is kept for wire compatibility and is no longer written.
	//
	// +optional
	KubeConfigInfo *CredentialIssuerKubeConfigInfo `json:"kubeConfigInfo,omitempty"`
}

// CredentialIssuerKubeConfigInfo is the deprecated way of telling clients where the
// cluster's API server is.
type CredentialIssuerKubeConfigInfo struct {
	// Server is the URL of the cluster's API server.
	//
	// +kubebuilder:validation:Pattern=`^https?://`
	Server string `json:"server"`

	// CertificateAuthorityData is a base64 encoding of the PEM-encoded CA bundle that
	// clients should trust for the server.
	//
	// +kubebuilder:validation:MinLength=1
	CertificateAuthorityData string `json:"certificateAuthorityData"`
}

// CredentialIssuerStrategy is the state of one strategy.
type CredentialIssuerStrategy struct {
	// Type names the strategy.
	Type StrategyType `json:"type"`

	// Status says whether the strategy is working.
	Status StrategyStatus `json:"status"`

	// Reason is a one-word explanation of the status.
	Reason StrategyReason `json:"reason"`

	// Message explains the status to a person.
	//
	// +kubebuilder:validation:MinLength=1
	Message string `json:"message"`

	// LastUpdateTime is when the status, reason or message of this strategy last changed.
	LastUpdateTime metav1.Time `json:"lastUpdateTime"`

	// Frontend tells clients how to use the strategy. It is set only while the strategy is
	// working.
	//
	// +optional
	Frontend *CredentialIssuerFrontend `json:"frontend,omitempty"`
}

// CredentialIssuerFrontend tells clients how to reach a working strategy. Exactly one of
// its info fields is set, the one that matches its type.
type CredentialIssuerFrontend struct {
	// Type names how clients reach the strategy.
	Type FrontendType `json:"type"`

	// TokenCredentialRequestAPIInfo is set when the type is TokenCredentialRequestAPI.
	//
	// +optional
	TokenCredentialRequestAPIInfo *TokenCredentialRequestAPIInfo `json:"tokenCredentialRequestInfo,omitempty"`

	// ImpersonationProxyInfo is set when the type is ImpersonationProxy.
	//
	// +optional
	ImpersonationProxyInfo *ImpersonationProxyInfo `json:"impersonationProxyInfo,omitempty"`
}

// TokenCredentialRequestAPIInfo tells clients where to send TokenCredentialRequests when
// they go to the cluster's own API server.
type TokenCredentialRequestAPIInfo struct {
	// Server is the URL of the cluster's API server.
	//
	// +kubebuilder:validation:Pattern=`^https?://`
	Server string `json:"server"`

	// CertificateAuthorityData is a base64 encoding of the PEM-encoded CA bundle that
	// clients should trust for the server.
	//
	// +kubebuilder:validation:MinLength=1
	CertificateAuthorityData string `json:"certificateAuthorityData"`
}

// ImpersonationProxyInfo tells clients where the impersonation proxy is.
type ImpersonationProxyInfo struct {
	// Endpoint is the https URL of the impersonation proxy.
	//
	// +kubebuilder:validation:Pattern=`^https://`
	Endpoint string `json:"endpoint"`

	// CertificateAuthorityData is a base64 encoding of the PEM-encoded CA bundle that
	// clients should trust for the proxy.
	//
	// +kubebuilder:validation:MinLength=1
	CertificateAuthorityData string `json:"certificateAuthorityData"`
}

// CredentialIssuerList is a list of CredentialIssuers.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
// +kubebuilder:object:root=true
type CredentialIssuerList struct {
	metav1.TypeMeta `json:",inline"`

	// Standard list metadata.
	metav1.ListMeta `json:"metadata,omitempty"`

	// Items are the CredentialIssuers in the list.
	Items []CredentialIssuer `json:"items"`
}
