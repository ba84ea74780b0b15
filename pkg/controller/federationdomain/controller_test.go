// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomain

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	clocktesting "k8s.io/utils/clock/testing"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned/fake"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// recordingEndpoints records each set of FederationDomains, and how many status
// writes the client had seen at that moment.
type recordingEndpoints struct {
	client *fake.Clientset
	calls  [][]string
	writes []int
}

func (r *recordingEndpoints) SetFederationDomains(fds ...endpoints.FederationDomain) {
	names := []string{}
	for _, fd := range fds {
		names = append(names, fd.Name)
	}
	r.calls = append(r.calls, names)
	r.writes = append(r.writes, len(patches(r.client)))
}

func patches(client *fake.Clientset) []clienttesting.Action {
	var out []clienttesting.Action
	for _, a := range client.Actions() {
		if a.GetVerb() == "patch" {
			out = append(out, a)
		}
	}
	return out
}

func TestSyncServesBeforeWritingAndWritesOnlyChanges(t *testing.T) {
	objects := []runtime.Object{
		fd("good", "https://good.example.com", ref("okta", idpGroup, kindOIDC, "okta")),
		fd("bad", "https://bad.example.com/", ref("okta", idpGroup, kindOIDC, "okta")),
	}
	client := fake.NewSimpleClientset(objects...) //nolint:staticcheck // the generated fake has no NewClientset
	informers := supervisorinformers.NewSharedInformerFactory(client, 0)
	idps := informers.Idp().V1alpha1()
	recorder := &recordingEndpoints{client: client}
	c, err := New(Options{
		Client:            client,
		FederationDomains: informers.Config().V1alpha1().FederationDomains(),
		OIDC:              idps.OIDCIdentityProviders(),
		LDAP:              idps.LDAPIdentityProviders(),
		ActiveDirectory:   idps.ActiveDirectoryIdentityProviders(),
		GitHub:            idps.GitHubIdentityProviders(),
		Namespace:         "ns",
		APIGroupSuffix:    "pinniped.dev",
		Endpoints:         recorder,
		Clock:             clocktesting.NewFakePassiveClock(time.Unix(1700000000, 0)),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	informers.Start(ctx.Done())
	require.True(t, cache.WaitForCacheSync(ctx.Done(), c.synced...))

	// The identity provider is missing, so neither is served; both statuses are written
	// after the endpoints were set.
	require.NoError(t, c.sync(ctx))
	require.Equal(t, [][]string{{}}, recorder.calls)
	require.Equal(t, []int{0}, recorder.writes)
	require.Len(t, patches(client), 2)

	// A second sync over the written statuses changes nothing and writes nothing.
	require.Eventually(t, func() bool {
		got, _ := c.lister.FederationDomains("ns").Get("good")
		return got.Status.Phase == configv1alpha1.FederationDomainPhaseError
	}, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		got, _ := c.lister.FederationDomains("ns").Get("bad")
		return got.Status.Phase == configv1alpha1.FederationDomainPhaseError
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, c.sync(ctx))
	require.Len(t, patches(client), 2)

	good, err := client.ConfigV1alpha1().FederationDomains("ns").Get(ctx, "good", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, "False/IdentityProvidersObjectRefsNotFound: could not find the identity providers of "+
		`.spec.identityProviders[0] with displayName "okta"`,
		summary(good.Status.Conditions)["IdentityProvidersFound"])
	for _, cond := range good.Status.Conditions {
		require.True(t, time.Unix(1700000000, 0).Equal(cond.LastTransitionTime.Time), cond.Type)
	}
}
