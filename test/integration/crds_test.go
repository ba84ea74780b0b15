// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const crdDir = "../../artifacts/crds"

var installCRDsOnce sync.Once

// installCRDs applies every CRD of artifacts/crds once per test binary and waits
// until they are established.
func installCRDs(t *testing.T) {
	t.Helper()
	installCRDsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, err := cluster.Kubectl(ctx, "apply", "--server-side", "-f", crdDir)
		require.NoError(t, err)
		_, err = cluster.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crdDir)
		require.NoError(t, err)
	})
}

func TestCRDsExplain(t *testing.T) {
	installCRDs(t)
	tests := []struct {
		field string
		want  []string
	}{
		{
			field: "jwtauthenticator.spec.issuer",
			want:  []string{"GROUP:      authentication.concierge.pinniped.dev", "FIELD: issuer <string>", "DESCRIPTION:"},
		},
		{
			field: "federationdomain.spec.identityProviders",
			want: []string{
				"GROUP:      config.supervisor.pinniped.dev", "FIELD: identityProviders <[]Object>",
				"displayName\t<string> -required-", "objectRef\t<Object> -required-", "transforms\t<Object>",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			// The API server publishes a new CRD's schema to OpenAPI a moment after it
			// is established, so retry for a while before failing.
			var out string
			var err error
			require.Eventually(t, func() bool {
				out, err = cluster.Kubectl(context.Background(), "explain", tt.field)
				return err == nil
			}, 30*time.Second, 250*time.Millisecond, "kubectl explain %s: %v", tt.field, err)
			for _, want := range tt.want {
				require.Contains(t, out, want)
			}
			description := out[strings.Index(out, "DESCRIPTION:")+len("DESCRIPTION:"):]
			require.Greater(t, len(strings.Fields(description)), 5, "documentation is missing:\n%s", out)
		})
	}
}

func TestCRDsAcceptValidObjects(t *testing.T) {
	installCRDs(t)
	ctx := context.Background()

	out, err := cluster.Kubectl(ctx, "apply", "-f", "testdata/valid-objects.yaml")
	require.NoError(t, err)
	for _, created := range []string{
		"namespace/crd-test",
		"jwtauthenticator.authentication.concierge.pinniped.dev/workload1-jwt",
		"webhookauthenticator.authentication.concierge.pinniped.dev/corp-webhook",
		"credentialissuer.config.concierge.pinniped.dev/pinniped-concierge-config",
		"federationdomain.config.supervisor.pinniped.dev/corp",
		"oidcclient.config.supervisor.pinniped.dev/client.oauth.pinniped.dev-dashboard",
		"oidcidentityprovider.idp.supervisor.pinniped.dev/okta",
		"ldapidentityprovider.idp.supervisor.pinniped.dev/corp-ldap",
		"activedirectoryidentityprovider.idp.supervisor.pinniped.dev/corp-ad",
		"githubidentityprovider.idp.supervisor.pinniped.dev/github",
	} {
		require.Contains(t, out, created)
	}

	t.Run("schema_defaults_applied", func(t *testing.T) {
		tests := []struct{ args, want string }{
			{"githubidentityprovider github -n crd-test -o jsonpath={.spec.githubAPI.host}", "github.com"},
			{"githubidentityprovider github -n crd-test -o jsonpath={.spec.claims.username}", "login:id"},
			{"githubidentityprovider github -n crd-test -o jsonpath={.spec.claims.groups}", "slug"},
			{"credentialissuer pinniped-concierge-config -o jsonpath={.spec.impersonationProxy.service.type}",
				"LoadBalancer"},
		}
		for _, tt := range tests {
			out, err := cluster.Kubectl(ctx, append([]string{"get"}, strings.Fields(tt.args)...)...)
			require.NoError(t, err)
			require.Equal(t, tt.want, out, tt.args)
		}
	})

	t.Run("category_lists_every_kind", func(t *testing.T) {
		out, err := cluster.Kubectl(ctx, "get", "pinniped", "-A")
		require.NoError(t, err)
		for _, name := range []string{
			"jwtauthenticator.authentication.concierge.pinniped.dev/workload1-jwt",
			"webhookauthenticator.authentication.concierge.pinniped.dev/corp-webhook",
			"credentialissuer.config.concierge.pinniped.dev/pinniped-concierge-config",
			"federationdomain.config.supervisor.pinniped.dev/corp",
			"oidcclient.config.supervisor.pinniped.dev/client.oauth.pinniped.dev-dashboard",
			"oidcidentityprovider.idp.supervisor.pinniped.dev/okta",
			"ldapidentityprovider.idp.supervisor.pinniped.dev/corp-ldap",
			"activedirectoryidentityprovider.idp.supervisor.pinniped.dev/corp-ad",
			"githubidentityprovider.idp.supervisor.pinniped.dev/github",
		} {
			require.Contains(t, out, name)
		}
	})

	t.Run("printer_columns", func(t *testing.T) {
		tests := []struct {
			args   []string
			header []string
			row    []string
		}{
			{
				args:   []string{"get", "jwtauthenticators", "workload1-jwt"},
				header: []string{"NAME", "ISSUER", "AUDIENCE", "STATUS", "AGE"},
				row:    []string{"workload1-jwt", "https://supervisor.example.com/issuer", "workload1-4a2f"},
			},
			{
				args:   []string{"get", "webhookauthenticators", "corp-webhook"},
				header: []string{"NAME", "ENDPOINT", "STATUS", "AGE"},
				row:    []string{"corp-webhook", "https://webhook.example.com/authenticate"},
			},
			{
				args:   []string{"get", "credentialissuers", "pinniped-concierge-config"},
				header: []string{"NAME", "PROXYMODE", "DEFAULTSTRATEGY", "AGE"},
				row:    []string{"pinniped-concierge-config", "auto"},
			},
			{
				args:   []string{"get", "federationdomains", "corp", "-n", "crd-test"},
				header: []string{"NAME", "ISSUER", "STATUS", "AGE"},
				row:    []string{"corp", "https://supervisor.example.com/issuer"},
			},
			{
				args:   []string{"get", "oidcclients", "client.oauth.pinniped.dev-dashboard", "-n", "crd-test"},
				header: []string{"NAME", "PRIVILEGED SCOPES", "CLIENT SECRETS", "STATUS", "AGE"},
				row:    []string{"client.oauth.pinniped.dev-dashboard"},
			},
			{
				args:   []string{"get", "oidcidentityproviders", "okta", "-n", "crd-test"},
				header: []string{"NAME", "ISSUER", "STATUS", "AGE"},
				row:    []string{"okta", "https://corp.okta.com"},
			},
			{
				args:   []string{"get", "ldapidentityproviders", "corp-ldap", "-n", "crd-test"},
				header: []string{"NAME", "HOST", "STATUS", "AGE"},
				row:    []string{"corp-ldap", "ldap.example.com:636"},
			},
			{
				args:   []string{"get", "activedirectoryidentityproviders", "corp-ad", "-n", "crd-test"},
				header: []string{"NAME", "HOST", "STATUS", "AGE"},
				row:    []string{"corp-ad", "ad.example.com"},
			},
			{
				args:   []string{"get", "githubidentityproviders", "github", "-n", "crd-test"},
				header: []string{"NAME", "HOST", "STATUS", "AGE"},
				row:    []string{"github", "github.com"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.args[1], func(t *testing.T) {
				out, err := cluster.Kubectl(ctx, tt.args...)
				require.NoError(t, err)
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 2, out)
				require.Equal(t, tt.header, splitColumns(lines[0]))
				require.Subset(t, strings.Fields(lines[1]), tt.row)
			})
		}
	})
}

