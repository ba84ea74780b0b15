// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=github.com/sealworks/pinniped/pkg/apis/concierge/login
// +k8s:defaulter-gen=TypeMeta
// +k8s:openapi-gen=true
// +k8s:openapi-model-package=dev.pinniped.concierge.login.v1alpha1
// +groupName=login.concierge.pinniped.dev

// Package v1alpha1 is version v1alpha1 of the Concierge's credential exchange API: a
// TokenCredentialRequest trades an external token for a short-lived cluster credential.
package v1alpha1
