// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"context"
	"errors"
	"time"

	coreosoidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Result is what a successful grant returns: the upstream's tokens and the identity
// mapped from them.
type Result struct {
	Tokens   Tokens
	Identity Identity
}

// Tokens are the upstream's tokens. The Supervisor keeps the refresh token (or, lacking
// one, the access token) in its session to re-check the user at every downstream refresh.
type Tokens struct {
	AccessToken       string
	AccessTokenExpiry time.Time
	RefreshToken      string
	// IDToken is the raw ID token; empty when a refresh returned none.
	IDToken string
}

// AuthorizeURL returns the URL to send a browser to. state, nonce and the PKCE
// verifier are the caller's to make (oauth2.GenerateVerifier suits all three) and to
// keep until the callback: the nonce is checked in ExchangeCode and the verifier is
// sent there. The additional parameters come last, and the controller has refused any
// that would replace a parameter set here.
func (p *Provider) AuthorizeURL(redirectURI, state, nonce, pkceVerifier string) string {
	conf := p.oauth2
	conf.RedirectURL = redirectURI
	opts := []oauth2.AuthCodeOption{coreosoidc.Nonce(nonce), oauth2.S256ChallengeOption(pkceVerifier)}
	for _, param := range p.config.AdditionalAuthorizeParameters {
		opts = append(opts, oauth2.SetAuthURLParam(param.Name, param.Value))
	}
	return conf.AuthCodeURL(state, opts...)
}

// ExchangeCode redeems an authorization code at the token endpoint with its PKCE
// verifier, then validates the ID token (which must carry the nonce of the request)
// and maps it to an identity.
func (p *Provider) ExchangeCode(ctx context.Context, code, redirectURI, pkceVerifier, nonce string) (*Result, error) {
	conf := p.oauth2
	conf.RedirectURL = redirectURI
	token, err := conf.Exchange(p.clientContext(ctx), code, oauth2.VerifierOption(pkceVerifier))
	if err != nil {
		return nil, grantError("redeem the authorization code", err)
	}
	return p.result(ctx, token, nonce, true)
}

// PasswordGrant logs a user in with the resource owner password credentials grant
// (RFC 6749 section 4.3), when the spec allows it. The ID token of this grant carries
// no nonce.
func (p *Provider) PasswordGrant(ctx context.Context, username, password string) (*Result, error) {
	if !p.config.AllowPasswordGrant {
		return nil, ErrPasswordGrantNotAllowed
	}
	token, err := p.oauth2.PasswordCredentialsToken(p.clientContext(ctx), username, password)
	if err != nil {
		return nil, grantError("run the password grant", err)
	}
	return p.result(ctx, token, "", true)
}

// Refresh redeems a refresh token. The issuer may rotate it: Tokens.RefreshToken is
// the one to keep, which is the old one only when the issuer returned none. An ID
// token in the answer is validated (without a nonce: refreshed ID tokens carry none
// or the original one); without one, the identity comes from userinfo alone. The
// caller compares the identity with the session's: a changed subject or username
// must end the session.
func (p *Provider) Refresh(ctx context.Context, refreshToken string) (*Result, error) {
	if refreshToken == "" {
		return nil, errors.New("could not refresh: no refresh token")
	}
	// An expired token with only a refresh token makes the token source refresh.
	source := p.oauth2.TokenSource(p.clientContext(ctx), &oauth2.Token{RefreshToken: refreshToken})
	token, err := source.Token()
	if err != nil {
		return nil, grantError("refresh", err)
	}
	if token.RefreshToken == "" {
		token.RefreshToken = refreshToken
	}
	return p.result(ctx, token, "", false)
}

// result validates a token response and maps its claims.
func (p *Provider) result(ctx context.Context, token *oauth2.Token, nonce string,
	requireIDToken bool) (*Result, error) {
	tokens := Tokens{
		AccessToken:       token.AccessToken,
		AccessTokenExpiry: token.Expiry,
		RefreshToken:      token.RefreshToken,
	}
	if raw, ok := token.Extra("id_token").(string); ok {
		tokens.IDToken = raw
	}
	claims, err := p.claims(ctx, tokens, nonce, requireIDToken)
	if err != nil {
		return nil, err
	}
	identity, err := p.config.Claims.Map(p.config.Issuer, claims)
	if err != nil {
		return nil, err
	}
	return &Result{Tokens: tokens, Identity: *identity}, nil
}

// clientContext makes the oauth2 package use the provider's HTTP client.
func (p *Provider) clientContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, p.httpClient)
}
