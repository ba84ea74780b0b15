// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-logr/logr"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// discoverIssuer reads the issuer's discovery document. A Supervisor (one with the
// Pinniped extension) also names its identity providers, from which the upstream
// provider and flow are chosen; a plain OIDC issuer tells nothing more.
func discoverIssuer(ctx context.Context, log logr.Logger, f *getKubeconfigFlags, t *target) error {
	client, err := issuerHTTPClient(nil, nil)
	if err != nil {
		return err
	}
	if len(t.oidcCABundle) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(t.oidcCABundle) {
			return errors.New("the issuer's CA bundle has no PEM certificates")
		}
		client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	client.Timeout = 20 * time.Second
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), f.oidc.issuer)
	if err != nil {
		return fmt.Errorf("could not perform OIDC discovery for %q: %w", f.oidc.issuer, err)
	}
	var claims struct {
		ScopesSupported []string `json:"scopes_supported"`
		// Supervisor is set only by a Pinniped Supervisor.
		Supervisor *idpdiscoveryv1alpha1.OIDCDiscoveryResponseIDPEndpoint `json:"discovery.supervisor.pinniped.dev/v1alpha1"`
	}
	if err := provider.Claims(&claims); err != nil {
		return fmt.Errorf("could not decode the discovery document of %q: %w", f.oidc.issuer, err)
	}
	if claims.Supervisor == nil {
		log.V(1).Info("the issuer is not a Pinniped Supervisor", "issuer", f.oidc.issuer)
		return nil
	}
	// An old Supervisor does not know the username and groups scopes.
	if !slices.Contains(claims.ScopesSupported, "username") || !slices.Contains(claims.ScopesSupported, "groups") {
		t.scopes = slices.DeleteFunc(slices.Clone(t.scopes), func(s string) bool { return s == "username" || s == "groups" })
	}
	if f.upstreamName != "" && f.upstreamType != "" && f.upstreamFlow != "" {
		return nil
	}
	idps, err := fetchIDPs(ctx, client, claims.Supervisor.IdentityProvidersEndpoint)
	if err != nil {
		return err
	}
	return chooseIDP(log, f, idps)
}

func fetchIDPs(ctx context.Context, client *http.Client,
	endpoint string) (*idpdiscoveryv1alpha1.IDPDiscoveryResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("could not build identity provider discovery request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not fetch identity providers from %q: %w", endpoint, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("could not fetch identity providers from %q: status %s", endpoint, resp.Status)
	}
	var list idpdiscoveryv1alpha1.IDPDiscoveryResponse
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("could not decode identity providers from %q: %w", endpoint, err)
	}
	return &list, nil
}

// chooseIDP selects the provider by the given name and type (or the only one),
// then its flow (the given one, which must be offered, else the first).
func chooseIDP(log logr.Logger, f *getKubeconfigFlags, list *idpdiscoveryv1alpha1.IDPDiscoveryResponse) error {
	if len(list.PinnipedIDPs) == 0 {
		return nil
	}
	var matches []idpdiscoveryv1alpha1.PinnipedIDP
	for _, idp := range list.PinnipedIDPs {
		if (f.upstreamName == "" || idp.Name == f.upstreamName) &&
			(f.upstreamType == "" || string(idp.Type) == f.upstreamType) {
			matches = append(matches, idp)
		}
	}
	if len(matches) != 1 {
		return fmt.Errorf("%d upstream identity providers match name %q and type %q: use "+
			"--upstream-identity-provider-name and --upstream-identity-provider-type to pick one",
			len(matches), f.upstreamName, f.upstreamType)
	}
	idp := matches[0]
	f.upstreamName, f.upstreamType = idp.Name, string(idp.Type)
	switch {
	case len(idp.Flows) == 0:
	case f.upstreamFlow != "":
		if !slices.Contains(idp.Flows, idpdiscoveryv1alpha1.IDPFlow(f.upstreamFlow)) {
			return fmt.Errorf("upstream identity provider %q does not support flow %q (it supports %v)",
				idp.Name, f.upstreamFlow, idp.Flows)
		}
	default:
		f.upstreamFlow = string(idp.Flows[0])
		if len(idp.Flows) > 1 {
			log.Info("upstream identity provider offers several flows; using the first",
				"name", idp.Name, "flow", f.upstreamFlow)
		}
	}
	return nil
}

