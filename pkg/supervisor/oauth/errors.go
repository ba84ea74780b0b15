// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import "github.com/zitadel/oidc/v3/pkg/oidc"

// errTemporarilyUnavailable is RFC 6749's temporarily_unavailable, which the op
// package has no constructor for.
func errTemporarilyUnavailable(description string) *oidc.Error {
	return &oidc.Error{ErrorType: "temporarily_unavailable", Description: description}
}

// errUpstreamRefresh answers a refresh that the upstream, or the checks of the
// refreshed identity, refused. The code is the literal "error", as upstream
// Pinniped answers, so that clients tell it from a bad refresh token.
func errUpstreamRefresh(reason string) *oidc.Error {
	return &oidc.Error{ErrorType: "error", Description: "Error during upstream refresh. " + reason}
}
