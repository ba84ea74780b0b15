// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ErrNoRevocationEndpoint means the issuer offers no RFC 7009 revocation endpoint, so
// its tokens can only expire.
var ErrNoRevocationEndpoint = errors.New("upstream issuer has no revocation endpoint")

// Revoke revokes a refresh or access token at the issuer (RFC 7009). tokenTypeHint
// is "refresh_token" or "access_token". The client authenticates with
// client_secret_post first and, when the issuer refuses that, with HTTP Basic. Errors
// wrap ErrInvalidGrant when the issuer refused the request for good (trying again
// cannot help), ErrUpstreamUnavailable when it may work later, and
// ErrNoRevocationEndpoint when there is nowhere to send it.
func (p *Provider) Revoke(ctx context.Context, token, tokenTypeHint string) error {
	if p.revocationURL == "" {
		return ErrNoRevocationEndpoint
	}
	status, err := p.revoke(ctx, token, tokenTypeHint, false)
	if err == nil && (status == http.StatusBadRequest || status == http.StatusUnauthorized) {
		// Some issuers accept only one client authentication method.
		status, err = p.revoke(ctx, token, tokenTypeHint, true)
	}
	switch {
	case err != nil:
		return fmt.Errorf("%w: could not revoke a token: %w", ErrUpstreamUnavailable, err)
	case status == http.StatusOK:
		return nil
	case status >= http.StatusInternalServerError || status == http.StatusTooManyRequests:
		return fmt.Errorf("%w: revocation returned status %d", ErrUpstreamUnavailable, status)
	default:
		return fmt.Errorf("%w: revocation returned status %d", ErrInvalidGrant, status)
	}
}

// revoke makes one revocation request and returns the status.
func (p *Provider) revoke(ctx context.Context, token, tokenTypeHint string, basic bool) (int, error) {
	form := url.Values{"token": {token}, "token_type_hint": {tokenTypeHint}}
	if !basic {
		form.Set("client_id", p.config.ClientID)
		form.Set("client_secret", p.config.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.revocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		// RFC 6749 section 2.3.1: the credentials are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(p.config.ClientID), url.QueryEscape(p.config.ClientSecret))
	}
	resp, err := p.httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}
