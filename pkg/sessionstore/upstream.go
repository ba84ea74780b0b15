// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessionstore

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// UpstreamField is the top-level JSON field of a stored value that holds
// UpstreamTokens. The garbage collector reads only this field of a payload.
const UpstreamField = "upstream"

// UpstreamTokens names an upstream OIDC grant that ends when its entry expires:
// the garbage collector revokes the refresh token (or, without one, the access
// token) at ProviderName before deleting the entry.
//
// A value carries it by embedding WithUpstream. Set it only on the one entry of a
// session that owns the upstream grant (the refresh-token entry, or an unused
// authcode); copies stored for other purposes must leave it empty, or the
// collector would revoke a grant that a newer entry still uses.
type UpstreamTokens struct {
	// ProviderName is the name of the OIDCIdentityProvider that issued the tokens.
	ProviderName string `json:"providerName"`
	// RefreshToken and AccessToken are the upstream tokens; either may be empty.
	RefreshToken string `json:"refreshToken,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
}

// WithUpstream is embedded in stored values to carry UpstreamTokens under
// UpstreamField.
type WithUpstream struct {
	Upstream *UpstreamTokens `json:"upstream,omitempty"`
}

// UpstreamTokensOf returns the upstream tokens held by an entry's Secret, or nil
// when it holds none or is not a storage entry.
func UpstreamTokensOf(secret *corev1.Secret) (*UpstreamTokens, error) {
	if _, ok := secret.Data[DataKey]; !ok {
		return nil, nil
	}
	var value WithUpstream
	if err := json.Unmarshal(secret.Data[DataKey], &value); err != nil {
		return nil, fmt.Errorf("could not decode entry: %w: %w", ErrInvalid, err)
	}
	if value.Upstream == nil || (value.Upstream.RefreshToken == "" && value.Upstream.AccessToken == "") {
		return nil, nil
	}
	return value.Upstream, nil
}
