// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package oidcclient logs the CLI in to an OpenID Connect issuer (a Pinniped
// Supervisor, or any plain OIDC provider): from the session cache, by refresh, or
// by a fresh login in the browser or with a username and password, and then, for
// the Supervisor, trades the session for a token of one cluster's audience.
package oidcclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-logr/logr"
	"golang.org/x/oauth2"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

const (
	// overallTimeout bounds a whole login, including the time a person takes in the browser.
	overallTimeout = 90 * time.Minute
	// httpTimeout bounds each request to the issuer.
	httpTimeout = 60 * time.Second
	// minIDTokenLife is how long a cached ID token must still be valid to be reused
	// as the credential; kubectl may keep using it for that long.
	minIDTokenLife = 10 * time.Minute
	// minAccessTokenLife is how long a cached access token must still be valid to be
	// used for a token exchange, which happens right away.
	minAccessTokenLife = 10 * time.Second
)

// SessionCache stores the tokens of each login between runs.
type SessionCache interface {
	GetToken(oidctypes.SessionCacheKey) *oidctypes.Token
	PutToken(oidctypes.SessionCacheKey, *oidctypes.Token)
}

// Prompter asks the person at the terminal.
type Prompter interface {
	// IsTerminal reports whether there is a person to ask.
	IsTerminal() bool
	// ReadLine prints prompt and reads a line.
	ReadLine(prompt string) (string, error)
	// ReadPassword prints prompt and reads a line without echoing it.
	ReadPassword(prompt string) (string, error)
}

