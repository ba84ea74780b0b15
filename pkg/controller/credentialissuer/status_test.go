// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

func TestMergeStrategy(t *testing.T) {
	then := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	strategy := func(typ configv1alpha1.StrategyType, reason configv1alpha1.StrategyReason, at metav1.Time,
	) configv1alpha1.CredentialIssuerStrategy {
		return configv1alpha1.CredentialIssuerStrategy{
			Type: typ, Status: configv1alpha1.ErrorStrategyStatus, Reason: reason, Message: "m", LastUpdateTime: at,
		}
	}
	const (
		kube  = configv1alpha1.KubeClusterSigningCertificateStrategyType
		proxy = configv1alpha1.ImpersonationProxyStrategyType
	)
	fetch := configv1alpha1.CouldNotFetchKeyStrategyReason
	info := configv1alpha1.CouldNotGetClusterInfoStrategyReason
	disabled := configv1alpha1.DisabledStrategyReason

	tests := []struct {
		name     string
		existing []configv1alpha1.CredentialIssuerStrategy
		want     configv1alpha1.CredentialIssuerStrategy
		expected []configv1alpha1.CredentialIssuerStrategy
	}{
		{
			name:     "added_to_empty",
			want:     strategy(kube, fetch, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, now)},
		},
		{
			name:     "unchanged_keeps_its_time",
			existing: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, then)},
			want:     strategy(kube, fetch, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, then)},
		},
		{
			name:     "changed_gets_new_time",
			existing: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, then)},
			want:     strategy(kube, info, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, info, now)},
		},
		{
			name:     "others_kept_and_sorted_by_weight",
			existing: []configv1alpha1.CredentialIssuerStrategy{strategy(proxy, disabled, then)},
			want:     strategy(kube, fetch, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, now), strategy(proxy, disabled, then)},
		},
		{
			name: "unknown_types_last_by_name",
			existing: []configv1alpha1.CredentialIssuerStrategy{
				strategy("Zeta", disabled, then), strategy("Alpha", disabled, then), strategy(proxy, disabled, then),
			},
			want: strategy(kube, fetch, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{
				strategy(kube, fetch, now), strategy(proxy, disabled, then),
				strategy("Alpha", disabled, then), strategy("Zeta", disabled, then),
			},
		},
		{
			name: "duplicate_type_collapsed",
			existing: []configv1alpha1.CredentialIssuerStrategy{
				strategy(kube, fetch, then), strategy(kube, info, then),
			},
			want:     strategy(kube, fetch, metav1.Time{}),
			expected: []configv1alpha1.CredentialIssuerStrategy{strategy(kube, fetch, then)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]configv1alpha1.CredentialIssuerStrategy(nil), tt.existing...)
			require.Equal(t, tt.expected, mergeStrategy(tt.existing, tt.want, now))
			require.Equal(t, before, tt.existing, "the input was modified")
		})
	}
}
