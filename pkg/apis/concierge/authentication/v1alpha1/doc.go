// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package
// +groupName=authentication.concierge.pinniped.dev
// +versionName=v1alpha1

// Package v1alpha1 is version v1alpha1 of the Concierge's authenticator configuration:
// JWTAuthenticator and WebhookAuthenticator.
package v1alpha1
