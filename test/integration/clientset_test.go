// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
)

func TestGeneratedClientset(t *testing.T) {
	installCRDs(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := conciergeclientset.NewForConfig(cluster.AdminConfig)
	require.NoError(t, err)
	jwtAuthenticators := client.AuthenticationV1alpha1().JWTAuthenticators()

	// The informer starts before the object exists, so it must learn of it from its watch.
	factory := conciergeinformers.NewSharedInformerFactory(client, 0)
	informer := factory.Authentication().V1alpha1().JWTAuthenticators()
	seen := make(chan *authenticationv1alpha1.JWTAuthenticator, 10)
	_, err = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { seen <- obj.(*authenticationv1alpha1.JWTAuthenticator) },
		UpdateFunc: func(_, obj any) {
			seen <- obj.(*authenticationv1alpha1.JWTAuthenticator)
		},
	})
	require.NoError(t, err)
	factory.Start(ctx.Done())
	defer func() {
		// Shutdown waits for the informers, which stop only when ctx is done.
		cancel()
		factory.Shutdown()
	}()
	require.True(t, cache.WaitForCacheSync(ctx.Done(), informer.Informer().HasSynced))

	list, err := jwtAuthenticators.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	w, err := jwtAuthenticators.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	require.NoError(t, err)
	defer w.Stop()

	created, err := jwtAuthenticators.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "clientset-test"},
		Spec: authenticationv1alpha1.JWTAuthenticatorSpec{
			Issuer:   "https://issuer.example.com",
			Audience: "clientset-test-audience",
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = jwtAuthenticators.Delete(context.Background(), created.Name, metav1.DeleteOptions{})
	})
	require.Empty(t, created.Status.Phase, "status is the controllers' to write")

	t.Run("list", func(t *testing.T) {
		list, err := jwtAuthenticators.List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		var names []string
		for _, item := range list.Items {
			names = append(names, item.Name)
		}
		require.Contains(t, names, "clientset-test")
	})

	t.Run("watch", func(t *testing.T) {
		for {
			select {
			case event := <-w.ResultChan():
				got, ok := event.Object.(*authenticationv1alpha1.JWTAuthenticator)
				require.True(t, ok, "unexpected watch object %T", event.Object)
				if event.Type == watch.Added && got.Name == "clientset-test" {
					require.Equal(t, "clientset-test-audience", got.Spec.Audience)
					return
				}
			case <-ctx.Done():
				t.Fatal("the watch did not report the new JWTAuthenticator")
			}
		}
	})

	t.Run("informer_sees_create_and_update", func(t *testing.T) {
		waitForInformer(ctx, t, seen, func(a *authenticationv1alpha1.JWTAuthenticator) bool {
			return a.Name == "clientset-test"
		})

		created.Spec.Audience = "changed-audience"
		_, err := jwtAuthenticators.Update(ctx, created, metav1.UpdateOptions{})
		require.NoError(t, err)
		waitForInformer(ctx, t, seen, func(a *authenticationv1alpha1.JWTAuthenticator) bool {
			return a.Name == "clientset-test" && a.Spec.Audience == "changed-audience"
		})
		cached, err := informer.Lister().Get("clientset-test")
		require.NoError(t, err)
		require.Equal(t, "changed-audience", cached.Spec.Audience)
	})
}

func waitForInformer(
	ctx context.Context, t *testing.T,
	seen <-chan *authenticationv1alpha1.JWTAuthenticator,
	match func(*authenticationv1alpha1.JWTAuthenticator) bool,
) {
	t.Helper()
	for {
		select {
		case a := <-seen:
			if match(a) {
				return
			}
		case <-ctx.Done():
			t.Fatal("the informer did not see the expected change")
		}
	}
}
