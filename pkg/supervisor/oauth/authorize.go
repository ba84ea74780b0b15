// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"
	"k8s.io/klog/v2"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
	upstreamoidc "github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// Parameters and headers of the authorize endpoint that are Pinniped's own.
const (
	// ParamIDPName chooses an identity provider by its display name.
	ParamIDPName = "pinniped_idp_name"
	// ParamIDPType is accepted for compatibility and logged, but not used.
	ParamIDPType = "pinniped_idp_type"
	// HeaderUsername and HeaderPassword carry the credentials of the browserless
	// flow; either one being present selects it.
	HeaderUsername = "Pinniped-Username"
	HeaderPassword = "Pinniped-Password"
)

// authorize starts a login: it validates the authorization request, picks the
// identity provider, and then either logs in with the username and password
// headers at once or sends the browser to the upstream.
func (f *federationDomain) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, r.Method+" (try GET or POST)", http.StatusMethodNotAllowed)
		return
	}
	r = r.WithContext(op.ContextWithIssuer(r.Context(), f.issuer))
	authReq, ok := f.validateAuthRequest(w, r, r)
	if !ok {
		return
	}
	fail := func(err error) { op.AuthRequestError(w, r, authReq, err, f.provider) }

	_, hasUsername := r.Header[HeaderUsername]
	_, hasPassword := r.Header[HeaderPassword]
	headerFlow := hasUsername || hasPassword
	klog.V(2).InfoS("authorize request", "federationDomain", f.name, "clientID", authReq.ClientID,
		"idpName", r.Form.Get(ParamIDPName), "idpType", r.Form.Get(ParamIDPType), "passwordHeaders", headerFlow)

	idp, ok := f.chooseFor(r.Form.Get(ParamIDPName))
	if !ok {
		switch {
		case r.Form.Get(ParamIDPName) != "":
			fail(oidc.ErrInvalidRequest().WithDescription("The identity provider was not found."))
		case !headerFlow && len(f.idps) > 0:
			// A browser picks one on the chooser page, which comes back here with it.
			http.Redirect(w, r, f.issuer+endpoints.ChooseIDPPath+"?"+r.Form.Encode(), http.StatusSeeOther)
		default:
			fail(oidc.ErrInvalidRequest().WithDescription(`"pinniped_idp_name" param error: ` +
				"an identity provider must be named."))
		}
		return
	}
	if headerFlow {
		f.passwordLogin(w, r, authReq, idp)
		return
	}
	if slices.Contains(authReq.Prompt, oidc.PromptNone) {
		fail(oidc.ErrLoginRequired().WithDescription("A login is required; prompt=none cannot be honoured."))
		return
	}
	f.browserLogin(w, r, authReq, idp)
}

// validateAuthRequest parses and checks an authorization request from form, writing
// the error when it is not valid. Errors about the client or its redirect URI are
// shown to the browser; the others go back to the client's redirect URI.
func (f *federationDomain) validateAuthRequest(w http.ResponseWriter, r *http.Request,
	form *http.Request) (*oidc.AuthRequest, bool) {
	ctx := r.Context()
	authReq, err := op.ParseAuthorizeRequest(form, f.provider.Decoder())
	if err != nil {
		op.AuthRequestError(w, r, nil, err, f.provider)
		return nil, false
	}
	client := f.lookupClient(authReq.ClientID)
	if client == nil {
		op.AuthRequestError(w, r, nil, oidc.ErrInvalidClient().WithDescription("The client is not known."), f.provider)
		return nil, false
	}
	if client.GetID() == CLIClientID && !loopbackIP(authReq.RedirectURI) {
		op.AuthRequestError(w, r, nil, oidc.ErrInvalidRequestRedirectURI().WithDescription(
			"The redirect_uri of this client must be http on 127.0.0.1 or [::1]."), f.provider)
		return nil, false
	}
	requestedScopes := slices.Clone(authReq.Scopes)
	if _, err := op.ValidateAuthRequestClient(ctx, authReq, client, f.provider.IDTokenHintVerifier(ctx)); err != nil {
		op.AuthRequestError(w, r, authReq, err, f.provider)
		return nil, false
	}
	if dynamic, ok := client.(*dynamicClient); ok {
		if !f.validateDynamicRequest(w, r, authReq, dynamic, requestedScopes) {
			return nil, false
		}
	}
	// From here on the redirect URI is the client's own, and errors go there.
	switch {
	case authReq.CodeChallenge == "" || authReq.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		err = oidc.ErrInvalidRequest().WithDescription("PKCE is required: send a code_challenge with " +
			"code_challenge_method S256.")
	case authReq.ResponseMode != "" && authReq.ResponseMode != oidc.ResponseModeQuery &&
		authReq.ResponseMode != oidc.ResponseModeFormPost:
		err = oidc.ErrInvalidRequest().WithDescription("The response_mode must be query or form_post.")
	case !slices.Contains(authReq.Scopes, oidc.ScopeOpenID):
		err = oidc.ErrInvalidScope().WithDescription("The openid scope is required.")
	}
	if err != nil {
		op.AuthRequestError(w, r, authReq, err, f.provider)
		return nil, false
	}
	if client.GetID() == CLIClientID {
		// Older CLIs do not ask for these, and expect them anyway.
		for _, scope := range []string{ScopeUsername, ScopeGroups} {
			if !slices.Contains(authReq.Scopes, scope) {
				authReq.Scopes = append(authReq.Scopes, scope)
			}
		}
	}
	return authReq, true
}

