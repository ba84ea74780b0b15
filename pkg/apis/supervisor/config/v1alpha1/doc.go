// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +groupName=config.supervisor.pinniped.dev
// +versionName=v1alpha1

// Package v1alpha1 is version v1alpha1 of the Supervisor's configuration: FederationDomain and
// OIDCClient.
package v1alpha1
