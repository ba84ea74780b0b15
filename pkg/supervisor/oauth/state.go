// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"net/http"

	"golang.org/x/oauth2"

	"github.com/sealworks/pinniped/pkg/sessionstore"
	upstreamoidc "github.com/sealworks/pinniped/pkg/upstream/oidc"
)

const (
	// stateName and csrfName name the two values for the codecs, so that one cannot
	// be passed off as the other.
	stateName = "s"
	csrfName  = "csrf"
	// CSRFCookieName is the browser cookie that binds a state to the browser that
	// started the login. __Host- keeps it to this host, over https, on every path.
	CSRFCookieName = "__Host-pinniped-csrf-v2"
	// stateVersion is the format of upstreamState; another one is refused.
	stateVersion = "2"
)

// upstreamState is what the browser flow carries through the upstream, signed and
// encrypted: the original authorization request and the secrets of the upstream
// request (its nonce and PKCE verifier).
type upstreamState struct {
	Params  string `json:"p"`
	IDPName string `json:"u"`
	IDPType string `json:"t"`
	Nonce   string `json:"n"`
	CSRF    string `json:"c"`
	PKCE    string `json:"k"`
	Version string `json:"v"`
}

func (f *federationDomain) encodeState(st upstreamState) (string, error) {
	codec, err := f.stateCodec()
	if err != nil {
		return "", err
	}
	return codec.Encode(stateName, st)
}

func (f *federationDomain) decodeState(encoded string) (upstreamState, error) {
	var st upstreamState
	codec, err := f.stateCodec()
	if err != nil {
		return st, err
	}
	err = codec.Decode(stateName, encoded, &st)
	return st, err
}

// csrfToken returns the browser's CSRF token, setting a new cookie when it has none
// this FederationDomain can read.
func (f *federationDomain) csrfToken(w http.ResponseWriter, r *http.Request) (string, error) {
	codec, err := f.csrfCodec()
	if err != nil {
		return "", err
	}
	if cookie, err := r.Cookie(CSRFCookieName); err == nil {
		var token string
		if codec.Decode(csrfName, cookie.Value, &token) == nil && token != "" {
			return token, nil
		}
	}
	token := oauth2.GenerateVerifier()
	encoded, err := codec.Encode(csrfName, token)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name: CSRFCookieName, Value: encoded, Path: "/", MaxAge: int(CSRFCookieLifetime.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteNoneMode,
	})
	return token, nil
}

// readCSRF returns the CSRF token of the browser's cookie.
func (f *federationDomain) readCSRF(r *http.Request) (string, bool) {
	codec, err := f.csrfCodec()
	if err != nil {
		return "", false
	}
	cookie, err := r.Cookie(CSRFCookieName)
	if err != nil {
		return "", false
	}
	var token string
	if codec.Decode(csrfName, cookie.Value, &token) != nil || token == "" {
		return "", false
	}
	return token, true
}

// upstreamTokens is what a session keeps of an upstream grant: the refresh token,
// or the access token when the upstream gave none.
func upstreamTokens(providerName string, tokens upstreamoidc.Tokens) *sessionstore.UpstreamTokens {
	kept := &sessionstore.UpstreamTokens{ProviderName: providerName, RefreshToken: tokens.RefreshToken}
	if tokens.RefreshToken == "" {
		kept.AccessToken = tokens.AccessToken
	}
	return kept
}
