// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"k8s.io/klog/v2"
)

// maxFormBytes bounds the body of form posts; real ones are a few kilobytes.
const maxFormBytes = 1 << 20

// token is the token endpoint: the authorization code and refresh token grants go to
// the op package, the token exchange to this package.
func (f *federationDomain) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, r.Method+" (try POST)", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	r = r.WithContext(op.ContextWithIssuer(r.Context(), f.issuer))
	if err := r.ParseForm(); err != nil {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("The form could not be parsed."), nil)
		return
	}
	if r.PostForm.Has("client_secret") {
		// OIDCClients authenticate with client_secret_basic only, as upstream's do.
		op.RequestError(w, r, oidc.ErrInvalidClient().WithDescription(
			"Client credentials must be sent with HTTP Basic authentication."), nil)
		return
	}
	grantType := r.PostForm.Get("grant_type")
	clientID := r.PostForm.Get("client_id")
	if user, _, ok := r.BasicAuth(); ok {
		clientID = user
	}
	// Only names are logged: every other parameter may be a secret.
	klog.V(2).InfoS("token request", "federationDomain", f.name, "grantType", grantType, "clientID", clientID)
	w.Header().Set("Cache-Control", "no-store")
	switch oidc.GrantType(grantType) {
	case oidc.GrantTypeTokenExchange:
		f.tokenExchange(w, r, clientID)
	case oidc.GrantTypeCode, oidc.GrantTypeRefreshToken:
		op.Exchange(w, r, f.provider)
	case "":
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("The grant_type is missing."), nil)
	default:
		op.RequestError(w, r, oidc.ErrUnsupportedGrantType().WithDescription(
			"The grant_type is not supported."), nil)
	}
}
