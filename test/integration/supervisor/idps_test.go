// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
)

// createOIDCIdP creates an OIDCIdentityProvider and deletes it when the test ends. Its
// upstream is never contacted in these tests.
func createOIDCIdP(t *testing.T, name string, allowPasswordGrant bool) {
	t.Helper()
	ctx := context.Background()
	idps := supervisorClient(t).IdpV1alpha1().OIDCIdentityProviders(namespace)
	_, err := idps.Create(ctx, &idpv1alpha1.OIDCIdentityProvider{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: idpv1alpha1.OIDCIdentityProviderSpec{
			Issuer:              "https://idp.example.test",
			Client:              idpv1alpha1.OIDCClient{SecretName: name + "-client"},
			AuthorizationConfig: idpv1alpha1.OIDCAuthorizationConfig{AllowPasswordGrant: allowPasswordGrant},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		err := idps.Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("could not delete OIDCIdentityProvider %s: %v", name, err)
		}
	})
}

// createLDAPIdP creates an LDAPIdentityProvider and deletes it when the test ends.
func createLDAPIdP(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	idps := supervisorClient(t).IdpV1alpha1().LDAPIdentityProviders(namespace)
	_, err := idps.Create(ctx, &idpv1alpha1.LDAPIdentityProvider{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: idpv1alpha1.LDAPIdentityProviderSpec{
			Host: "ldap.example.test", Bind: idpv1alpha1.LDAPIdentityProviderBind{SecretName: name + "-bind"},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		err := idps.Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("could not delete LDAPIdentityProvider %s: %v", name, err)
		}
	})
}

// idpRef lists an identity provider in a FederationDomain.
func idpRef(displayName, kind, name string) configv1alpha1.FederationDomainIdentityProvider {
	return configv1alpha1.FederationDomainIdentityProvider{
		DisplayName: displayName,
		ObjectRef: corev1.TypedLocalObjectReference{
			APIGroup: ptr.To(idpv1alpha1.GroupName), Kind: kind, Name: name,
		},
	}
}
