// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	clientsecretv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
)

// createOIDCClient creates an OIDCClient and deletes it when the test ends.
func createOIDCClient(t testing.TB, name string, spec configv1alpha1.OIDCClientSpec) *configv1alpha1.OIDCClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients := supervisorClient(t).ConfigV1alpha1().OIDCClients(namespace)
	client, err := clients.Create(ctx, &configv1alpha1.OIDCClient{
		ObjectMeta: metav1.ObjectMeta{Name: configv1alpha1.OIDCClientNamePrefix + name},
		Spec:       spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = clients.Delete(context.Background(), client.Name, metav1.DeleteOptions{})
	})
	return client
}

// minimalClientSpec allows the authorization code grant only.
func minimalClientSpec() configv1alpha1.OIDCClientSpec {
	return configv1alpha1.OIDCClientSpec{
		AllowedRedirectURIs: []configv1alpha1.RedirectURI{"https://app.example.com/callback"},
		AllowedGrantTypes:   []configv1alpha1.GrantType{configv1alpha1.GrantTypeAuthorizationCode},
		AllowedScopes:       []configv1alpha1.Scope{configv1alpha1.ScopeOpenID},
	}
}

// kubectlSecretRequest runs `kubectl create -f` of an OIDCClientSecretRequest and
// returns the response.
func kubectlSecretRequest(
	t testing.TB, ns, name string, generate, revoke bool,
) (*clientsecretv1alpha1.OIDCClientSecretRequest, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	manifest := fmt.Sprintf(`apiVersion: clientsecret.supervisor.pinniped.dev/v1alpha1
kind: OIDCClientSecretRequest
metadata:
  name: %s
  namespace: %s
spec:
  generateNewSecret: %t
  revokeOldSecrets: %t
`, name, ns, generate, revoke)
	path := filepath.Join(t.TempDir(), "request.yaml")
	require.NoError(t, os.WriteFile(path, []byte(manifest), 0o600))
	out, err := cluster.Kubectl(ctx, "create", "-f", path, "-o", "json")
	if err != nil {
		return nil, err
	}
	var resp clientsecretv1alpha1.OIDCClientSecretRequest
	require.NoError(t, json.Unmarshal([]byte(out), &resp))
	return &resp, nil
}