// validateDynamicRequest applies what only an OIDCClient is held to: every requested
// scope must be allowed (the op package would drop the others silently), and the
// response comes as a query, never as a form post.
func (f *federationDomain) validateDynamicRequest(w http.ResponseWriter, r *http.Request,
	authReq *oidc.AuthRequest, client *dynamicClient, requestedScopes []string) bool {
	err := client.checkScopes(requestedScopes)
	if err == nil && authReq.ResponseMode != "" && authReq.ResponseMode != oidc.ResponseModeQuery {
		err = oidc.ErrInvalidRequest().WithDescription("The response_mode of this client must be query.")
	}
	if err != nil {
		op.AuthRequestError(w, r, authReq, err, f.provider)
		return false
	}
	return true
}

// loopbackIP reports whether a redirect URI is http on a loopback IP address.
func loopbackIP(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// chooseFor returns the identity provider of a display name, or, when none is named,
// the only one of a FederationDomain in legacy mode.
func (f *federationDomain) chooseFor(displayName string) (endpoints.IdentityProvider, bool) {
	if displayName == "" {
		if f.legacy && len(f.idps) == 1 {
			return f.idps[0], true
		}
		return endpoints.IdentityProvider{}, false
	}
	return f.idpByName(displayName)
}

// oidcUpstream returns the ready upstream of an OIDC identity provider.
func (f *federationDomain) oidcUpstream(idp endpoints.IdentityProvider) (*upstreamoidc.Provider, error) {
	if idp.Type != idpdiscoveryv1alpha1.IDPTypeOIDC {
		return nil, oidc.ErrServerError().WithDescription("Logins through %s identity providers are not "+
			"supported by this Supervisor yet.", idp.Type)
	}
	upstream := f.upstreams.Get(idp.ResourceName)
	if upstream == nil {
		return nil, errTemporarilyUnavailable("The identity provider is not ready.")
	}
	return upstream, nil
}

// passwordLogin is the browserless flow of the pinniped CLI: the credentials come in
// headers and go to the upstream's password grant at once.
func (f *federationDomain) passwordLogin(w http.ResponseWriter, r *http.Request, authReq *oidc.AuthRequest,
	idp endpoints.IdentityProvider) {
	fail := func(err error) { op.AuthRequestError(w, r, authReq, err, f.provider) }
	if authReq.ClientID != CLIClientID {
		fail(oidc.ErrAccessDenied().WithDescription(
			"This client is not allowed to submit username or password headers to this endpoint."))
		return
	}
	username, password := r.Header.Get(HeaderUsername), r.Header.Get(HeaderPassword)
	if username == "" || password == "" {
		fail(oidc.ErrAccessDenied().WithDescription("Missing or blank username or password."))
		return
	}
	upstream, err := f.oidcUpstream(idp)
	if err != nil {
		fail(err)
		return
	}
	if !idp.AllowPasswordGrant {
		fail(oidc.ErrAccessDenied().WithDescription("The identity provider does not allow logins with a " +
			"username and password; use the browser flow."))
		return
	}
	result, err := upstream.PasswordGrant(r.Context(), username, password)
	if err != nil {
		klog.InfoS("upstream password grant failed", "federationDomain", f.name, "idp", idp.DisplayName,
			"reason", err.Error())
		fail(upstreamError(err, "Username/password not accepted by OIDC provider."))
		return
	}
	f.completeLogin(w, r, authReq, idp, upstream, result)
}

// upstreamError is the error a client sees when the upstream refused or failed. The
// upstream's own words stay in the Supervisor's log.
func upstreamError(err error, refused string) error {
	switch upstreamoidc.RFC6749Code(err) {
	case upstreamoidc.CodeAccessDenied:
		return oidc.ErrAccessDenied().WithDescription("%s", refused)
	case upstreamoidc.CodeTemporarilyUnavailable:
		return errTemporarilyUnavailable("The identity provider could not be reached.")
	default:
		return oidc.ErrServerError().WithDescription("The identity provider failed.")
	}
}

// browserLogin sends the browser to the upstream's login page. The request travels
// in the signed and encrypted state; no storage is used until the login completes.
func (f *federationDomain) browserLogin(w http.ResponseWriter, r *http.Request, authReq *oidc.AuthRequest,
	idp endpoints.IdentityProvider) {
	fail := func(err error) { op.AuthRequestError(w, r, authReq, err, f.provider) }
	upstream, err := f.oidcUpstream(idp)
	if err != nil {
		fail(err)
		return
	}
	csrf, err := f.csrfToken(w, r)
	if err != nil {
		fail(oidc.ErrServerError().WithDescription("The Supervisor is not ready.").WithParent(err))
		return
	}
	params := url.Values{}
	for name, values := range r.Form {
		if name != ParamIDPName && name != ParamIDPType {
			params[name] = values
		}
	}
	st := upstreamState{
		Params: params.Encode(), IDPName: idp.DisplayName, IDPType: string(idp.Type),
		Nonce: oauth2.GenerateVerifier(), CSRF: csrf, PKCE: oauth2.GenerateVerifier(), Version: stateVersion,
	}
	encoded, err := f.encodeState(st)
	if err != nil {
		fail(oidc.ErrServerError().WithDescription("The Supervisor is not ready.").WithParent(err))
		return
	}
	http.Redirect(w, r, upstream.AuthorizeURL(f.issuer+endpoints.CallbackPath, encoded, st.Nonce, st.PKCE),
		http.StatusSeeOther)
}

// completeLogin stores the new session and answers the client with its code.
func (f *federationDomain) completeLogin(w http.ResponseWriter, r *http.Request, authReq *oidc.AuthRequest,
	idp endpoints.IdentityProvider, upstream *upstreamoidc.Provider, result *upstreamoidc.Result) {
	sess, err := f.newSession(r.Context(), authReq, idp, upstream, result)
	if err != nil {
		op.AuthRequestError(w, r, authReq, err, f.provider)
		return
	}
	klog.InfoS("login succeeded", "federationDomain", f.name, "idp", idp.DisplayName,
		"username", sess.Identity.Username, "clientID", authReq.ClientID)
	op.AuthResponse(sess, f.provider, w, r)
}

func (f *federationDomain) newSession(ctx context.Context, authReq *oidc.AuthRequest,
	idp endpoints.IdentityProvider, upstream *upstreamoidc.Provider, result *upstreamoidc.Result) (*session, error) {
	if result.Identity.Username == "" {
		return nil, oidc.ErrAccessDenied().WithDescription("The identity provider gave no username.")
	}
	id, err := newID()
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	config := upstream.Config()
	now := f.clock.Now()
	sess := &session{
		ID: id,
		Request: authRequest{
			ClientID: authReq.ClientID, RedirectURI: authReq.RedirectURI, State: authReq.State,
			Nonce: authReq.Nonce, ResponseMode: string(authReq.ResponseMode), Scopes: authReq.Scopes,
			CodeChallenge: authReq.CodeChallenge, CodeChallengeMethod: string(authReq.CodeChallengeMethod),
			RequestedAt: now,
		},
		Identity: identity{
			Subject:          downstreamSubject(config.Issuer, idp.DisplayName, result.Identity.Subject),
			Username:         result.Identity.Username,
			Groups:           result.Identity.Groups,
			AdditionalClaims: result.Identity.AdditionalClaims,
			AuthTime:         now,
			ProviderName:     config.Name, ProviderUID: config.ResourceUID,
			ProviderType: string(idp.Type), ProviderDisplayName: idp.DisplayName,
			UpstreamIssuer: config.Issuer, UpstreamSubject: result.Identity.Subject,
		},
	}
	if result.Tokens.RefreshToken != "" || result.Tokens.AccessToken != "" {
		sess.Upstream = upstreamTokens(config.Name, result.Tokens)
	}
	if err := f.storage.saveLogin(ctx, sess); err != nil {
		return nil, oidc.ErrServerError().WithDescription("The session could not be stored.").WithParent(err)
	}
	return sess, nil
}

// downstreamSubject names a user for good: the upstream issuer, the identity
// provider's display name and the upstream subject.
func downstreamSubject(issuer, displayName, subject string) string {
	return issuer + "?idpName=" + url.QueryEscape(displayName) + "&sub=" + url.QueryEscape(subject)
}

var errInvalidAccessToken = errors.New("the access token is invalid or has expired")
