// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    *Config
		wantErr string
	}{
		{
			name: "defaults",
			yaml: "names: {defaultTLSCertificateSecret: default-tls}",
			want: &Config{
				APIGroupSuffix: "pinniped.dev",
				Names:          Names{DefaultTLSCertificateSecret: "default-tls", APIService: "pinniped-supervisor-api"},
				Endpoints:      Endpoints{HTTPS: &Endpoint{Network: "tcp", Address: ":8443"}},
				Log:            Log{Level: "info"},

				AggregatedAPIServerPort: 10250,
			},
		},
		{
			name: "everything_set",
			yaml: `apiGroupSuffix: example.io
namespace: supervisor
names: {defaultTLSCertificateSecret: default-tls, apiService: my-api}
endpoints: {https: {network: tcp, address: "127.0.0.1:12345"}}
aggregatedAPIServerPort: 12346
log: {level: debug}
`,
			want: &Config{
				APIGroupSuffix: "example.io",
				Namespace:      "supervisor",
				Names:          Names{DefaultTLSCertificateSecret: "default-tls", APIService: "my-api"},
				Endpoints:      Endpoints{HTTPS: &Endpoint{Network: "tcp", Address: "127.0.0.1:12345"}},
				Log:            Log{Level: "debug"},

				AggregatedAPIServerPort: 12346,
			},
		},
		{
			name:    "unknown_field_is_refused",
			yaml:    "names: {defaultTLSCertificateSecret: x}\nlogLevel: debug",
			wantErr: `could not parse config file: error unmarshaling JSON: while decoding JSON: json: unknown field "logLevel"`,
		},
		{
			name:    "missing_default_tls_secret",
			yaml:    "namespace: x",
			wantErr: "invalid config file: names.defaultTLSCertificateSecret is required",
		},
		{
			name: "bad_endpoint_and_level",
			yaml: `names: {defaultTLSCertificateSecret: x}
endpoints: {https: {network: unix, address: "8443"}}
log: {level: loud}
`,
			wantErr: "invalid config file: endpoints.https.network must be tcp, not \"unix\"\n" +
				"endpoints.https.address must be host:port: address 8443: missing port in address\n" +
				"log.level must be info, debug, trace or all, not \"loud\"",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.yaml))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
