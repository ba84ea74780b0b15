// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
	supervisorfake "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned/fake"
	supervisorinformers "github.com/sealworks/pinniped/pkg/generated/supervisor/informers/externalversions"
)

const namespace = "supervisor"

func TestSync(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), 12)
	require.NoError(t, err)
	ready := &configv1alpha1.OIDCClient{
		ObjectMeta: metav1.ObjectMeta{Name: "client.oauth.pinniped.dev-ready", Namespace: namespace,
			UID: "uid-ready", Generation: 3},
		Spec: configv1alpha1.OIDCClientSpec{
			AllowedRedirectURIs: []configv1alpha1.RedirectURI{"https://app.example.com/callback"},
			AllowedGrantTypes:   []configv1alpha1.GrantType{configv1alpha1.GrantTypeAuthorizationCode},
			AllowedScopes:       []configv1alpha1.Scope{configv1alpha1.ScopeOpenID},
		},
	}
	noSecret := ready.DeepCopy()
	noSecret.Name, noSecret.UID = "client.oauth.pinniped.dev-nosecret", "uid-nosecret"
	storage := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: clientsecretstore.SecretName(ready.UID), Namespace: namespace},
		Type:       clientsecretstore.SecretType,
		Data: map[string][]byte{
			clientsecretstore.DataKey: []byte(`{"hashes":["` + string(hash) + `","` + string(hash) + `"],"version":"1"}`),
		},
	}

	kube := kubefake.NewClientset(storage)
	supervisor := supervisorfake.NewSimpleClientset(ready, noSecret)
	kubeInformers := kubeinformers.NewSharedInformerFactoryWithOptions(kube, 0, kubeinformers.WithNamespace(namespace))
	supervisorInformers := supervisorinformers.NewSharedInformerFactoryWithOptions(supervisor, 0,
		supervisorinformers.WithNamespace(namespace))
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	c, err := New(Options{
		Client:      supervisor,
		OIDCClients: supervisorInformers.Config().V1alpha1().OIDCClients(),
		Secrets:     kubeInformers.Core().V1().Secrets(),
		Namespace:   namespace,
		Clock:       clocktesting.NewFakeClock(now),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kubeInformers.Start(ctx.Done())
	supervisorInformers.Start(ctx.Done())
	kubeInformers.WaitForCacheSync(ctx.Done())
	supervisorInformers.WaitForCacheSync(ctx.Done())

	require.NoError(t, c.sync(ctx))

	got, err := supervisor.ConfigV1alpha1().OIDCClients(namespace).Get(ctx, ready.Name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, configv1alpha1.OIDCClientPhaseReady, got.Status.Phase)
	require.Equal(t, int32(2), got.Status.TotalClientSecrets)
	require.Equal(t, map[string]string{
		"AllowedGrantTypesValid": "True", "AllowedScopesValid": "True", "ClientSecretExists": "True", "Ready": "True",
	}, statuses(got.Status.Conditions))
	for _, cond := range got.Status.Conditions {
		require.Equal(t, int64(3), cond.ObservedGeneration)
		require.Equal(t, now, cond.LastTransitionTime.Time)
	}

	got, err = supervisor.ConfigV1alpha1().OIDCClients(namespace).Get(ctx, noSecret.Name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, configv1alpha1.OIDCClientPhaseError, got.Status.Phase)
	require.Equal(t, int32(0), got.Status.TotalClientSecrets)
	require.Equal(t, map[string]string{
		"AllowedGrantTypesValid": "True", "AllowedScopesValid": "True",
		"ClientSecretExists": "False/NoClientSecretFound", "Ready": "False/NotReady",
	}, statuses(got.Status.Conditions))
}

func statuses(conditions []metav1.Condition) map[string]string {
	out := map[string]string{}
	for _, c := range conditions {
		if c.Status == metav1.ConditionTrue {
			out[c.Type] = "True"
		} else {
			out[c.Type] = string(c.Status) + "/" + c.Reason
		}
	}
	return out
}
