// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

// callbackPath is where the browser (or the form_post page) delivers the code.
const callbackPath = "/callback"

type callbackResult struct {
	token *oidctypes.Token
	err   error
}

// browserLogin sends the person to the authorize URL and waits for the code, from
// the callback listener or pasted at the terminal, whichever comes first.
func (l *login) browserLogin(ctx context.Context, params []oauth2.AuthCodeOption) (*oidctypes.Token, error) {
	listener := l.listen()
	if listener == nil && !l.prompter().IsTerminal() {
		return nil, errors.New("login failed: there is no callback listener and no terminal to paste the code into")
	}
	redirectURI := "http://127.0.0.1:0" + callbackPath
	if listener != nil {
		redirectURI = "http://" + listener.Addr().String() + callbackPath
	}
	l.oauth2Config.RedirectURL = redirectURI
	if l.useFormPost {
		params = append(params, oauth2.SetAuthURLParam("response_mode", "form_post"))
	}
	authorizeURL := l.oauth2Config.AuthCodeURL(l.state, params...)

	results := make(chan callbackResult, 2)
	if listener != nil {
		server := &http.Server{Handler: l.callbackHandler(ctx, results), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = server.Serve(listener) }()
		defer func() { _ = server.Close() }()
	}

	opened := false
	if !l.opts.SkipBrowser {
		if err := l.opts.OpenURL(authorizeURL); err != nil {
			l.opts.Log.V(1).Info("could not open a browser", "error", err.Error())
		} else {
			opened = true
		}
	}
	printed := !opened || !l.opts.SkipPrintLoginURL
	if printed {
		_, _ = fmt.Fprintf(l.opts.Stderr, "Log in by visiting this link:\n\n    %s\n\n", authorizeURL)
	}
	// The form_post page shows the code, so that someone logged in over SSH can paste it.
	if listener == nil || (printed && l.useFormPost && l.prompter().IsTerminal()) {
		go l.readPastedCode(ctx, listener == nil, results)
	}

	select {
	case r := <-results:
		return r.token, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("timed out waiting for the login to complete: %w", ctx.Err())
	}
}

// listen opens the callback listener on loopback, or returns nil when there must be
// none or the port is taken (the code can still be pasted).
func (l *login) listen() net.Listener {
	if l.opts.SkipListen {
		return nil
	}
	address := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(l.opts.ListenPort)))
	listener, err := net.Listen("tcp", address)
	if err != nil {
		l.opts.Log.V(1).Info("could not open the callback listener", "address", address, "error", err.Error())
		return nil
	}
	return listener
}

func (l *login) readPastedCode(ctx context.Context, required bool, results chan<- callbackResult) {
	prompt := "Optionally, paste your authorization code: "
	if required {
		prompt = "Paste your authorization code: "
	}
	code, err := l.prompter().ReadLine(prompt)
	if err != nil {
		if required {
			results <- callbackResult{err: fmt.Errorf("could not read the authorization code: %w", err)}
		}
		return
	}
	// The prompt line has no newline of its own once the listener won the race.
	_, _ = fmt.Fprintln(l.opts.Stderr)
	token, err := l.redeem(ctx, strings.TrimSpace(code))
	results <- callbackResult{token: token, err: err}
}

// callbackHandler serves the redirect back from the issuer: GET with a query, or
// POST with a form (response_mode=form_post, sent by the issuer's page with
// fetch, hence the CORS headers for the issuer's origin).
func (l *login) callbackHandler(ctx context.Context, results chan<- callbackResult) http.Handler {
	allowedOrigin := l.opts.Issuer
	if issuer, err := url.Parse(l.opts.Issuer); err == nil {
		allowedOrigin = issuer.Scheme + "://" + issuer.Host
	}
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodOptions:
			if r.Header.Get("Origin") == "" {
				http.Error(w, "missing Origin header", http.StatusBadRequest)
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", allowedOrigin)
			h.Set("Vary", "*")
			h.Set("Access-Control-Allow-Credentials", "false")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Private-Network", "true")
			if requested := r.Header.Get("Access-Control-Request-Headers"); requested != "" {
				h.Set("Access-Control-Allow-Headers", requested)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet, http.MethodPost:
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", allowedOrigin)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "could not parse the request", http.StatusBadRequest)
			return
		}
		// A wrong state is answered but does not end the login: anything on this
		// machine can reach the listener, and only the issuer's redirect counts.
		if subtle.ConstantTimeCompare([]byte(r.Form.Get("state")), []byte(l.state)) != 1 {
			http.Error(w, "missing or invalid state parameter", http.StatusForbidden)
			return
		}
		if errorCode := r.Form.Get("error"); errorCode != "" {
			err := fmt.Errorf("login failed with code %q", errorCode)
			if description := r.Form.Get("error_description"); description != "" {
				err = fmt.Errorf("login failed with code %q: %s", errorCode, description)
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			results <- callbackResult{err: err}
			return
		}
		token, err := l.redeem(ctx, r.Form.Get("code"))
		if err != nil {
			http.Error(w, "could not complete the login", http.StatusInternalServerError)
			results <- callbackResult{err: err}
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = fmt.Fprint(w, "you have been logged in and may now close this tab")
		results <- callbackResult{token: token}
	})
	return mux
}

func (l *login) prompter() Prompter {
	if l.opts.Prompter == nil {
		return noTerminal{}
	}
	return l.opts.Prompter
}

// noTerminal is the Prompter of a process without a person at it.
type noTerminal struct{}

func (noTerminal) IsTerminal() bool                    { return false }
func (noTerminal) ReadLine(string) (string, error)     { return "", errors.New("no terminal") }
func (noTerminal) ReadPassword(string) (string, error) { return "", errors.New("no terminal") }
