// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
)

// Every error of this package wraps exactly one of these, so that callers can pick a
// condition reason or an RFC 6749 error with errors.Is, and never need the text.
var (
	// ErrUnreachable: the issuer's discovery document could not be fetched.
	ErrUnreachable = errors.New("upstream issuer unreachable")
	// ErrInvalidResponse: the issuer answered discovery with something unusable.
	ErrInvalidResponse = errors.New("upstream issuer returned an invalid discovery document")
	// ErrPasswordGrantNotAllowed: the OIDCIdentityProvider does not allow the password grant.
	ErrPasswordGrantNotAllowed = errors.New("the password grant is not allowed for this identity provider")
	// ErrInvalidGrant: the issuer refused the credentials, code or refresh token; the
	// user must log in again.
	ErrInvalidGrant = errors.New("upstream issuer refused the grant")
	// ErrUpstreamMisconfigured: the issuer refused the Supervisor itself (its client
	// credentials, or a grant not enabled for the client).
	ErrUpstreamMisconfigured = errors.New("upstream issuer refused the client")
	// ErrUpstreamUnavailable: the issuer could not be reached or failed during a grant;
	// trying again later may work.
	ErrUpstreamUnavailable = errors.New("upstream issuer unavailable")
	// ErrInvalidToken: a token from the issuer did not validate (signature, issuer,
	// audience, expiry, nonce, or userinfo subject).
	ErrInvalidToken = errors.New("upstream token is invalid")
	// ErrClaims: the tokens were valid but their claims do not make an identity as the
	// spec's claim mappings say (missing username, unverified email, bad groups).
	ErrClaims = errors.New("upstream claims do not make an identity")
)

// RFC 6749 error codes (section 5.2 and 4.1.2.1) that callers return downstream.
const (
	CodeAccessDenied           = "access_denied"
	CodeInvalidGrant           = "invalid_grant"
	CodeServerError            = "server_error"
	CodeTemporarilyUnavailable = "temporarily_unavailable"
)

// RFC6749Code returns the error code a Supervisor endpoint should answer with when a
// call of this package failed with err. The upstream's own error text is never part of
// the answer; the caller logs it.
func RFC6749Code(err error) string {
	switch {
	case errors.Is(err, ErrInvalidGrant), errors.Is(err, ErrClaims),
		errors.Is(err, ErrPasswordGrantNotAllowed), errors.Is(err, ErrInvalidToken):
		return CodeAccessDenied
	case errors.Is(err, ErrUpstreamUnavailable), errors.Is(err, ErrUnreachable):
		return CodeTemporarilyUnavailable
	default:
		return CodeServerError
	}
}

// clientErrorCodes are the OAuth error codes (RFC 6749 section 5.2) that blame the
// client's setup rather than what the user brought.
var clientErrorCodes = map[string]bool{
	"invalid_client":         true,
	"unauthorized_client":    true,
	"unsupported_grant_type": true,
	"invalid_scope":          true,
}

// grantError classifies an error of a token endpoint request. An OAuth error about the
// client's setup means the Supervisor is misconfigured; any other OAuth error means the
// user's credentials, code or refresh token were refused (issuers differ in the code
// they use for that: Dex answers a bad refresh token with invalid_request); a 5xx or a
// transport failure may pass.
func grantError(op string, err error) error {
	var retrieve *oauth2.RetrieveError
	if errors.As(err, &retrieve) {
		switch {
		case retrieve.Response != nil && retrieve.Response.StatusCode >= http.StatusInternalServerError:
			return fmt.Errorf("%w: could not %s: %w", ErrUpstreamUnavailable, op, err)
		case clientErrorCodes[retrieve.ErrorCode]:
			return fmt.Errorf("%w: could not %s: %w", ErrUpstreamMisconfigured, op, err)
		case retrieve.ErrorCode != "":
			return fmt.Errorf("%w: could not %s: %w", ErrInvalidGrant, op, err)
		default:
			return fmt.Errorf("%w: could not %s: %w", ErrUpstreamMisconfigured, op, err)
		}
	}
	return fmt.Errorf("%w: could not %s: %w", ErrUpstreamUnavailable, op, err)
}
