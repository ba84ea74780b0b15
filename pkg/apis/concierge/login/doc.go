// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +groupName=login.concierge.pinniped.dev

// Package login is the internal (hub) version of the Concierge's credential exchange API: a
// TokenCredentialRequest trades an external token for a short-lived cluster credential.
package login
