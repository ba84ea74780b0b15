// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomainkeys

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned/fake"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
)

func TestSync(t *testing.T) {
	fd := &configv1alpha1.FederationDomain{ObjectMeta: metav1.ObjectMeta{Name: "fd", Namespace: "ns", UID: "u1"}}
	// A valid symmetric key that must be kept, and an invalid one that must be replaced.
	kept := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "pinniped-oidc-provider-hmac-key-u1", Namespace: "ns"},
		Type:       fdsecrets.TypeTokenSigningKey,
		Data:       map[string][]byte{"key": []byte("0123456789abcdef0123456789abcdef")},
	}
	invalid := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "pinniped-oidc-provider-upstream-state-signature-key-u1", Namespace: "ns"},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"key": []byte("short")},
	}
	kube := kubefake.NewClientset(kept, invalid)
	client := fake.NewSimpleClientset(fd) //nolint:staticcheck // the generated fake has no NewClientset
	kubeInformers := kubeinformers.NewSharedInformerFactory(kube, 0)
	informers := supervisorinformers.NewSharedInformerFactory(client, 0)
	c, err := New(Options{
		Kube: kube, Client: client,
		FederationDomains: informers.Config().V1alpha1().FederationDomains(),
		Secrets:           kubeInformers.Core().V1().Secrets(),
		Namespace:         "ns", APIGroupSuffix: "example.io",
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	informers.Start(ctx.Done())
	kubeInformers.Start(ctx.Done())
	require.True(t, cache.WaitForCacheSync(ctx.Done(), c.synced...))

	require.NoError(t, c.sync(ctx, "fd"))

	secrets, err := kube.CoreV1().Secrets("ns").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	byName := map[string]corev1.Secret{}
	for _, s := range secrets.Items {
		byName[s.Name] = s
	}
	require.Len(t, byName, 4)
	require.Equal(t, kept.Data, byName[kept.Name].Data)
	require.Empty(t, byName[kept.Name].OwnerReferences)
	for _, kind := range fdsecrets.Kinds {
		s := byName[kind.SecretName("fd", "u1")]
		require.NoError(t, kind.Validate(&s))
		if s.Name != kept.Name {
			require.Len(t, s.OwnerReferences, 1)
			owner := s.OwnerReferences[0]
			require.Equal(t, []string{"config.supervisor.example.io/v1alpha1", "FederationDomain", "fd", "u1"},
				[]string{owner.APIVersion, owner.Kind, owner.Name, string(owner.UID)})
		}
	}

	got, err := client.ConfigV1alpha1().FederationDomains("ns").Get(ctx, "fd", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, configv1alpha1.FederationDomainSecrets{
		JWKS:               corev1.LocalObjectReference{Name: "fd-jwks"},
		TokenSigningKey:    corev1.LocalObjectReference{Name: "pinniped-oidc-provider-hmac-key-u1"},
		StateSigningKey:    corev1.LocalObjectReference{Name: "pinniped-oidc-provider-upstream-state-signature-key-u1"},
		StateEncryptionKey: corev1.LocalObjectReference{Name: "pinniped-oidc-provider-upstream-state-encryption-key-u1"},
	}, got.Status.Secrets)
}
