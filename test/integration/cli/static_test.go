// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/clientcmd"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	identityv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/identity/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

const staticToken = "static-token-of-pinny-1f3a"

// TestLoginStatic: an admin writes a kubeconfig with `get kubeconfig
// --static-token`; kubectl runs `pinniped login static` as its exec plugin, which
// trades the token for a certificate through the Concierge and a webhook.
func TestLoginStatic(t *testing.T) {
	home := configHome(t)
	ctx := context.Background()
	createWebhookAuthenticator(t, map[string]authenticationv1beta1.UserInfo{
		staticToken: {Username: "pinny", Groups: []string{"pod-readers", "seals"}},
	})
	createClusterRole(t, "cli-test-pod-reader", rbacv1.PolicyRule{
		APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"},
	})
	bindGroup(t, "cli-test-pod-reader", "pod-readers")

	r := runCLI(t, nil, "get", "kubeconfig", "--kubeconfig", cluster.KubeconfigPath,
		"--static-token", staticToken, "--pinniped-cli-path", pinniped)
	requireSuccess(t, r)
	config, err := clientcmd.Load([]byte(r.stdout))
	require.NoError(t, err)
	require.Len(t, config.AuthInfos, 1)
	for _, user := range config.AuthInfos {
		require.Equal(t, pinniped, user.Exec.Command)
		require.Equal(t, []string{
			"login", "static", "--enable-concierge", "--concierge-api-group-suffix=pinniped.dev",
			"--concierge-authenticator-name=corp-webhook", "--concierge-authenticator-type=webhook",
			"--concierge-endpoint=" + cluster.URL,
			"--concierge-ca-bundle-data=" + b64(cluster.ClusterCA.Bundle()),
			"--token=" + staticToken,
		}, user.Exec.Args)
		require.True(t, user.Exec.ProvideClusterInfo)
	}
	kubeconfig := filepath.Join(t.TempDir(), "static.kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(r.stdout), 0o600))

	out, err := harness.Kubectl(ctx, kubeconfig, "auth", "can-i", "get", "pods")
	require.NoError(t, err)
	require.Equal(t, "yes\n", out)
	out, _ = harness.Kubectl(ctx, kubeconfig, "auth", "can-i", "create", "namespaces")
	require.Equal(t, "no\n", out)

	r = runCLI(t, nil, "whoami", "-o", "json", "--kubeconfig", kubeconfig)
	requireSuccess(t, r)
	var who identityv1alpha1.WhoAmIRequest
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &who))
	require.Equal(t, "WhoAmIRequest", who.Kind)
	require.Equal(t, "pinny", who.Status.KubernetesUserInfo.User.Username)
	require.ElementsMatch(t, []string{"pod-readers", "seals", "system:authenticated"},
		who.Status.KubernetesUserInfo.User.Groups)

	r = runCLI(t, nil, "whoami", "--kubeconfig", kubeconfig)
	requireSuccess(t, r)
	require.Contains(t, r.stdout, "Current user info:\n\nUsername: pinny\nGroups: ")
	require.Contains(t, r.stdout, "pod-readers")

	t.Run("credential_is_cached_0600", func(t *testing.T) {
		info, err := os.Stat(filepath.Join(home, "pinniped", "credentials.yaml"))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		content, err := os.ReadFile(filepath.Join(home, "pinniped", "credentials.yaml"))
		require.NoError(t, err)
		require.Contains(t, string(content), "kind: CredentialCache")
		require.Contains(t, string(content), "clientCertificateData")
	})

	t.Run("wrong_token_fails_clearly", func(t *testing.T) {
		r := runCLI(t, nil, "login", "static", "--token", "not-the-token", "--enable-concierge",
			"--concierge-authenticator-type=webhook", "--concierge-authenticator-name=corp-webhook",
			"--concierge-endpoint="+cluster.URL, "--concierge-ca-bundle-data="+b64(cluster.ClusterCA.Bundle()),
			"--credential-cache=")
		require.Error(t, r.err)
		require.Equal(t, "Error: could not complete Concierge credential exchange: login failed: "+
			"authentication failed\n", r.stderr)
		require.Empty(t, r.stdout)
	})
}

func TestWhoamiErrors(t *testing.T) {
	r := runCLI(t, nil, "whoami", "-o", "xml", "--kubeconfig", cluster.KubeconfigPath)
	require.Error(t, r.err)
	require.Equal(t, "Error: invalid output format \"xml\": expected text, yaml or json\n", r.stderr)

	r = runCLI(t, nil, "whoami", "--kubeconfig", cluster.KubeconfigPath, "-o", "yaml")
	requireSuccess(t, r)
	require.Contains(t, r.stdout, "kind: WhoAmIRequest")
	require.Contains(t, r.stdout, "- system:masters")
}

func createWebhookAuthenticator(t *testing.T, users map[string]authenticationv1beta1.UserInfo) {
	t.Helper()
	ctx := context.Background()
	server, err := testlib.StartTokenReviewServer(users)
	require.NoError(t, err)
	t.Cleanup(server.Close)
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).AuthenticationV1alpha1().WebhookAuthenticators()
	_, err = client.Create(ctx, &authenticationv1alpha1.WebhookAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "corp-webhook"},
		Spec: authenticationv1alpha1.WebhookAuthenticatorSpec{
			Endpoint: server.URL,
			TLS:      &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: b64(server.CA.Bundle())},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { deleteAndWait(t, "webhook", "corp-webhook") })
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			w, err := client.Get(ctx, "corp-webhook", metav1.GetOptions{})
			return err == nil && w.Status.Phase == authenticationv1alpha1.WebhookAuthenticatorPhaseReady, nil
		})
	require.NoError(t, err)
}

// deleteAndWait deletes an authenticator and waits until it is gone, so that the
// next test's `get kubeconfig` autodetects only its own.
func deleteAndWait(t *testing.T, kind, name string) {
	authn := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).AuthenticationV1alpha1()
	ctx := context.Background()
	var get func() error
	if kind == "jwt" {
		_ = authn.JWTAuthenticators().Delete(ctx, name, metav1.DeleteOptions{})
		get = func() error { _, err := authn.JWTAuthenticators().Get(ctx, name, metav1.GetOptions{}); return err }
	} else {
		_ = authn.WebhookAuthenticators().Delete(ctx, name, metav1.DeleteOptions{})
		get = func() error { _, err := authn.WebhookAuthenticators().Get(ctx, name, metav1.GetOptions{}); return err }
	}
	require.Eventually(t, func() bool { return get() != nil }, 30*time.Second, 100*time.Millisecond)
}

func bindGroup(t *testing.T, clusterRole, group string) {
	t.Helper()
	name := "cli-test-" + clusterRole + "-" + strings.ReplaceAll(group, ":", "-")
	bindings := cluster.Client().RbacV1().ClusterRoleBindings()
	_, err := bindings.Create(context.Background(), &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "Group", Name: group}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bindings.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func createClusterRole(t *testing.T, name string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	roles := cluster.Client().RbacV1().ClusterRoles()
	_, err := roles.Create(context.Background(), &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = roles.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}
