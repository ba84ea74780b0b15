// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOptionsValidate(t *testing.T) {
	valid := func() Options {
		return Options{
			Namespace: "ns", SecretName: "secret", ServiceName: "svc",
			Duration: 30 * 24 * time.Hour, RenewBefore: 25 * 24 * time.Hour,
		}
	}
	tests := []struct {
		name    string
		change  func(o *Options)
		wantErr string
	}{
		{name: "valid", change: func(*Options) {}},
		{name: "renew_before_equal_to_duration", change: func(o *Options) { o.RenewBefore = o.Duration }},
		{
			name: "missing_namespace", change: func(o *Options) { o.Namespace = "" },
			wantErr: "servingcert: namespace is required",
		},
		{
			name: "missing_secret_name", change: func(o *Options) { o.SecretName = "" },
			wantErr: "servingcert: secret name is required",
		},
		{
			name: "missing_service_name", change: func(o *Options) { o.ServiceName = "" },
			wantErr: "servingcert: service name is required",
		},
		{
			name: "zero_renew_before", change: func(o *Options) { o.RenewBefore = 0 },
			wantErr: "servingcert: renewBefore must be positive, got 0s",
		},
		{
			name: "duration_shorter_than_renew_before",
			change: func(o *Options) {
				o.Duration = time.Hour
				o.RenewBefore = 2 * time.Hour
			},
			wantErr: "servingcert: duration (1h0m0s) must not be shorter than renewBefore (2h0m0s)",
		},
		{
			name: "negative_check_interval", change: func(o *Options) { o.CheckInterval = -time.Second },
			wantErr: "servingcert: checkInterval must not be negative, got -1s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.change(&o)
			err := o.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

func TestOptionsDNSNames(t *testing.T) {
	o := Options{Namespace: "pinniped-concierge", ServiceName: "pinniped-concierge-api"}
	require.Equal(t, []string{
		"pinniped-concierge-api.pinniped-concierge.svc",
		"pinniped-concierge-api.pinniped-concierge.svc.cluster.local",
	}, o.dnsNames())
}