// execArgs are the arguments of the exec plugin, in the order upstream writes them.
func execArgs(f *getKubeconfigFlags, t *target) ([]string, error) {
	static := f.staticToken != "" || f.staticTokenEnv != ""
	args := []string{"login", "oidc"}
	if static {
		args = []string{"login", "static"}
	}
	if !f.concierge.disabled {
		args = append(args, "--enable-concierge",
			"--concierge-api-group-suffix="+f.concierge.apiGroupSuffix,
			"--concierge-authenticator-name="+t.authName,
			"--concierge-authenticator-type="+t.authType,
			"--concierge-endpoint="+t.conciergeEnd,
			"--concierge-ca-bundle-data="+base64.StdEncoding.EncodeToString(t.caBundle))
	}
	if f.credentialCacheSet {
		args = append(args, "--credential-cache="+f.credentialCache)
	}
	if static {
		if f.staticToken != "" {
			return append(args, "--token="+f.staticToken), nil
		}
		return append(args, "--token-env="+f.staticTokenEnv), nil
	}

	o := f.oidc
	if o.issuer == "" {
		return nil, errors.New("could not autodiscover --oidc-issuer and none was provided")
	}
	if strings.Contains(o.requestAudience, ".pinniped.dev") {
		return nil, fmt.Errorf("request audience %q is not allowed to include the substring '.pinniped.dev'",
			o.requestAudience)
	}
	args = append(args, "--issuer="+o.issuer, "--client-id="+o.clientID, "--scopes="+strings.Join(t.scopes, ","))
	if o.skipBrowser {
		args = append(args, "--skip-browser")
	}
	if o.skipListen {
		args = append(args, "--skip-listen")
	}
	if o.listenPort != 0 {
		args = append(args, "--listen-port="+strconv.Itoa(int(o.listenPort)))
	}
	if len(t.oidcCABundle) > 0 {
		args = append(args, "--ca-bundle-data="+base64.StdEncoding.EncodeToString(t.oidcCABundle))
	}
	if o.sessionCache != "" {
		args = append(args, "--session-cache="+o.sessionCache)
	}
	if o.debugSessionCache {
		args = append(args, "--debug-session-cache")
	}
	if o.requestAudience != "" {
		args = append(args, "--request-audience="+o.requestAudience)
	}
	if f.upstreamName != "" {
		args = append(args, "--upstream-identity-provider-name="+f.upstreamName)
	}
	if f.upstreamType != "" {
		args = append(args, "--upstream-identity-provider-type="+f.upstreamType)
	}
	if f.upstreamFlow != "" {
		args = append(args, "--upstream-identity-provider-flow="+f.upstreamFlow)
	}
	return args, nil
}

// validateCluster checks that the new kubeconfig's server answers over TLS with
// its CA: any status below 500 means it is reachable (an anonymous request may be
// refused). A kubeconfig without a CA is refused rather than written.
func validateCluster(ctx context.Context, log logr.Logger, server string, caBundle []byte) error {
	pool := x509.NewCertPool()
	if len(caBundle) == 0 || !pool.AppendCertsFromPEM(caBundle) {
		return errors.New("invalid kubeconfig (no certificateAuthorityData)")
	}
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:           http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		},
	}
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server, nil)
		if err != nil {
			return fmt.Errorf("invalid cluster server URL %q: %w", server, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode < http.StatusInternalServerError {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		lastErr = err
		log.V(1).Info("the new kubeconfig does not reach the cluster yet", "server", server, "error", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("the new kubeconfig does not reach the cluster at %q: %w", server, lastErr)
		case <-time.After(pendingPoll):
		}
	}
}
