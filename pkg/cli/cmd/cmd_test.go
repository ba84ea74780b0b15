// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/utils/ptr"
)

func TestExecCredentialExpiry(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		expiry *time.Time
		want   *time.Time
	}{
		{name: "future_expiry_kept", expiry: ptr.To(now.Add(time.Minute)), want: ptr.To(now.Add(time.Minute))},
		{name: "past_expiry_dropped", expiry: ptr.To(now.Add(-time.Second))},
		{name: "expiry_of_now_dropped", expiry: ptr.To(now)},
		{name: "no_expiry_stays_none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := &clientauthv1beta1.ExecCredentialStatus{Token: "t"}
			if tt.expiry != nil {
				status.ExpirationTimestamp = ptr.To(metav1.NewTime(*tt.expiry))
			}
			got := execCredential(status, "client.authentication.k8s.io/v1", now)
			require.Equal(t, "client.authentication.k8s.io/v1", got.APIVersion)
			require.Equal(t, "ExecCredential", got.Kind)
			if tt.want == nil {
				require.Nil(t, got.Status.ExpirationTimestamp)
			} else {
				require.Equal(t, *tt.want, got.Status.ExpirationTimestamp.Time)
			}
		})
	}
}

func TestReadExecInfo(t *testing.T) {
	tests := []struct {
		name        string
		env         string
		wantVersion string
		wantCluster *clientauthv1beta1.Cluster
	}{
		{name: "unset_is_v1beta1", wantVersion: "client.authentication.k8s.io/v1beta1"},
		{
			name: "v1beta1_cluster_is_kept",
			env: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",` +
				`"spec":{"cluster":{"server":"https://k"}}}`,
			wantVersion: "client.authentication.k8s.io/v1beta1",
			wantCluster: &clientauthv1beta1.Cluster{Server: "https://k"},
		},
		{
			name: "v1_answers_v1_without_cluster_in_the_key",
			env: `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",` +
				`"spec":{"cluster":{"server":"https://k"}}}`,
			wantVersion: "client.authentication.k8s.io/v1",
		},
		{name: "garbage_is_v1beta1", env: "{", wantVersion: "client.authentication.k8s.io/v1beta1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBERNETES_EXEC_INFO", tt.env)
			info := readExecInfo()
			require.Equal(t, tt.wantVersion, info.apiVersion)
			require.Equal(t, tt.wantCluster, info.cluster)
		})
	}
}

func TestLoginOIDCFlagDefaults(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	flags := newLoginOIDCCommand().Flags()
	for name, want := range map[string]string{
		"client-id":                       "pinniped-cli",
		"scopes":                          "[offline_access,openid,pinniped:request-audience,username,groups]",
		"listen-port":                     "0",
		"session-cache":                   "/xdg/pinniped/sessions.yaml",
		"credential-cache":                "/xdg/pinniped/credentials.yaml",
		"upstream-identity-provider-type": "oidc",
		"concierge-api-group-suffix":      "pinniped.dev",
	} {
		require.Equal(t, want, flags.Lookup(name).DefValue, name)
	}
	require.True(t, flags.Lookup("skip-listen").Hidden)

	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/pinny")
	require.Equal(t, "/home/pinny/.config/pinniped/credentials.yaml",
		newLoginStaticCommand().Flags().Lookup("credential-cache").DefValue)
}

func TestExecArgsOrder(t *testing.T) {
	f := &getKubeconfigFlags{credentialCache: "", credentialCacheSet: true, upstreamName: "corp",
		upstreamType: "ldap", upstreamFlow: "cli_password"}
	f.concierge.apiGroupSuffix = "pinniped.dev"
	f.oidc.issuer, f.oidc.clientID, f.oidc.requestAudience = "https://sup/issuer", "pinniped-cli", "cluster-1"
	f.oidc.skipBrowser, f.oidc.listenPort, f.oidc.sessionCache = true, 4444, "/s.yaml"
	tgt := &target{authType: "jwt", authName: "sup", conciergeEnd: "https://k", caBundle: []byte("CA"),
		oidcCABundle: []byte("OCA"), scopes: []string{"openid", "offline_access"}}
	args, err := execArgs(f, tgt)
	require.NoError(t, err)
	require.Equal(t, []string{
		"login", "oidc", "--enable-concierge", "--concierge-api-group-suffix=pinniped.dev",
		"--concierge-authenticator-name=sup", "--concierge-authenticator-type=jwt",
		"--concierge-endpoint=https://k", "--concierge-ca-bundle-data=Q0E=", "--credential-cache=",
		"--issuer=https://sup/issuer", "--client-id=pinniped-cli", "--scopes=openid,offline_access",
		"--skip-browser", "--listen-port=4444", "--ca-bundle-data=T0NB", "--session-cache=/s.yaml",
		"--request-audience=cluster-1", "--upstream-identity-provider-name=corp",
		"--upstream-identity-provider-type=ldap", "--upstream-identity-provider-flow=cli_password",
	}, args)

	f.concierge.disabled = true
	f.staticToken, f.credentialCacheSet = "tok", false
	args, err = execArgs(f, tgt)
	require.NoError(t, err)
	require.Equal(t, []string{"login", "static", "--token=tok"}, args)
}
