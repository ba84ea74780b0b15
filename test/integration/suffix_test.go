// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

var installRenamedCRDsOnce sync.Once

// installRenamedCRDs installs the CRDs rendered for example.io next to the default
// ones, once per test binary.
func installRenamedCRDs(t *testing.T) {
	t.Helper()
	installCRDs(t)
	installRenamedCRDsOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
		require.NoError(t, err)
		require.Len(t, files, 9, "one CRD per kind")
		rendered := filepath.Join(t.TempDir(), "crds-example-io.yaml")
		var all []byte
		for _, file := range files {
			manifest, err := os.ReadFile(file)
			require.NoError(t, err)
			out, err := groupsuffix.RenderCRD(manifest, "example.io")
			require.NoError(t, err)
			all = append(all, out...)
		}
		require.NoError(t, os.WriteFile(rendered, all, 0o600))

		_, err = cluster.Kubectl(ctx, "apply", "--server-side", "-f", rendered)
		require.NoError(t, err)
		_, err = cluster.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", rendered)
		require.NoError(t, err)
	})
}

// TestCRDsForAnotherSuffix installs the CRDs rendered for example.io next to the
// default ones and shows that objects of both live apart.
func TestCRDsForAnotherSuffix(t *testing.T) {
	installRenamedCRDs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	object := filepath.Join(t.TempDir(), "jwt.yaml")
	require.NoError(t, os.WriteFile(object, []byte(`
apiVersion: authentication.concierge.example.io/v1alpha1
kind: JWTAuthenticator
metadata: {name: renamed-suffix}
spec: {issuer: "https://issuer.example.io", audience: renamed}
`), 0o600))
	out, err := cluster.Kubectl(ctx, "create", "-f", object)
	require.NoError(t, err)
	require.Contains(t, out, "jwtauthenticator.authentication.concierge.example.io/renamed-suffix created")

	// Validation travels with the renamed CRD.
	require.NoError(t, os.WriteFile(object, []byte(`
apiVersion: authentication.concierge.example.io/v1alpha1
kind: JWTAuthenticator
metadata: {name: renamed-insecure}
spec: {issuer: "http://issuer.example.io", audience: renamed}
`), 0o600))
	_, err = cluster.Kubectl(ctx, "create", "-f", object)
	require.ErrorContains(t, err, "spec.issuer in body should match '^https://'")

	names, err := cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.example.io",
		"-o", "jsonpath={.items[*].metadata.name}")
	require.NoError(t, err)
	require.Equal(t, "renamed-suffix", names)
	defaultNames, err := cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.pinniped.dev",
		"-o", "jsonpath={.items[*].metadata.name}")
	require.NoError(t, err)
	require.NotContains(t, defaultNames, "renamed-suffix")
}

// TestGeneratedClientsWithAnotherSuffix drives the example.io CRDs with the
// generated clients, built for pinniped.dev, through groupsuffix.WithSuffix.
func TestGeneratedClientsWithAnotherSuffix(t *testing.T) {
	installRenamedCRDs(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := conciergeclientset.NewForConfigOrDie(groupsuffix.WithSuffix(cluster.AdminConfig, "example.io"))
	authenticators := client.AuthenticationV1alpha1().JWTAuthenticators()

	w, err := authenticators.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	defer w.Stop()

	created, err := authenticators.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "through-the-middleware"},
		Spec:       authenticationv1alpha1.JWTAuthenticatorSpec{Issuer: "https://issuer.example.io", Audience: "a"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Equal(t, "https://issuer.example.io", created.Spec.Issuer)

	created.Status.Phase = authenticationv1alpha1.JWTAuthenticatorPhaseReady
	_, err = authenticators.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)

	// What is stored is in the example.io group, and nothing went to pinniped.dev.
	out, err := cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.example.io",
		"through-the-middleware", "-o", "jsonpath={.apiVersion} {.status.phase}")
	require.NoError(t, err)
	require.Equal(t, "authentication.concierge.example.io/v1alpha1 Ready", out)
	_, err = cluster.Kubectl(ctx, "get", "jwtauthenticators.authentication.concierge.pinniped.dev",
		"through-the-middleware")
	require.ErrorContains(t, err, "NotFound")

	list, err := authenticators.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, item := range list.Items {
		names = append(names, item.Name)
	}
	require.Contains(t, names, "through-the-middleware")

	for {
		select {
		case event := <-w.ResultChan():
			a, ok := event.Object.(*authenticationv1alpha1.JWTAuthenticator)
			require.True(t, ok, "watch delivered %T", event.Object)
			if a.Name == "through-the-middleware" {
				return
			}
		case <-ctx.Done():
			t.Fatal("the watch did not deliver the object")
		}
	}
}
