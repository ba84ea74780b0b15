// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// discoveryClaims are the parts of the discovery document that go-oidc does not read.
type discoveryClaims struct {
	ResponseModesSupported []string `json:"response_modes_supported"`
	// Supervisor is set only by a Pinniped Supervisor.
	Supervisor *idpdiscoveryv1alpha1.OIDCDiscoveryResponseIDPEndpoint `json:"discovery.supervisor.pinniped.dev/v1alpha1"`
}

// discover reads the issuer's discovery document and prepares the OAuth2 client.
func (l *login) discover(ctx context.Context) error {
	provider, err := oidc.NewProvider(ctx, l.opts.Issuer)
	if err != nil {
		return fmt.Errorf("could not perform OIDC discovery for %q: %w", l.opts.Issuer, err)
	}
	endpoint := provider.Endpoint()
	for _, u := range []string{endpoint.AuthURL, endpoint.TokenURL} {
		if parsed, err := url.Parse(u); err != nil || parsed.Scheme != "https" {
			return fmt.Errorf("discovery document of %q has a non-https endpoint %q", l.opts.Issuer, u)
		}
	}
	var claims discoveryClaims
	if err := provider.Claims(&claims); err != nil {
		return fmt.Errorf("could not decode the discovery document of %q: %w", l.opts.Issuer, err)
	}
	if claims.Supervisor != nil {
		l.idpEndpoint = claims.Supervisor.IdentityProvidersEndpoint
		if !strings.HasPrefix(l.idpEndpoint, l.opts.Issuer) {
			return fmt.Errorf("identity provider discovery endpoint %q is not under the issuer %q",
				l.idpEndpoint, l.opts.Issuer)
		}
	}
	l.provider = provider
	l.useFormPost = slices.Contains(claims.ResponseModesSupported, "form_post")
	l.oauth2Config = &oauth2.Config{
		ClientID: l.opts.ClientID,
		Endpoint: oauth2.Endpoint{AuthURL: endpoint.AuthURL, TokenURL: endpoint.TokenURL},
		Scopes:   l.opts.Scopes,
	}
	return nil
}

// discoverIDPs fetches the Supervisor's list of identity providers.
func (l *login) discoverIDPs(ctx context.Context) (*idpdiscoveryv1alpha1.IDPDiscoveryResponse, error) {
	if l.idpEndpoint == "" {
		return nil, fmt.Errorf("upstream identity provider %q was requested, but issuer %q does not offer "+
			"identity provider discovery", l.opts.UpstreamIdentityProviderName, l.opts.Issuer)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.idpEndpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("could not build identity provider discovery request: %w", err)
	}
	resp, err := l.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not fetch identity providers from %q: %w", l.idpEndpoint, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("could not fetch identity providers from %q: status %s", l.idpEndpoint, resp.Status)
	}
	var list idpdiscoveryv1alpha1.IDPDiscoveryResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&list); err != nil {
		return nil, fmt.Errorf("could not decode identity providers from %q: %w", l.idpEndpoint, err)
	}
	return &list, nil
}

// chooseFlow returns the flow of a fresh login and, when an upstream provider was
// named, the extra authorize parameters that select it.
func (l *login) chooseFlow(ctx context.Context) (idpdiscoveryv1alpha1.IDPFlow, []oauth2.AuthCodeOption, error) {
	requested := idpdiscoveryv1alpha1.IDPFlow(l.opts.UpstreamIdentityProviderFlow)
	name := l.opts.UpstreamIdentityProviderName
	if name == "" {
		if requested == "" {
			requested = idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode
		}
		return requested, nil, nil
	}
	idpType := idpdiscoveryv1alpha1.IDPType(l.opts.UpstreamIdentityProviderType)
	if idpType == "" {
		idpType = idpdiscoveryv1alpha1.IDPTypeOIDC
	}
	list, err := l.discoverIDPs(ctx)
	if err != nil {
		return "", nil, err
	}
	if len(list.PinnipedSupportedIDPTypes) > 0 && !slices.ContainsFunc(list.PinnipedSupportedIDPTypes,
		func(t idpdiscoveryv1alpha1.PinnipedSupportedIDPType) bool { return t.Type == idpType }) {
		return "", nil, fmt.Errorf("upstream identity provider type %q is not supported by issuer %q",
			idpType, l.opts.Issuer)
	}
	i := slices.IndexFunc(list.PinnipedIDPs, func(p idpdiscoveryv1alpha1.PinnipedIDP) bool {
		return p.Name == name && p.Type == idpType
	})
	if i < 0 {
		return "", nil, fmt.Errorf("issuer %q has no upstream identity provider named %q of type %q",
			l.opts.Issuer, name, idpType)
	}
	flows := list.PinnipedIDPs[i].Flows
	switch {
	case requested != "" && !slices.Contains(flows, requested):
		return "", nil, fmt.Errorf("upstream identity provider %q does not support flow %q (it supports %v)",
			name, requested, flows)
	case requested == "" && len(flows) > 0:
		requested = flows[0]
	case requested == "":
		requested = idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode
	}
	return requested, []oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("pinniped_idp_name", name),
		oauth2.SetAuthURLParam("pinniped_idp_type", string(idpType)),
	}, nil
}
