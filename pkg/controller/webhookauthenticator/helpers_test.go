// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
)

// create makes a WebhookAuthenticator and deletes it when the test ends.
func (e *testEnv) create(t *testing.T, name, endpoint string,
	tls *authenticationv1alpha1.TLSSpec) *authenticationv1alpha1.WebhookAuthenticator {
	t.Helper()
	ctx := context.Background()
	client := e.client.AuthenticationV1alpha1().WebhookAuthenticators()
	obj, err := client.Create(ctx, &authenticationv1alpha1.WebhookAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       authenticationv1alpha1.WebhookAuthenticatorSpec{Endpoint: endpoint, TLS: tls},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Delete(ctx, name, metav1.DeleteOptions{}) })
	return obj
}

// update changes a WebhookAuthenticator's spec, retrying on conflicts with the controller.
func (e *testEnv) update(t *testing.T, name string,
	change func(*authenticationv1alpha1.WebhookAuthenticator)) *authenticationv1alpha1.WebhookAuthenticator {
	t.Helper()
	ctx := context.Background()
	client := e.client.AuthenticationV1alpha1().WebhookAuthenticators()
	var updated *authenticationv1alpha1.WebhookAuthenticator
	require.NoError(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(obj)
		updated, err = client.Update(ctx, obj, metav1.UpdateOptions{})
		return err
	}))
	return updated
}

// waitForStatus waits until the object shows exactly a phase and conditions, every
// condition observing the current generation; lastTransitionTime is not compared.
func (e *testEnv) waitForStatus(t *testing.T, name string, phase authenticationv1alpha1.WebhookAuthenticatorPhase,
	want []metav1.Condition) {
	t.Helper()
	var obj *authenticationv1alpha1.WebhookAuthenticator
	var got []metav1.Condition
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		obj, err = e.client.AuthenticationV1alpha1().WebhookAuthenticators().Get(context.Background(), name,
			metav1.GetOptions{})
		require.NoError(t, err)
		got = withoutTimes(obj.Status.Conditions, obj.Generation)
		if obj.Status.Phase == phase && equalConditions(want, got) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, want, got, "conditions of %q", name)
	require.Equal(t, phase, obj.Status.Phase, "phase of %q", name)
}

// waitForLoaded waits until an object's authenticator is in the cache. The controller
// loads it just after writing the status, so a Ready status alone does not mean it is.
func (e *testEnv) waitForLoaded(t *testing.T, name string) authncache.Value {
	t.Helper()
	var loaded authncache.Value
	require.Eventually(t, func() bool {
		loaded = e.cache.Get(cacheKey(name))
		return loaded != nil
	}, 30*time.Second, 10*time.Millisecond, "authenticator of %q not loaded", name)
	return loaded
}

// requireStable checks that the controller leaves a settled object alone: no status
// write for a few seconds.
func (e *testEnv) requireStable(t *testing.T, name string) {
	t.Helper()
	client := e.client.AuthenticationV1alpha1().WebhookAuthenticators()
	before, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	time.Sleep(3 * time.Second)
	after, err := client.Get(context.Background(), name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, before.ResourceVersion, after.ResourceVersion, "the status of %q keeps changing", name)
}

// withoutTimes strips lastTransitionTime, and observedGeneration when it is current, so
// that conditions compare by what they say; a stale generation still shows.
func withoutTimes(conditions []metav1.Condition, generation int64) []metav1.Condition {
	out := make([]metav1.Condition, 0, len(conditions))
	for _, c := range conditions {
		c.LastTransitionTime = metav1.Time{}
		if c.ObservedGeneration == generation {
			c.ObservedGeneration = 0
		}
		out = append(out, c)
	}
	return out
}

func equalConditions(a, b []metav1.Condition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantConditions returns the conditions of a Ready object with overrides applied, the
// Ready summary computed from them, sorted by type.
func wantConditions(overrides ...metav1.Condition) []metav1.Condition {
	byType := map[string]metav1.Condition{}
	for _, c := range []metav1.Condition{
		trueCondition("AuthenticatorValid", "the authenticator is initialized"),
		trueCondition("EndpointURLValid", "spec.endpoint is a valid https URL"),
		trueCondition("TLSConfigurationValid", "spec.tls is valid: using configured CA bundle"),
		trueCondition("WebhookConnectionValid", "a TLS connection to spec.endpoint succeeded"),
	} {
		byType[c.Type] = c
	}
	ready := trueCondition("Ready", "the WebhookAuthenticator is ready")
	for _, c := range overrides {
		byType[c.Type] = c
	}
	out := make([]metav1.Condition, 0, len(byType)+1)
	for _, c := range byType {
		if c.Status != metav1.ConditionTrue {
			ready = falseCondition("Ready", "NotReady",
				"the WebhookAuthenticator is not ready: see other conditions for details")
		}
		out = append(out, c)
	}
	out = append(out, ready)
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

func trueCondition(typ, message string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: "Success", Message: message}
}

func falseCondition(typ, reason, message string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionFalse, Reason: reason, Message: message}
}

func unknown(typ string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionUnknown, Reason: "UnableToValidate",
		Message: "unable to validate; see other conditions for details"}
}

func inlineCA(server *tokenReviewServer) *authenticationv1alpha1.TLSSpec {
	return &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: server.caData()}
}
