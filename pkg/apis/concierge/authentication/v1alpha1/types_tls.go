// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package v1alpha1

// Condition type and reason that report how an authenticator's spec.tls was understood.
const (
	// ConditionTLSConfigurationValid is True when spec.tls could be turned into a CA bundle,
	// or when spec.tls is absent and the system's root CAs are used instead.
	ConditionTLSConfigurationValid = "TLSConfigurationValid"

	// ReasonInvalidTLSConfig means spec.tls names a CA bundle that could not be read or parsed.
	ReasonInvalidTLSConfig = "InvalidTLSConfig"
)

// CertificateAuthorityDataSourceKind names the kind of object a CA bundle is read from.
//
// +kubebuilder:validation:Enum=Secret;ConfigMap
type CertificateAuthorityDataSourceKind string

const (
	// CertificateAuthorityDataSourceKindSecret reads the CA bundle from a Secret of type
	// kubernetes.io/tls or Opaque.
	CertificateAuthorityDataSourceKindSecret CertificateAuthorityDataSourceKind = "Secret"

	// CertificateAuthorityDataSourceKindConfigMap reads the CA bundle from a ConfigMap.
	CertificateAuthorityDataSourceKindConfigMap CertificateAuthorityDataSourceKind = "ConfigMap"
)

// TLSSpec tells an authenticator which certificate authorities to trust when it connects
// to a remote server over HTTPS. At most one of its two fields may be set; when neither is
// set, the root CAs of the Concierge's container image are trusted.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.certificateAuthorityData) && has(self.certificateAuthorityDataSource))",message="only one of certificateAuthorityData or certificateAuthorityDataSource may be set"
type TLSSpec struct {
	// CertificateAuthorityData is a base64 encoding of one or more PEM-encoded CA
	// certificates that are trusted to sign the remote server's certificate.
	//
	// +optional
	CertificateAuthorityData string `json:"certificateAuthorityData,omitempty"`

	// CertificateAuthorityDataSource points at a Secret or ConfigMap in the Concierge's own
	// namespace that holds the PEM-encoded CA bundle. The Concierge watches the object and
	// picks up changes to it without a restart.
	//
	// +optional
	CertificateAuthorityDataSource *CertificateAuthorityDataSourceSpec `json:"certificateAuthorityDataSource,omitempty"`
}

// CertificateAuthorityDataSourceSpec names a key of a Secret or ConfigMap, in the
// Concierge's own namespace, whose value is a PEM-encoded CA bundle. The value is plain
// PEM text, not base64 of it (beyond the base64 that a Secret's data always uses).
type CertificateAuthorityDataSourceSpec struct {
	// Kind is the kind of object that holds the CA bundle: Secret or ConfigMap. A Secret
	// must be of type kubernetes.io/tls or Opaque.
	//
	// +kubebuilder:validation:Required
	Kind CertificateAuthorityDataSourceKind `json:"kind"`

	// Name is the name of the Secret or ConfigMap. It must be in the same namespace as
	// the Concierge.
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Key is the key within the object's data whose value is the CA bundle. For a Secret
	// of type kubernetes.io/tls this is usually "ca.crt".
	//
	// +kubebuilder:validation:Required
	// +kubebuilder:validation:MinLength=1
	Key string `json:"key"`
}
