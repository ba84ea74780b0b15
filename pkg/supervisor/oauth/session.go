// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sealworks/pinniped/pkg/sessionstore"
)

// session is one login and what was issued from it. The same value is stored in
// each entry of the session (the authorization code, access tokens, the refresh
// token); only the entry that owns the upstream grant carries its tokens.
type session struct {
	// ID names the entry: the authorization code's or access token's ID, or the
	// refresh token's signature.
	ID string `json:"id"`
	// Active is false once an authorization code was redeemed.
	Active bool `json:"active"`
	// ExpiresAt ends the entry's credential.
	ExpiresAt time.Time `json:"expiresAt"`
	// Request is the authorization request the session started with.
	Request authRequest `json:"request"`
	// Identity is who logged in.
	Identity identity `json:"identity"`
	// Upstream is the upstream grant, refreshed at every downstream refresh.
	sessionstore.WithUpstream
	// AccessTokenID and RefreshSignature name the entries made when an
	// authorization code was redeemed; a second use of the code deletes them.
	AccessTokenID    string `json:"accessTokenID,omitempty"`
	RefreshSignature string `json:"refreshSignature,omitempty"`

	// kind and resourceVersion say where this value was read from.
	kind            sessionstore.Kind
	resourceVersion string
}

// authRequest is what the session keeps of the authorization request.
type authRequest struct {
	ClientID            string    `json:"clientID"`
	RedirectURI         string    `json:"redirectURI"`
	State               string    `json:"state,omitempty"`
	Nonce               string    `json:"nonce,omitempty"`
	ResponseMode        string    `json:"responseMode,omitempty"`
	Scopes              []string  `json:"scopes"`
	CodeChallenge       string    `json:"codeChallenge"`
	CodeChallengeMethod string    `json:"codeChallengeMethod"`
	RequestedAt         time.Time `json:"requestedAt"`
}

// identity is the downstream identity and what it was made from.
type identity struct {
	// Subject is the downstream sub claim.
	Subject          string         `json:"subject"`
	Username         string         `json:"username"`
	Groups           []string       `json:"groups"`
	AdditionalClaims map[string]any `json:"additionalClaims,omitempty"`
	AuthTime         time.Time      `json:"authTime"`
	// The identity provider, by resource name and UID, so that a provider deleted
	// and created again does not inherit the sessions of the old one.
	ProviderName        string `json:"providerName"`
	ProviderUID         string `json:"providerUID"`
	ProviderType        string `json:"providerType"`
	ProviderDisplayName string `json:"providerDisplayName"`
	// UpstreamIssuer and UpstreamSubject must not change at a refresh.
	UpstreamIssuer  string `json:"upstreamIssuer,omitempty"`
	UpstreamSubject string `json:"upstreamSubject,omitempty"`
}

var (
	_ op.AuthRequest         = (*session)(nil)
	_ op.RefreshTokenRequest = (*session)(nil)
)

func (s *session) GetID() string         { return s.ID }
func (s *session) GetACR() string        { return "" }
func (s *session) GetAMR() []string      { return nil }
func (s *session) GetAudience() []string { return []string{s.Request.ClientID} }
func (s *session) GetAuthTime() time.Time {
	return s.Identity.AuthTime
}
func (s *session) GetClientID() string { return s.Request.ClientID }
func (s *session) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{
		Challenge: s.Request.CodeChallenge,
		Method:    oidc.CodeChallengeMethod(s.Request.CodeChallengeMethod),
	}
}
func (s *session) GetNonce() string                   { return s.Request.Nonce }
func (s *session) GetRedirectURI() string             { return s.Request.RedirectURI }
func (s *session) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (s *session) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(s.Request.ResponseMode)
}
func (s *session) GetScopes() []string { return s.Request.Scopes }
func (s *session) GetState() string    { return s.Request.State }
func (s *session) GetSubject() string  { return s.Identity.Subject }

// Done is true: a session exists only after its user logged in.
func (s *session) Done() bool { return true }

// SetCurrentScopes narrows the scopes of a refresh to those the client asked for.
func (s *session) SetCurrentScopes(scopes []string) { s.Request.Scopes = scopes }

// granted reports whether a scope was granted.
func (s *session) granted(scope string) bool { return slices.Contains(s.Request.Scopes, scope) }

// copyFor returns the session as another entry stores it: without the upstream
// grant, which only one entry may own.
func (s *session) copyFor(id string, expiresAt time.Time) *session {
	c := *s
	c.ID = id
	c.Active = true
	c.ExpiresAt = expiresAt
	c.Upstream = nil
	c.AccessTokenID, c.RefreshSignature = "", ""
	c.kind, c.resourceVersion = "", ""
	return &c
}