func TestCRDsRefuseInvalidObjects(t *testing.T) {
	installCRDs(t)
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{
			name: "jwtauthenticator_http_issuer",
			manifest: `
apiVersion: authentication.concierge.pinniped.dev/v1alpha1
kind: JWTAuthenticator
metadata: {name: insecure}
spec: {issuer: "http://issuer.example.com", audience: a}`,
			want: `spec.issuer: Invalid value: "http://issuer.example.com": ` +
				`spec.issuer in body should match '^https://'`,
		},
		{
			name: "oidcclient_without_name_prefix",
			manifest: `
apiVersion: config.supervisor.pinniped.dev/v1alpha1
kind: OIDCClient
metadata: {name: dashboard, namespace: default}
spec:
  allowedRedirectURIs: [https://dashboard.example.com/callback]
  allowedGrantTypes: [authorization_code]
  allowedScopes: [openid]`,
			want: "metadata.name must start with client.oauth.pinniped.dev-",
		},
		{
			name: "github_all_users_with_allowed_list",
			manifest: `
apiVersion: idp.supervisor.pinniped.dev/v1alpha1
kind: GitHubIdentityProvider
metadata: {name: github, namespace: default}
spec:
  allowAuthentication:
    organizations: {policy: AllGitHubUsers, allowed: [sealworks]}
  client: {secretName: github-client}`,
			want: "spec.allowAuthentication.organizations.policy must be 'OnlyUsersFromAllowedOrganizations' " +
				"when spec.allowAuthentication.organizations.allowed has organizations listed",
		},
		{
			name: "federationdomain_http_issuer",
			manifest: `
apiVersion: config.supervisor.pinniped.dev/v1alpha1
kind: FederationDomain
metadata: {name: insecure, namespace: default}
spec: {issuer: "http://supervisor.example.com/issuer"}`,
			want: `spec.issuer: Invalid value: "http://supervisor.example.com/issuer": issuer must be an HTTPS URL`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "object.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.manifest), 0o600))
			out, err := cluster.Kubectl(context.Background(), "create", "-f", path)
			require.Error(t, err, "the API server accepted an invalid object: %s", out)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

// splitColumns splits a kubectl table header, keeping multi-word column names
// such as "PRIVILEGED SCOPES" (kubectl separates columns by at least 3 spaces).
func splitColumns(header string) []string {
	var cols []string
	for _, col := range strings.Split(header, "   ") {
		if col = strings.TrimSpace(col); col != "" {
			cols = append(cols, col)
		}
	}
	return cols
}
