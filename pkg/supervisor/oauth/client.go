// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Names of the static client and the scopes this engine knows.
const (
	// CLIClientID is the public client the pinniped CLI uses.
	CLIClientID = "pinniped-cli"
	// ScopeRequestAudience allows a token exchange for a cluster audience.
	ScopeRequestAudience = "pinniped:request-audience"
	// ScopeUsername and ScopeGroups put the username and groups in ID tokens.
	ScopeUsername = "username"
	ScopeGroups   = "groups"
	// cliRedirectURI is the registered redirect of pinniped-cli; any port of a
	// loopback address matches it (RFC 8252 section 7.3).
	cliRedirectURI = "http://127.0.0.1/callback"
)

// cliClient is the static pinniped-cli client: public (no secret, PKCE instead),
// native (a loopback listener of any port), allowed the authorization code,
// refresh and token exchange grants.
type cliClient struct{}

var _ op.Client = cliClient{}

func (cliClient) GetID() string                       { return CLIClientID }
func (cliClient) RedirectURIs() []string              { return []string{cliRedirectURI} }
func (cliClient) PostLogoutRedirectURIs() []string    { return nil }
func (cliClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (cliClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodNone }
func (cliClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (cliClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeTokenExchange}
}

// LoginURL is not used: this engine sends browsers to the upstream itself.
func (cliClient) LoginURL(string) string               { return "" }
func (cliClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (cliClient) IDTokenLifetime() time.Duration       { return IDTokenLifetime }
func (cliClient) DevMode() bool                        { return false }
func (cliClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (cliClient) ClockSkew() time.Duration             { return 0 }
func (cliClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (cliClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed allows Pinniped's own scopes; the op package allows the standard
// OpenID Connect scopes itself.
func (cliClient) IsScopeAllowed(scope string) bool {
	return slices.Contains([]string{ScopeRequestAudience, ScopeUsername, ScopeGroups}, scope)
}
