// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +groupName=clientsecret.supervisor.pinniped.dev

// Package clientsecret is the internal (hub) version of the Supervisor's client secret API: an
// OIDCClientSecretRequest creates or revokes secrets of an OIDCClient.
package clientsecret
