// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

// passwordLogin is the cli_password flow: the Supervisor takes the username and
// password in headers of the authorize request and answers with a redirect to the
// CLI's redirect URI, which is never listened on: the code is read from Location.
func (l *login) passwordLogin(ctx context.Context, params []oauth2.AuthCodeOption) (*oidctypes.Token, error) {
	username, password, err := l.credentials()
	if err != nil {
		return nil, err
	}
	redirectHost := fmt.Sprintf("127.0.0.1:%d", l.opts.ListenPort)
	l.oauth2Config.RedirectURL = "http://" + redirectHost + callbackPath
	authorizeURL := l.oauth2Config.AuthCodeURL(l.state, params...)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("could not build the authorize request: %w", err)
	}
	req.Header.Set("Pinniped-Username", username)
	req.Header.Set("Pinniped-Password", password)
	client := *l.opts.HTTPClient
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not send the authorize request to %q: %w", l.opts.Issuer, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return nil, fmt.Errorf("login failed: expected a redirect from the authorize endpoint, got status %s",
			resp.Status)
	}

	location, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || location.Scheme != "http" || location.Host != redirectHost || location.Path != callbackPath {
		return nil, errors.New("login failed: the authorize endpoint redirected somewhere other than the CLI")
	}
	query := location.Query()
	if query.Get("state") != l.state {
		return nil, errors.New("login failed: the authorize endpoint's redirect has the wrong state")
	}
	if errorCode := query.Get("error"); errorCode != "" {
		if description := query.Get("error_description"); description != "" {
			return nil, fmt.Errorf("login failed with code %q: %s", errorCode, description)
		}
		return nil, fmt.Errorf("login failed with code %q", errorCode)
	}
	code := query.Get("code")
	if code == "" {
		return nil, errors.New("login failed: the authorize endpoint's redirect has no code")
	}
	return l.redeem(ctx, code)
}

// credentials are the environment's, else asked for at the terminal.
func (l *login) credentials() (string, string, error) {
	username, password := l.opts.Username, l.opts.Password
	if username != "" && password != "" {
		return username, password, nil
	}
	if !l.prompter().IsTerminal() {
		return "", "", errors.New("login failed: no username and password: set PINNIPED_USERNAME and " +
			"PINNIPED_PASSWORD, or run from a terminal")
	}
	if name := l.opts.UpstreamIdentityProviderName; name != "" {
		_, _ = fmt.Fprintf(l.opts.Stderr, "Log in to %s\n\n", name)
	}
	var err error
	if username == "" {
		if username, err = l.prompter().ReadLine("Username: "); err != nil {
			return "", "", fmt.Errorf("could not read the username: %w", err)
		}
	}
	if password == "" {
		if password, err = l.prompter().ReadPassword("Password: "); err != nil {
			return "", "", fmt.Errorf("could not read the password: %w", err)
		}
	}
	return username, password, nil
}
