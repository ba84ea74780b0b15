// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/crypto/bcrypt"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/oidcclientvalidator"
)

// ClientSource finds the OIDCClients of the Supervisor's namespace, typically in an
// informer's cache, with the bcrypt hashes of their secrets.
type ClientSource interface {
	// OIDCClient returns the client of a name and its stored hashes, or a nil client
	// when there is none. hashesErr is the error of reading the hashes, if any.
	OIDCClient(name string) (client *configv1alpha1.OIDCClient, hashes []string, hashesErr error)
}

// dynamicClient is an OIDCClient: a confidential web client that authenticates with
// client_secret_basic and may do only what its spec allows.
type dynamicClient struct {
	spec   configv1alpha1.OIDCClientSpec
	id     string
	hashes []string
}

var _ op.Client = (*dynamicClient)(nil)

// lookupClient returns the client of an ID, or nil when there is none or it is not
// valid. A dynamic client is checked again here, at every request, with the same
// rules as its controller, so that a stale Ready status never lets it in.
func (f *federationDomain) lookupClient(id string) op.Client {
	if id == CLIClientID {
		return cliClient{}
	}
	if f.clients == nil || !strings.HasPrefix(id, configv1alpha1.OIDCClientNamePrefix) {
		return nil
	}
	obj, hashes, hashesErr := f.clients.OIDCClient(id)
	if obj == nil {
		return nil
	}
	if result := oidcclientvalidator.Validate(&obj.Spec, hashes, hashesErr); !result.Valid {
		klog.V(2).InfoS("refused an invalid OIDCClient", "federationDomain", f.name, "clientID", id)
		return nil
	}
	return &dynamicClient{spec: obj.Spec, id: id, hashes: hashes}
}

// authenticate compares a secret with every stored hash. bcrypt's comparison takes
// the same time whatever the secret, so only the number of hashes shows in timing.
func (c *dynamicClient) authenticate(secret string) bool {
	for _, hash := range c.hashes {
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) == nil {
			return true
		}
	}
	return false
}

func (c *dynamicClient) GetID() string { return c.id }

func (c *dynamicClient) RedirectURIs() []string {
	uris := make([]string, 0, len(c.spec.AllowedRedirectURIs))
	for _, u := range c.spec.AllowedRedirectURIs {
		uris = append(uris, string(u))
	}
	return uris
}

func (c *dynamicClient) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType is native so that a loopback redirect URI matches on any port;
// every other redirect URI must match exactly, and plain http elsewhere is refused.
func (c *dynamicClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (c *dynamicClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *dynamicClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *dynamicClient) GrantTypes() []oidc.GrantType {
	grants := make([]oidc.GrantType, 0, len(c.spec.AllowedGrantTypes))
	for _, g := range c.spec.AllowedGrantTypes {
		grants = append(grants, oidc.GrantType(g))
	}
	return grants
}

// LoginURL is not used: this engine sends browsers to the upstream itself.
func (c *dynamicClient) LoginURL(string) string              { return "" }
func (c *dynamicClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }

// IDTokenLifetime is the client's own, when set, for the authorization code and
// refresh grants; token exchange always uses IDTokenLifetime.
func (c *dynamicClient) IDTokenLifetime() time.Duration {
	if seconds := c.spec.TokenLifetimes.IDTokenSeconds; seconds != nil {
		return time.Duration(*seconds) * time.Second
	}
	return IDTokenLifetime
}

func (c *dynamicClient) DevMode() bool                        { return false }
func (c *dynamicClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *dynamicClient) ClockSkew() time.Duration             { return 0 }
func (c *dynamicClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *dynamicClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed allows the scopes of the spec.
func (c *dynamicClient) IsScopeAllowed(scope string) bool { return c.allowsScope(scope) }

func (c *dynamicClient) allowsScope(scope string) bool {
	return slices.Contains(c.spec.AllowedScopes, configv1alpha1.Scope(scope))
}

// checkScopes refuses a request for any scope the client is not allowed, rather
// than quietly dropping it, so that a misconfigured client learns at once.
func (c *dynamicClient) checkScopes(scopes []string) error {
	for _, scope := range scopes {
		if !c.allowsScope(scope) {
			return oidc.ErrInvalidScope().WithDescription("The client is not allowed to request scope %q.", scope)
		}
	}
	return nil
}

// authenticateClient checks the client_secret_basic credentials of a token request
// made by a dynamic client; the pinniped-cli client is public and needs none.
func (f *federationDomain) authenticateClient(_ context.Context, clientID, secret string) error {
	client, ok := f.lookupClient(clientID).(*dynamicClient)
	if !ok || !client.authenticate(secret) {
		return oidc.ErrInvalidClient().WithDescription("Client authentication failed.")
	}
	return nil
}
