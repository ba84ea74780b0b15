// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package clientsecretstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	kube := fake.NewClientset()
	secrets := kube.CoreV1().Secrets("supervisor")
	store := New(secrets)
	owner := Owner{APIVersion: "config.supervisor.pinniped.dev/v1alpha1", Name: "client.oauth.pinniped.dev-a",
		UID: "0b4ee0a8-7e1d-4b7e-9d3f-1f0c5a3c0e11"}

	hashes, version, err := store.Get(ctx, owner.UID)
	require.NoError(t, err)
	require.Empty(t, hashes)
	require.Empty(t, version)

	// The first write creates the Secret, in upstream's format (name checked with
	// Python's base64.b32encode).
	require.NoError(t, store.Set(ctx, owner, "", []string{"h1"}))
	name := "pinniped-storage-oidc-client-secret-gbrdizlfgbqtqljxmuywiljumi3wkljzmqzwmljrmyyggnlbgnrtazjrge"
	require.Equal(t, name, SecretName(owner.UID))
	secret, err := secrets.Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, corev1.SecretType("storage.pinniped.dev/oidc-client-secret"), secret.Type)
	require.Equal(t, map[string]string{"storage.pinniped.dev/type": "oidc-client-secret"}, secret.Labels)
	require.JSONEq(t, `{"hashes":["h1"],"version":"1"}`, string(secret.Data["pinniped-storage-data"]))
	require.Equal(t, "1", string(secret.Data["pinniped-storage-version"]))
	require.Len(t, secret.OwnerReferences, 1)
	require.Equal(t, owner.UID, secret.OwnerReferences[0].UID)
	require.Equal(t, "OIDCClient", secret.OwnerReferences[0].Kind)

	// A second create, as by a concurrent request, is a conflict.
	err = store.Set(ctx, owner, "", []string{"h2"})
	require.True(t, apierrors.IsConflict(err), "got %v", err)

	hashes, _, err = store.Get(ctx, owner.UID)
	require.NoError(t, err)
	require.Equal(t, []string{"h1"}, hashes)

	// A storage Secret of another type or version is not trusted.
	secret.Type = corev1.SecretTypeOpaque
	_, err = HashesOf(secret)
	require.EqualError(t, err, `secret `+name+` has type "Opaque", not "storage.pinniped.dev/oidc-client-secret"`)
	secret.Type = SecretType
	secret.Data["pinniped-storage-data"] = []byte(`{"hashes":["h1"],"version":"2"}`)
	_, err = HashesOf(secret)
	require.EqualError(t, err, `secret `+name+` has storage version "2", not "1"`)
}