// Options configures a login. Issuer and ClientID are required.
type Options struct {
	Issuer   string
	ClientID string
	// Scopes are requested as given, sorted.
	Scopes []string
	// RequestAudience, when set, is the audience of the cluster the token is for;
	// the Supervisor's session is exchanged for a token of that audience (RFC 8693).
	RequestAudience string

	// ListenPort is the port of the browser flow's callback listener; 0 picks one.
	ListenPort uint16
	// SkipBrowser prints the login URL instead of opening a browser.
	SkipBrowser bool
	// SkipListen opens no listener: the code is pasted at the terminal.
	SkipListen bool
	// SkipPrintLoginURL does not print the URL when the browser opened it.
	SkipPrintLoginURL bool

	// UpstreamIdentityProviderName, Type and Flow choose one of the Supervisor's
	// identity providers and how to log in to it. Flow is browser_authcode,
	// cli_password or empty (the provider's first flow, or browser_authcode).
	UpstreamIdentityProviderName string
	UpstreamIdentityProviderType string
	UpstreamIdentityProviderFlow string
	// Username and Password, when set, answer the cli_password flow's prompts.
	Username, Password string

	// HTTPClient talks to the issuer; it carries the trusted CAs and the proxy.
	HTTPClient *http.Client
	// SessionCache may be nil: then every run logs in anew.
	SessionCache SessionCache
	// OpenURL opens a URL in a browser.
	OpenURL func(url string) error
	// Prompter reads from the terminal.
	Prompter Prompter
	// Stderr receives the login URL and the prompts.
	Stderr io.Writer
	Log    logr.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Login returns the tokens of a session with the issuer. With a RequestAudience the
// result is only an ID token for that audience.
func Login(ctx context.Context, opts Options) (*oidctypes.Token, error) {
	l, err := newLogin(opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, overallTimeout)
	defer cancel()
	return l.run(ctx)
}

// login is the state of one Login call.
type login struct {
	opts                   Options
	state, nonce, verifier string
	cacheKey               oidctypes.SessionCacheKey

	// Set by discover.
	provider     *oidc.Provider
	oauth2Config *oauth2.Config
	useFormPost  bool
	idpEndpoint  string
}

func newLogin(opts Options) (*login, error) {
	if opts.Issuer == "" || opts.ClientID == "" {
		return nil, errors.New("an issuer and a client ID are required")
	}
	switch idpdiscoveryv1alpha1.IDPFlow(opts.UpstreamIdentityProviderFlow) {
	case "", idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode, idpdiscoveryv1alpha1.IDPFlowCLIPassword:
	default:
		return nil, fmt.Errorf("invalid upstream identity provider flow %q: expected %s or %s",
			opts.UpstreamIdentityProviderFlow, idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode,
			idpdiscoveryv1alpha1.IDPFlowCLIPassword)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	}
	client := *opts.HTTPClient
	client.Timeout = httpTimeout
	opts.HTTPClient = &client
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	opts.Scopes = slices.Sorted(slices.Values(opts.Scopes))
	l := &login{opts: opts, state: randomHex(16), nonce: randomHex(16), verifier: randomHex(32)}
	l.cacheKey = oidctypes.SessionCacheKey{
		Issuer:               opts.Issuer,
		ClientID:             opts.ClientID,
		Scopes:               opts.Scopes,
		RedirectURI:          fmt.Sprintf("http://localhost:%d/callback", opts.ListenPort),
		UpstreamProviderName: opts.UpstreamIdentityProviderName,
	}
	return l, nil
}

// run goes through the steps in order of cost: the cache, a refresh, a fresh login.
func (l *login) run(ctx context.Context) (*oidctypes.Token, error) {
	ctx = oidc.ClientContext(ctx, l.opts.HTTPClient)

	cached := l.cachedToken()
	if cached != nil && l.reusable(cached) {
		l.opts.Log.V(1).Info("using the cached session", "issuer", l.opts.Issuer)
		return l.finish(ctx, cached)
	}

	if err := l.discover(ctx); err != nil {
		return nil, err
	}

	if cached != nil && cached.RefreshToken != nil && cached.RefreshToken.Token != "" {
		refreshed, err := l.refresh(ctx, cached.RefreshToken.Token)
		if err == nil {
			l.opts.Log.V(1).Info("refreshed the session", "issuer", l.opts.Issuer)
			l.putToken(refreshed)
			return l.finish(ctx, refreshed)
		}
		l.opts.Log.V(1).Info("could not refresh the session; logging in again", "error", err.Error())
	}

	token, err := l.freshLogin(ctx)
	if err != nil {
		return nil, err
	}
	l.putToken(token)
	return l.finish(ctx, token)
}

func (l *login) cachedToken() *oidctypes.Token {
	if l.opts.SessionCache == nil {
		return nil
	}
	return l.opts.SessionCache.GetToken(l.cacheKey)
}

func (l *login) putToken(token *oidctypes.Token) {
	if l.opts.SessionCache != nil {
		l.opts.SessionCache.PutToken(l.cacheKey, token)
	}
}

// reusable says whether a cached session can give the result without the issuer's
// help, apart from the token exchange.
func (l *login) reusable(token *oidctypes.Token) bool {
	now := l.opts.Now()
	if l.needsExchange(token) {
		return token.AccessToken != nil && token.AccessToken.Token != "" &&
			token.AccessToken.Expiry.Time.Sub(now) > minAccessTokenLife
	}
	return token.IDToken != nil && token.IDToken.Token != "" &&
		token.IDToken.Expiry.Time.Sub(now) > minIDTokenLife
}

// needsExchange says whether the session's ID token is not already a token of the
// requested audience. The Supervisor's ID tokens have an array audience, which
// never matches: they are for the CLI, not a cluster.
func (l *login) needsExchange(token *oidctypes.Token) bool {
	if l.opts.RequestAudience == "" {
		return false
	}
	if token.IDToken == nil {
		return true
	}
	aud, ok := token.IDToken.Claims["aud"].(string)
	return !ok || aud != l.opts.RequestAudience
}

// finish exchanges the session for a cluster token when one is needed.
func (l *login) finish(ctx context.Context, token *oidctypes.Token) (*oidctypes.Token, error) {
	if !l.needsExchange(token) {
		return token, nil
	}
	if token.AccessToken == nil || token.AccessToken.Token == "" {
		return nil, errors.New("the issuer gave no access token to exchange for the requested audience")
	}
	if l.provider == nil {
		if err := l.discover(ctx); err != nil {
			return nil, err
		}
	}
	return l.exchangeToken(ctx, token.AccessToken.Token)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails; it crashes the program if the system has no randomness.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
