// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
	"github.com/sealworks/pinniped/pkg/execcredcache"
	"github.com/sealworks/pinniped/pkg/oidcclient"
	"github.com/sealworks/pinniped/pkg/oidcclient/filesession"
)

// defaultScopes are what a Supervisor login asks for.
var defaultScopes = []string{"offline_access", "openid", "pinniped:request-audience", "username", "groups"}

type loginOIDCFlags struct {
	issuer            string
	clientID          string
	scopes            []string
	requestAudience   string
	listenPort        uint16
	skipBrowser       bool
	skipListen        bool
	caBundlePaths     []string
	caBundleData      []string
	sessionCache      string
	credentialCache   string
	debugSessionCache bool
	upstreamName      string
	upstreamType      string
	upstreamFlow      string
	concierge         conciergeFlags
}

func newLoginOIDCCommand() *cobra.Command {
	var f loginOIDCFlags
	cmd := &cobra.Command{
		Use:   "oidc --issuer ISSUER",
		Short: "Log in with OpenID Connect and print a credential for kubectl",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoginOIDC(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&f.issuer, "issuer", "", "OpenID Connect issuer URL")
	flags.StringVar(&f.clientID, "client-id", "pinniped-cli", "OpenID Connect client ID")
	flags.StringSliceVar(&f.scopes, "scopes", defaultScopes, "OIDC scopes to request during login")
	flags.StringVar(&f.requestAudience, "request-audience", "", "request a token with this audience (RFC 8693)")
	flags.Uint16Var(&f.listenPort, "listen-port", 0, "TCP port of the localhost callback listener (0 picks one)")
	flags.BoolVar(&f.skipBrowser, "skip-browser", false, "print the login URL instead of opening a browser")
	flags.BoolVar(&f.skipListen, "skip-listen", false, "open no callback listener; paste the code instead")
	flags.StringSliceVar(&f.caBundlePaths, "ca-bundle", nil, "path to a PEM CA bundle of the issuer (repeatable)")
	flags.StringSliceVar(&f.caBundleData, "ca-bundle-data", nil, "base64 PEM CA bundle of the issuer (repeatable)")
	flags.StringVar(&f.sessionCache, "session-cache", filepath.Join(configDir(), "sessions.yaml"),
		"path to the session cache")
	flags.StringVar(&f.credentialCache, "credential-cache", filepath.Join(configDir(), "credentials.yaml"),
		"path to the credential cache (\"\" disables it)")
	flags.BoolVar(&f.debugSessionCache, "debug-session-cache", false, "log the session cache key")
	flags.StringVar(&f.upstreamName, "upstream-identity-provider-name", "",
		"name of the Supervisor's upstream identity provider")
	flags.StringVar(&f.upstreamType, "upstream-identity-provider-type", string(idpdiscoveryv1alpha1.IDPTypeOIDC),
		"type of the upstream identity provider (oidc, ldap, activedirectory, github)")
	flags.StringVar(&f.upstreamFlow, "upstream-identity-provider-flow", "",
		"login flow: browser_authcode or cli_password")
	f.concierge.register(flags)
	_ = flags.MarkHidden("skip-listen")
	_ = flags.MarkHidden("debug-session-cache")
	_ = cmd.MarkFlagRequired("issuer")
	return cmd
}

func runLoginOIDC(ctx context.Context, out io.Writer, f loginOIDCFlags) error {
	log := newLogger()
	// The environment wins over the kubeconfig's flag, so a person can pick the
	// flow without editing the kubeconfig; set but empty means no preference.
	if flow, ok := os.LookupEnv("PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW"); ok {
		f.upstreamFlow = flow
	}
	if f.upstreamName == "" {
		f.upstreamType = ""
	}
	concierge, err := f.concierge.client()
	if err != nil {
		return err
	}
	httpClient, err := issuerHTTPClient(f.caBundlePaths, f.caBundleData)
	if err != nil {
		return err
	}
	info := readExecInfo()

	var cache *execcredcache.Cache
	key := execcredcache.Key(os.Args[1:], nil, info.cluster)
	if f.credentialCache != "" {
		cache = execcredcache.New(f.credentialCache, log)
		if cred := cache.Get(key); cred != nil {
			log.V(1).Info("using the cached credential")
			return printExecCredential(out, execCredential(cred.Status, info.apiVersion, time.Now()))
		}
	}

	opts := oidcclient.Options{
		Issuer:                       f.issuer,
		ClientID:                     f.clientID,
		Scopes:                       f.scopes,
		RequestAudience:              f.requestAudience,
		ListenPort:                   f.listenPort,
		SkipBrowser:                  f.skipBrowser,
		SkipListen:                   f.skipListen,
		SkipPrintLoginURL:            os.Getenv("PINNIPED_SKIP_PRINT_LOGIN_URL") == "true",
		UpstreamIdentityProviderName: f.upstreamName,
		UpstreamIdentityProviderType: f.upstreamType,
		UpstreamIdentityProviderFlow: f.upstreamFlow,
		Username:                     os.Getenv("PINNIPED_USERNAME"),
		Password:                     os.Getenv("PINNIPED_PASSWORD"),
		HTTPClient:                   httpClient,
		SessionCache:                 filesession.New(f.sessionCache, log),
		OpenURL:                      oidcclient.OpenURL,
		Prompter:                     &terminal{},
		Stderr:                       os.Stderr,
		Log:                          log,
	}
	token, err := oidcclient.Login(ctx, opts)
	if err != nil {
		return fmt.Errorf("could not complete Pinniped login: %w", err)
	}
	if token.IDToken == nil || token.IDToken.Token == "" {
		return fmt.Errorf("could not complete Pinniped login: the issuer gave no ID token")
	}

	status := &clientauthv1beta1.ExecCredentialStatus{Token: token.IDToken.Token}
	if !token.IDToken.Expiry.IsZero() {
		status.ExpirationTimestamp = token.IDToken.Expiry.DeepCopy()
	}
	if concierge != nil {
		status, err = concierge.ExchangeToken(ctx, token.IDToken.Token)
		if err != nil {
			return fmt.Errorf("%w: %w", errConciergeExchange, err)
		}
		if cache != nil {
			cache.Put(key, &clientauthv1beta1.ExecCredential{Status: status})
		}
	}
	return printExecCredential(out, execCredential(status, info.apiVersion, time.Now()))
}

// issuerHTTPClient trusts the given CA bundles (all merged), or the system's roots
// when none is given, and goes through HTTPS_PROXY unless NO_PROXY says otherwise.
func issuerHTTPClient(paths, data []string) (*http.Client, error) {
	var pool *x509.CertPool
	add := func(pem []byte, source string) error {
		if pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no PEM certificates in %s", source)
		}
		return nil
	}
	for _, path := range paths {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("could not read --ca-bundle: %w", err)
		}
		if err := add(pem, path); err != nil {
			return nil, fmt.Errorf("invalid --ca-bundle: %w", err)
		}
	}
	for _, encoded := range data {
		pem, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil {
			return nil, fmt.Errorf("invalid --ca-bundle-data: %w", err)
		}
		if err := add(pem, "--ca-bundle-data"); err != nil {
			return nil, fmt.Errorf("invalid --ca-bundle-data: %w", err)
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyFromEnvironment
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: transport}, nil
}
