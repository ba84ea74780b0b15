// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret
// +k8s:defaulter-gen=TypeMeta
// +k8s:openapi-gen=true
// +k8s:openapi-model-package=dev.pinniped.supervisor.clientsecret.v1alpha1
// +groupName=clientsecret.supervisor.pinniped.dev

// Package v1alpha1 is version v1alpha1 of the Supervisor's client secret API: an
// OIDCClientSecretRequest creates or revokes secrets of an OIDCClient.
package v1alpha1
