// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oauth is the Supervisor's OAuth 2.0 and OpenID Connect engine: the
// authorize, callback, token and identity-provider chooser endpoints of each
// FederationDomain.
//
// The protocol work (parsing and validating authorization requests, redirect URI
// and PKCE rules, the authorization code and refresh token grants, ID tokens) is
// done by github.com/zitadel/oidc's op package, an OpenID certified provider
// library, through its storage interface. This package adds what is Pinniped's
// own: logging in through an upstream identity provider (by browser redirect, or
// by username and password headers for the pinniped-cli client), sessions kept in
// Kubernetes Secrets (package sessionstore) so that every replica serves every
// session, refreshing the upstream session at every downstream refresh, and the
// RFC 8693 token exchange that turns an access token into a short-lived ID token
// for one cluster.
//
// Tokens are opaque: an authorization code or access token is the AES-GCM
// encryption of an entry's ID under the FederationDomain's token key, and a
// refresh token is random, its entry named by its HMAC under the same key. A
// Secret's name therefore never reveals a usable token.
package oauth
