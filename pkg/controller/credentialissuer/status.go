// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package credentialissuer

import (
	"context"
	"fmt"
	"sort"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
)

// mergeStrategy returns existing with want in place of the strategy of the same
// type (or added), sorted. A strategy that differs only in lastUpdateTime keeps its
// old time, so that an unchanged strategy compares equal to what is stored and no
// update is sent. existing is not modified.
func mergeStrategy(
	existing []configv1alpha1.CredentialIssuerStrategy,
	want configv1alpha1.CredentialIssuerStrategy,
	now metav1.Time,
) []configv1alpha1.CredentialIssuerStrategy {
	out := make([]configv1alpha1.CredentialIssuerStrategy, 0, len(existing)+1)
	want.LastUpdateTime = now
	found := false
	for _, s := range existing {
		if s.Type != want.Type {
			out = append(out, *s.DeepCopy())
			continue
		}
		if found {
			// Two entries of one type can only come from someone else's write; keep
			// the first.
			continue
		}
		found = true
		if sameIgnoringTime(s, want) {
			want.LastUpdateTime = s.LastUpdateTime
		}
		out = append(out, want)
	}
	if !found {
		out = append(out, want)
	}
	sortStrategies(out)
	return out
}

func sameIgnoringTime(a, b configv1alpha1.CredentialIssuerStrategy) bool {
	a.LastUpdateTime, b.LastUpdateTime = metav1.Time{}, metav1.Time{}
	return apiequality.Semantic.DeepEqual(a, b)
}

// sortStrategies puts the preferred strategy first: the cluster's signing key, then
// the impersonation proxy, then any other type, each group by type name.
func sortStrategies(strategies []configv1alpha1.CredentialIssuerStrategy) {
	sort.SliceStable(strategies, func(i, j int) bool {
		wi, wj := weight(strategies[i].Type), weight(strategies[j].Type)
		if wi != wj {
			return wi > wj
		}
		return strategies[i].Type < strategies[j].Type
	})
}

func weight(t configv1alpha1.StrategyType) int {
	switch t {
	case configv1alpha1.KubeClusterSigningCertificateStrategyType:
		return 2
	case configv1alpha1.ImpersonationProxyStrategyType:
		return 1
	default:
		return 0
	}
}

// WriteStrategy merges want into the status of the CredentialIssuer and writes
// it when it changed. Two controllers write strategies into one status (the
// signing key's and the impersonation proxy's), so a conflict is retried at once
// on a fresh copy instead of going back through the caller's queue.
func WriteStrategy(
	ctx context.Context, client conciergeclientset.Interface, issuer *configv1alpha1.CredentialIssuer,
	want configv1alpha1.CredentialIssuerStrategy, now metav1.Time,
) error {
	issuers := client.ConfigV1alpha1().CredentialIssuers()
	changed := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		merged := mergeStrategy(issuer.Status.Strategies, want, now)
		if apiequality.Semantic.DeepEqual(merged, issuer.Status.Strategies) {
			return nil
		}
		updated := issuer.DeepCopy()
		updated.Status.Strategies = merged
		_, err := issuers.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			if fresh, getErr := issuers.Get(ctx, issuer.Name, metav1.GetOptions{}); getErr == nil {
				issuer = fresh
			}
		}
		changed = err == nil
		return err
	})
	if err != nil {
		return fmt.Errorf("could not update status of credentialissuer %q: %w", issuer.Name, err)
	}
	if changed {
		klog.FromContext(ctx).Info("updated credential issuer status", "strategy", want.Type,
			"status", want.Status, "reason", want.Reason, "message", want.Message)
	}
	return nil
}
