// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"context"
	"fmt"
	"net/url"

	coreosoidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// ClaimsConfig is an OIDCIdentityProvider's spec.claims.
type ClaimsConfig struct {
	// Username is the claim holding the username; empty means "<issuer>?sub=<sub>".
	Username string
	// Groups is the claim holding the groups; empty means no groups.
	Groups string
	// AdditionalClaimMappings maps a downstream name to an upstream claim name.
	AdditionalClaimMappings map[string]string
}

// Identity is who the upstream says the user is, after the claim mappings.
type Identity struct {
	// Subject is the upstream's sub claim; with the issuer it names the user for good.
	Subject string
	// Username and Groups are the mapped values; Groups is never nil.
	Username string
	Groups   []string
	// AdditionalClaims are the mapped additional claims; nil when none was found.
	AdditionalClaims map[string]any
}

// The claims this package reads itself.
const (
	claimSubject       = "sub"
	claimEmail         = "email"
	claimEmailVerified = "email_verified"
)

// protocolClaims describe the token rather than the user, so userinfo may not
// replace them.
var protocolClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "iat": true, "nbf": true,
	"nonce": true, "azp": true, "at_hash": true, "c_hash": true, "auth_time": true, "jti": true,
}

// claims returns the verified claims of a token response: the ID token's, with
// userinfo merged over them when the issuer has a userinfo endpoint. Userinfo is
// fresher than an ID token cached by the issuer, so its user claims win; its sub must
// equal the ID token's (OpenID Connect Core section 5.3.2), or the answer is not about
// the same user.
func (p *Provider) claims(ctx context.Context, tokens Tokens, nonce string,
	requireIDToken bool) (map[string]any, error) {
	claims := map[string]any{}
	if tokens.IDToken != "" {
		idToken, err := p.verifier.Verify(ctx, tokens.IDToken)
		if err != nil {
			return nil, fmt.Errorf("%w: could not verify the ID token: %w", ErrInvalidToken, err)
		}
		// go-oidc leaves the nonce to the caller; it is checked only for the code flow.
		if nonce != "" && idToken.Nonce != nonce {
			return nil, fmt.Errorf("%w: the ID token's nonce does not match the request's", ErrInvalidToken)
		}
		if err := idToken.Claims(&claims); err != nil {
			return nil, fmt.Errorf("%w: could not decode the ID token's claims: %w", ErrInvalidToken, err)
		}
	} else if requireIDToken {
		return nil, fmt.Errorf("%w: the token response has no ID token", ErrInvalidToken)
	}

	if !p.HasUserInfo() || tokens.AccessToken == "" {
		if tokens.IDToken == "" {
			return nil, fmt.Errorf("%w: no ID token and no userinfo endpoint to learn the user from",
				ErrInvalidToken)
		}
		return claims, nil
	}
	info, err := p.provider.UserInfo(coreosoidc.ClientContext(ctx, p.httpClient),
		oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tokens.AccessToken, TokenType: "Bearer"}))
	if err != nil {
		return nil, fmt.Errorf("%w: could not fetch userinfo: %w", ErrUpstreamUnavailable, err)
	}
	var infoClaims map[string]any
	if err := info.Claims(&infoClaims); err != nil {
		return nil, fmt.Errorf("%w: could not decode userinfo: %w", ErrInvalidToken, err)
	}
	if tokens.IDToken == "" {
		return infoClaims, nil
	}
	if info.Subject != claims[claimSubject] {
		return nil, fmt.Errorf("%w: userinfo is about another subject than the ID token", ErrInvalidToken)
	}
	for name, value := range infoClaims {
		if !protocolClaims[name] {
			claims[name] = value
		}
	}
	return claims, nil
}

// Map turns verified claims into an identity.
func (c ClaimsConfig) Map(issuer string, claims map[string]any) (*Identity, error) {
	subject, ok := claims[claimSubject].(string)
	if !ok || subject == "" {
		return nil, fmt.Errorf("%w: the sub claim is missing or not a string", ErrClaims)
	}
	identity := &Identity{Subject: subject, Groups: []string{}}

	switch c.Username {
	case "":
		// The issuer and subject together name a user uniquely (OpenID Connect Core
		// section 2); the subject is query-escaped because it is opaque text.
		identity.Username = issuer + "?sub=" + url.QueryEscape(subject)
	default:
		username, err := stringClaim(claims, c.Username)
		if err != nil {
			return nil, err
		}
		if c.Username == claimEmail {
			if err := requireVerifiedEmail(claims); err != nil {
				return nil, err
			}
		}
		identity.Username = username
	}

	if c.Groups != "" {
		groups, err := groupsClaim(claims, c.Groups)
		if err != nil {
			return nil, err
		}
		identity.Groups = groups
	}

	for downstream, upstream := range c.AdditionalClaimMappings {
		if value, ok := claims[upstream]; ok {
			if identity.AdditionalClaims == nil {
				identity.AdditionalClaims = map[string]any{}
			}
			identity.AdditionalClaims[downstream] = value
		}
	}
	return identity, nil
}

func stringClaim(claims map[string]any, name string) (string, error) {
	raw, ok := claims[name]
	if !ok {
		return "", fmt.Errorf("%w: the username claim %q is missing", ErrClaims, name)
	}
	value, ok := raw.(string)
	if !ok || value == "" {
		return "", fmt.Errorf("%w: the username claim %q is not a non-empty string", ErrClaims, name)
	}
	return value, nil
}

// requireVerifiedEmail refuses an email the issuer says it has not verified: anybody
// could have typed it. An issuer that sends no email_verified claim is trusted.
func requireVerifiedEmail(claims map[string]any) error {
	raw, ok := claims[claimEmailVerified]
	if !ok {
		return nil
	}
	verified, ok := raw.(bool)
	if !ok {
		return fmt.Errorf("%w: the email_verified claim is not a boolean", ErrClaims)
	}
	if !verified {
		return fmt.Errorf("%w: the email is not verified", ErrClaims)
	}
	return nil
}

// groupsClaim reads a claim holding one group as a string or several as a list of
// strings. A missing claim means no groups.
func groupsClaim(claims map[string]any, name string) ([]string, error) {
	raw, ok := claims[name]
	if !ok || raw == nil {
		return []string{}, nil
	}
	switch value := raw.(type) {
	case string:
		return []string{value}, nil
	case []any:
		groups := make([]string, 0, len(value))
		for _, item := range value {
			group, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%w: the groups claim %q holds a non-string value", ErrClaims, name)
			}
			groups = append(groups, group)
		}
		return groups, nil
	default:
		return nil, fmt.Errorf("%w: the groups claim %q is neither a string nor a list of strings",
			ErrClaims, name)
	}
}
