// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const names = `
names:
  servingCertificateSecret: serving
  credentialIssuer: issuer
  apiService: api
`

func TestParse(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c, err := Parse([]byte(names))
		require.NoError(t, err)
		require.Equal(t, &Config{
			APIGroupSuffix:               "pinniped.dev",
			AggregatedAPIServerPort:      10250,
			ImpersonationProxyServerPort: 8444,
			Names: Names{
				ServingCertificateSecret:    "serving",
				CredentialIssuer:            "issuer",
				APIService:                  "api",
				ImpersonationSignerSecret:   "pinniped-concierge-impersonation-proxy-signer-ca-certificate",
				ImpersonationCASecret:       "pinniped-concierge-impersonation-proxy-ca-certificate",
				ImpersonationServiceAccount: "pinniped-concierge-impersonation-proxy",
			},
			API: API{ServingCertificate: ServingCertificate{
				DurationSeconds: 31536000, RenewBeforeSeconds: 23328000,
			}},
			LogLevel: "info",
		}, c)
		require.Equal(t, 365*24*time.Hour, c.ServingCertDuration())
		require.Equal(t, 270*24*time.Hour, c.ServingCertRenewBefore())
	})

	t.Run("everything_set", func(t *testing.T) {
		c, err := Parse([]byte(names + `
apiGroupSuffix: example.io
namespace: concierge
aggregatedAPIServerPort: 12345
api: {servingCertificate: {durationSeconds: 2592000, renewBeforeSeconds: 2160000}}
signingKey: {certFile: /ca.crt, keyFile: /ca.key}
frontend: {server: "https://127.0.0.1:6443", certificateAuthorityData: Zm9v}
logLevel: debug
`))
		require.NoError(t, err)
		require.Equal(t, "example.io", c.APIGroupSuffix)
		require.Equal(t, "concierge", c.Namespace)
		require.Equal(t, 12345, c.AggregatedAPIServerPort)
		require.Equal(t, SigningKey{CertFile: "/ca.crt", KeyFile: "/ca.key"}, c.SigningKey)
		require.Equal(t, &Frontend{Server: "https://127.0.0.1:6443", CertificateAuthorityData: "Zm9v"}, c.Frontend)
		require.Equal(t, 30*24*time.Hour, c.ServingCertDuration())
	})

	tests := []struct {
		name, yaml, wantErr string
	}{
		{"missing_names", "apiGroupSuffix: pinniped.dev\n", "invalid config file: " +
			"names.servingCertificateSecret is required\nnames.credentialIssuer is required\nnames.apiService is required"},
		{"unknown_field", names + "apiGroupSufix: x.io\n", `could not parse config file: ` +
			`error unmarshaling JSON: while decoding JSON: json: unknown field "apiGroupSufix"`},
		{"bad_suffix", names + "apiGroupSuffix: nodots\n", `invalid config file: invalid API group suffix "nodots": ` +
			"must have at least two DNS labels, like example.com"},
		{"renew_after_expiry", names + "api: {servingCertificate: {durationSeconds: 10, renewBeforeSeconds: 20}}\n",
			"invalid config file: api.servingCertificate.renewBeforeSeconds must be positive " +
				"and at most api.servingCertificate.durationSeconds"},
		{"both_key_sources", names + "signingKey: {secretName: s, certFile: c, keyFile: k}\n",
			"invalid config file: signingKey takes either secretName or certFile and keyFile, not both"},
		{"cert_without_key", names + "signingKey: {certFile: c}\n",
			"invalid config file: signingKey.certFile and signingKey.keyFile must be given together"},
		{"http_frontend", names + "frontend: {server: 'http://x', certificateAuthorityData: Zm9v}\n",
			"invalid config file: frontend.server must be an https URL"},
		{"bad_log_level", names + "logLevel: loud\n",
			`invalid config file: logLevel must be info, debug, trace or all, not "loud"`},
		{"privileged_port", names + "aggregatedAPIServerPort: 443\n",
			"invalid config file: aggregatedAPIServerPort must be within 1024-65535, not 443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			require.EqualError(t, err, tt.wantErr)
		})
	}
}
