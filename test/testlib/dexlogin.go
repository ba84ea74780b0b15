// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// formAction finds the target of Dex's login form. Dex's page has one form, posting
// the fields login and password.
var formAction = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)

// BrowserLogin plays a browser on Dex's login page: it follows authorizeURL (which may
// first pass through other servers, such as the Supervisor), fills Dex's form with a
// login and password, and follows the redirects until one goes to a URL starting with
// stopAt, which it returns without requesting it. base is cloned: its transport is used
// (so it must trust every server on the way) with a new cookie jar.
func BrowserLogin(ctx context.Context, base *http.Client,
	authorizeURL, stopAt, login, password string) (*url.URL, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("could not create cookie jar: %w", err)
	}
	var stoppedAt *url.URL
	client := *base
	client.Jar = jar
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), stopAt) {
			stoppedAt = req.URL
			return http.ErrUseLastResponse
		}
		if len(via) > 20 {
			return errors.New("too many redirects")
		}
		return nil
	}

	page, err := get(ctx, &client, authorizeURL)
	if err != nil || stoppedAt != nil {
		return stoppedAt, err
	}
	match := formAction.FindSubmatch(page.body)
	if match == nil {
		return nil, fmt.Errorf("no login form on %s (status %d)", page.url, page.status)
	}
	action, err := page.url.Parse(html.UnescapeString(string(match[1])))
	if err != nil {
		return nil, fmt.Errorf("could not parse login form action: %w", err)
	}

	form := url.Values{"login": {login}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not post login form: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if stoppedAt == nil {
		return nil, fmt.Errorf("login did not redirect to %s: status %d from %s: %.300s",
			stopAt, resp.StatusCode, resp.Request.URL, body)
	}
	return stoppedAt, nil
}

type page struct {
	url    *url.URL
	status int
	body   []byte
}

func get(ctx context.Context, client *http.Client, target string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not get %s: %w", target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %w", resp.Request.URL, err)
	}
	return &page{url: resp.Request.URL, status: resp.StatusCode, body: body}, nil
}