// storedHashes returns the hashes in the client's storage Secret.
func storedHashes(t testing.TB, client *configv1alpha1.OIDCClient) []string {
	t.Helper()
	secret, err := cluster.Client().CoreV1().Secrets(namespace).Get(context.Background(),
		clientsecretstore.SecretName(client.UID), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	require.NoError(t, err)
	hashes, err := clientsecretstore.HashesOf(secret)
	require.NoError(t, err)
	return hashes
}

var hexSecret = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestOIDCClientSecretRequest(t *testing.T) {
	client := createOIDCClient(t, "secret-request", minimalClientSpec())

	// The first secret is returned once and only its bcrypt hash (cost 12) is stored,
	// in a Secret owned by the OIDCClient.
	first, err := kubectlSecretRequest(t, namespace, client.Name, true, false)
	require.NoError(t, err)
	require.Regexp(t, hexSecret, first.Status.GeneratedSecret)
	require.Equal(t, 1, first.Status.TotalClientSecrets)
	secret, err := cluster.Client().CoreV1().Secrets(namespace).Get(context.Background(),
		clientsecretstore.SecretName(client.UID), metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, corev1.SecretType("storage.pinniped.dev/oidc-client-secret"), secret.Type)
	require.Len(t, secret.OwnerReferences, 1)
	require.Equal(t, client.UID, secret.OwnerReferences[0].UID)
	require.Equal(t, "OIDCClient", secret.OwnerReferences[0].Kind)
	require.NotContains(t, string(secret.Data[clientsecretstore.DataKey]), first.Status.GeneratedSecret)
	hashes := storedHashes(t, client)
	require.Len(t, hashes, 1)
	cost, err := bcrypt.Cost([]byte(hashes[0]))
	require.NoError(t, err)
	require.Equal(t, 12, cost)
	require.NoError(t, bcrypt.CompareHashAndPassword([]byte(hashes[0]), []byte(first.Status.GeneratedSecret)))

	// A second secret is prepended; both stay valid.
	second, err := kubectlSecretRequest(t, namespace, client.Name, true, false)
	require.NoError(t, err)
	require.Equal(t, 2, second.Status.TotalClientSecrets)
	require.NotEqual(t, first.Status.GeneratedSecret, second.Status.GeneratedSecret)
	hashes = storedHashes(t, client)
	require.NoError(t, bcrypt.CompareHashAndPassword([]byte(hashes[0]), []byte(second.Status.GeneratedSecret)))
	require.NoError(t, bcrypt.CompareHashAndPassword([]byte(hashes[1]), []byte(first.Status.GeneratedSecret)))

	// A request that neither generates nor revokes only reports the count.
	count, err := kubectlSecretRequest(t, namespace, client.Name, false, false)
	require.NoError(t, err)
	require.Empty(t, count.Status.GeneratedSecret)
	require.Equal(t, 2, count.Status.TotalClientSecrets)

	// Up to five secrets; a sixth without revocation is refused and nothing is stored.
	for total := 3; total <= 5; total++ {
		resp, err := kubectlSecretRequest(t, namespace, client.Name, true, false)
		require.NoError(t, err)
		require.Equal(t, total, resp.Status.TotalClientSecrets)
	}
	before := storedHashes(t, client)
	_, err = kubectlSecretRequest(t, namespace, client.Name, true, false)
	require.ErrorContains(t, err, "too many secrets, spec.revokeOldSecrets must be true")
	require.Equal(t, before, storedHashes(t, client))

	// Revoking keeps only the newest: here the one generated by the same request.
	rotated, err := kubectlSecretRequest(t, namespace, client.Name, true, true)
	require.NoError(t, err)
	require.Equal(t, 1, rotated.Status.TotalClientSecrets)
	hashes = storedHashes(t, client)
	require.Len(t, hashes, 1)
	require.NoError(t, bcrypt.CompareHashAndPassword([]byte(hashes[0]), []byte(rotated.Status.GeneratedSecret)))

	// Deleting the OIDCClient deletes its secret storage (the garbage collector
	// follows the owner reference).
	require.NoError(t, supervisorClient(t).ConfigV1alpha1().OIDCClients(namespace).Delete(context.Background(),
		client.Name, metav1.DeleteOptions{}))
	eventually(t, func() error {
		_, err := cluster.Client().CoreV1().Secrets(namespace).Get(context.Background(),
			clientsecretstore.SecretName(client.UID), metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("secret storage still there: %v", err)
		}
		return nil
	})
}

func TestOIDCClientSecretRequestRefused(t *testing.T) {
	client := createOIDCClient(t, "secret-request-refused", minimalClientSpec())

	t.Run("another_namespace", func(t *testing.T) {
		_, err := kubectlSecretRequest(t, "default", client.Name, true, false)
		require.ErrorContains(t, err,
			"namespace must be pinniped-supervisor on OIDCClientSecretRequest, was default")
		require.Empty(t, storedHashes(t, client))
	})

	t.Run("missing_oidcclient", func(t *testing.T) {
		_, err := kubectlSecretRequest(t, namespace, configv1alpha1.OIDCClientNamePrefix+"nobody", true, false)
		require.ErrorContains(t, err, `The OIDCClientSecretRequest "client.oauth.pinniped.dev-nobody" is invalid: `+
			`metadata.name: Not found: "client.oauth.pinniped.dev-nobody"`)
	})

	t.Run("unauthenticated_caller", func(t *testing.T) {
		anonymous := rest.AnonymousClientConfig(cluster.AdminConfig)
		c, err := supervisorclientset.NewForConfig(anonymous)
		require.NoError(t, err)
		_, err = c.ClientsecretV1alpha1().OIDCClientSecretRequests(namespace).Create(context.Background(),
			&clientsecretv1alpha1.OIDCClientSecretRequest{
				ObjectMeta: metav1.ObjectMeta{Name: client.Name},
				Spec:       clientsecretv1alpha1.OIDCClientSecretRequestSpec{GenerateNewSecret: true},
			}, metav1.CreateOptions{})
		require.True(t, apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err), "got %v", err)
		require.Empty(t, storedHashes(t, client))
	})

	t.Run("kubectl_explain_uses_the_openapi", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := cluster.Kubectl(ctx, "explain", "oidcclientsecretrequests.spec.generateNewSecret")
		require.NoError(t, err)
		require.Contains(t, out, "GenerateNewSecret asks for a new client secret")
	})

	t.Run("list_is_empty", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := cluster.Kubectl(ctx, "get", "oidcclientsecretrequests", "-n", namespace, "-o", "name")
		require.NoError(t, err)
		require.Empty(t, out)
	})
}
