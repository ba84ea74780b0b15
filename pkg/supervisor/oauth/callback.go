// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"crypto/subtle"
	"mime"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// callback is where the upstream sends the browser back: it checks the state
// against the browser's CSRF cookie, redeems the upstream code, and answers the
// client's original request with a code of its own.
func (f *federationDomain) callback(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mediaType != "application/x-www-form-urlencoded" {
			http.Error(w, "Unsupported media type (try application/x-www-form-urlencoded)",
				http.StatusUnsupportedMediaType)
			return
		}
	default:
		http.Error(w, r.Method+" (try GET or POST)", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad request: the form could not be parsed", http.StatusBadRequest)
		return
	}
	r = r.WithContext(op.ContextWithIssuer(r.Context(), f.issuer))

	csrf, ok := f.readCSRF(r)
	if !ok {
		http.Error(w, "Forbidden: the CSRF cookie is missing or invalid", http.StatusForbidden)
		return
	}
	st, err := f.decodeState(r.Form.Get("state"))
	if err != nil {
		http.Error(w, "Bad request: the state parameter is invalid or has expired", http.StatusBadRequest)
		return
	}
	if st.Version != stateVersion {
		http.Error(w, "Unprocessable entity: the state parameter has an unknown format",
			http.StatusUnprocessableEntity)
		return
	}
	if subtle.ConstantTimeCompare([]byte(st.CSRF), []byte(csrf)) != 1 {
		http.Error(w, "Forbidden: the CSRF value does not match", http.StatusForbidden)
		return
	}
	original, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/?"+st.Params, nil)
	if err != nil {
		http.Error(w, "Bad request: the state parameter is invalid", http.StatusBadRequest)
		return
	}
	// The client may have changed since the login started; check its request again.
	authReq, ok := f.validateAuthRequest(w, r, original)
	if !ok {
		return
	}
	fail := func(err error) { op.AuthRequestError(w, r, authReq, err, f.provider) }
	if upstreamErr := r.Form.Get("error"); upstreamErr != "" {
		klog.InfoS("upstream refused the login", "federationDomain", f.name, "idp", st.IDPName,
			"error", upstreamErr)
		fail(oidc.ErrAccessDenied().WithDescription("The identity provider refused the login."))
		return
	}
	code := r.Form.Get("code")
	if code == "" {
		http.Error(w, "Bad request: the code parameter is missing", http.StatusBadRequest)
		return
	}
	idp, ok := f.idpByName(st.IDPName)
	if !ok {
		fail(oidc.ErrAccessDenied().WithDescription("The identity provider no longer exists."))
		return
	}
	upstream, err := f.oidcUpstream(idp)
	if err != nil {
		fail(err)
		return
	}
	result, err := upstream.ExchangeCode(r.Context(), code, f.issuer+endpoints.CallbackPath, st.PKCE, st.Nonce)
	if err != nil {
		klog.InfoS("upstream code exchange failed", "federationDomain", f.name, "idp", idp.DisplayName,
			"reason", err.Error())
		fail(upstreamError(err, "The identity provider refused the login."))
		return
	}
	f.completeLogin(w, r, authReq, idp, upstream, result)
}
