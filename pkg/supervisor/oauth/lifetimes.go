// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import "time"

// Lifetimes of what the engine issues.
const (
	// AuthCodeLifetime is how long an authorization code may be redeemed.
	AuthCodeLifetime = 10 * time.Minute
	// AccessTokenLifetime is how long an access token may be exchanged.
	AccessTokenLifetime = 2 * time.Minute
	// IDTokenLifetime is the lifetime of every ID token, including those made by
	// token exchange, which clusters accept as credentials.
	IDTokenLifetime = 2 * time.Minute
	// RefreshLifetime bounds a session from its login: refresh tokens never
	// outlive it, however often they are used.
	RefreshLifetime = 9 * time.Hour
	// StateLifetime is how long a browser may take at the upstream login page.
	StateLifetime = 90 * time.Minute
	// CSRFCookieLifetime is how long the CSRF cookie of a browser is kept.
	CSRFCookieLifetime = 7 * 24 * time.Hour
	// storageGrace keeps an entry a little past the end of its credential, so that
	// a late request is told the credential expired rather than that it is unknown.
	storageGrace = 2 * time.Minute
)
