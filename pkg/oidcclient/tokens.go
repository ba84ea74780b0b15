// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

// freshLogin runs the chosen flow, which ends with an authorization code.
func (l *login) freshLogin(ctx context.Context) (*oidctypes.Token, error) {
	flow, idpParams, err := l.chooseFlow(ctx)
	if err != nil {
		return nil, err
	}
	params := append([]oauth2.AuthCodeOption{
		oauth2.AccessTypeOffline,
		oauth2.SetAuthURLParam("nonce", l.nonce),
		oauth2.S256ChallengeOption(l.verifier),
	}, idpParams...)
	if flow == idpdiscoveryv1alpha1.IDPFlowCLIPassword {
		return l.passwordLogin(ctx, params)
	}
	return l.browserLogin(ctx, params)
}

// redeem trades an authorization code for tokens (PKCE, and the redirect URI that
// the authorize request used) and checks the ID token's nonce.
func (l *login) redeem(ctx context.Context, code string) (*oidctypes.Token, error) {
	token, err := l.oauth2Config.Exchange(ctx, code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		return nil, fmt.Errorf("could not complete authorization code exchange: %w", err)
	}
	return l.validate(ctx, token, l.nonce)
}

// refresh uses a refresh token. The refreshed ID token carries no nonce.
func (l *login) refresh(ctx context.Context, refreshToken string) (*oidctypes.Token, error) {
	token, err := l.oauth2Config.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, fmt.Errorf("could not refresh: %w", err)
	}
	return l.validate(ctx, token, "")
}

// validate verifies the ID token of a token response (signature by the issuer's
// JWKS, issuer, audience = client ID, expiry, and nonce when one was sent) and
// turns the response into cacheable tokens.
func (l *login) validate(ctx context.Context, token *oauth2.Token, nonce string) (*oidctypes.Token, error) {
	rawIDToken, _ := token.Extra("id_token").(string)
	if rawIDToken == "" {
		return nil, errors.New("the token response has no id_token")
	}
	idToken, claims, err := l.verifyIDToken(ctx, rawIDToken, l.opts.ClientID)
	if err != nil {
		return nil, err
	}
	if nonce != "" && idToken.Nonce != nonce {
		return nil, errors.New("the ID token has the wrong nonce")
	}
	result := &oidctypes.Token{
		IDToken: &oidctypes.IDToken{Token: rawIDToken, Expiry: metav1.NewTime(idToken.Expiry), Claims: claims},
	}
	if token.AccessToken != "" {
		result.AccessToken = &oidctypes.AccessToken{
			Token: token.AccessToken, Type: token.TokenType, Expiry: metav1.NewTime(token.Expiry),
		}
	}
	if token.RefreshToken != "" {
		result.RefreshToken = &oidctypes.RefreshToken{Token: token.RefreshToken}
	}
	return result, nil
}

// verifyIDToken checks a JWT from the issuer for an audience and returns its claims.
func (l *login) verifyIDToken(ctx context.Context, raw, audience string) (*oidc.IDToken, map[string]any, error) {
	verifier := l.provider.Verifier(&oidc.Config{ClientID: audience, Now: l.opts.Now})
	idToken, err := verifier.Verify(ctx, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("could not verify the ID token: %w", err)
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return nil, nil, fmt.Errorf("could not read the ID token's claims: %w", err)
	}
	return idToken, claims, nil
}
