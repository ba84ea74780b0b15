// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +groupName=identity.concierge.pinniped.dev

// Package identity is the internal (hub) version of the Concierge's identity API: a WhoAmIRequest
// returns the user the API server authenticated.
package identity
