// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"context"

	"k8s.io/klog/v2"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// refreshUpstream checks, at a downstream refresh, that the upstream still accepts
// the user: it refreshes the upstream grant, requires the same user, and takes the
// groups the upstream has now. The session is updated in place; the caller stores it.
func (f *federationDomain) refreshUpstream(ctx context.Context, sess *session) error {
	id := &sess.Identity
	fail := func(reason, detail string) error {
		klog.InfoS("upstream refresh refused", "federationDomain", f.name, "idp", id.ProviderDisplayName,
			"username", id.Username, "reason", detail)
		return errUpstreamRefresh(reason)
	}
	if id.ProviderType != string(idpdiscoveryv1alpha1.IDPTypeOIDC) {
		return fail("The identity provider type is not supported.", "type "+id.ProviderType)
	}
	upstream := f.upstreams.Get(id.ProviderName)
	if upstream == nil || upstream.Config().ResourceUID != id.ProviderUID {
		return fail("The identity provider of this session no longer exists.", "provider not found")
	}
	if _, ok := f.idpByName(id.ProviderDisplayName); !ok {
		return fail("The identity provider of this session is no longer offered.", "display name not found")
	}
	if sess.Upstream == nil || sess.Upstream.RefreshToken == "" {
		return fail("The session holds no upstream refresh token.", "no upstream refresh token")
	}
	result, err := upstream.Refresh(ctx, sess.Upstream.RefreshToken)
	if err != nil {
		return fail("The identity provider refused the refresh.", err.Error())
	}
	if result.Identity.Subject != id.UpstreamSubject {
		return fail("The identity provider returned another user.", "subject changed")
	}
	if result.Identity.Username != id.Username {
		return fail("The username changed.", "username changed")
	}
	if sess.granted(ScopeGroups) {
		id.Groups = result.Identity.Groups
	}
	if len(result.Identity.AdditionalClaims) > 0 {
		id.AdditionalClaims = result.Identity.AdditionalClaims
	}
	sess.Upstream = upstreamTokens(id.ProviderName, result.Tokens)
	return nil
}
