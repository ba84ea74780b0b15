// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/testlib"
)

// startConcierge runs one Concierge for the package's cluster, on first use; it
// stops with the harness at the end of TestMain.
func startConcierge(t *testing.T) *testlib.Concierge {
	t.Helper()
	installCRDs(t)
	conciergeOnce.Do(func() {
		concierge, conciergeErr = testlib.StartConciergeInDir(cluster, conciergeDir, testlib.ConciergeOptions{})
	})
	require.NoError(t, conciergeErr, "the Concierge did not start")
	return concierge
}

// anonymousClient talks to the cluster with no credentials, as the CLI does when
// it sends a TokenCredentialRequest.
func anonymousClient(t *testing.T) conciergeclientset.Interface {
	t.Helper()
	client, err := conciergeclientset.NewForConfig(rest.AnonymousClientConfig(cluster.AdminConfig))
	require.NoError(t, err)
	return client
}

// createJWTAuthenticator creates a JWTAuthenticator and waits until it is Ready.
func createJWTAuthenticator(
	t *testing.T, name string, spec authenticationv1alpha1.JWTAuthenticatorSpec,
) *authenticationv1alpha1.JWTAuthenticator {
	t.Helper()
	ctx := context.Background()
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).AuthenticationV1alpha1().JWTAuthenticators()
	created, err := client.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	var last *authenticationv1alpha1.JWTAuthenticator
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			last, err = client.Get(ctx, created.Name, metav1.GetOptions{})
			return err == nil && last.Status.Phase == authenticationv1alpha1.JWTAuthenticatorPhaseReady, nil
		})
	require.NoError(t, err, "JWTAuthenticator %s is not Ready: %+v", name, last)
	return last
}

// exchange sends a TokenCredentialRequest anonymously.
func exchange(
	t *testing.T, token string, kind, name string,
) *loginv1alpha1.TokenCredentialRequest {
	t.Helper()
	resp, err := anonymousClient(t).LoginV1alpha1().TokenCredentialRequests().Create(context.Background(),
		&loginv1alpha1.TokenCredentialRequest{Spec: loginv1alpha1.TokenCredentialRequestSpec{
			Token: token,
			Authenticator: corev1.TypedLocalObjectReference{
				APIGroup: ptr.To(authenticationv1alpha1.GroupName), Kind: kind, Name: name,
			},
		}}, metav1.CreateOptions{})
	require.NoError(t, err)
	return resp
}

// requireGenericFailure checks the response of a failed exchange.
func requireGenericFailure(t *testing.T, resp *loginv1alpha1.TokenCredentialRequest) {
	t.Helper()
	require.Nil(t, resp.Status.Credential)
	require.Equal(t, ptr.To("authentication failed"), resp.Status.Message)
}

// certKubeconfig writes a kubeconfig that uses an issued client certificate.
func certKubeconfig(t *testing.T, cred *loginv1alpha1.ClusterCredential) string {
	t.Helper()
	config := clientcmdapi.NewConfig()
	config.Clusters["c"] = &clientcmdapi.Cluster{Server: cluster.URL, CertificateAuthorityData: cluster.ClusterCA.Bundle()}
	config.AuthInfos["u"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: []byte(cred.ClientCertificateData),
		ClientKeyData:         []byte(cred.ClientKeyData),
	}
	config.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	config.CurrentContext = "c"
	path := filepath.Join(t.TempDir(), "cert.kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*config, path))
	return path
}

// anonymousKubeconfig writes a kubeconfig whose requests kube-apiserver treats as
// anonymous. kubectl prompts for a password when a kubeconfig has no credentials,
// so it names a basic-auth user instead: kube-apiserver has no basic-auth
// authenticator and handles such a request as system:anonymous.
func anonymousKubeconfig(t *testing.T) string {
	t.Helper()
	config := clientcmdapi.NewConfig()
	config.Clusters["c"] = &clientcmdapi.Cluster{Server: cluster.URL, CertificateAuthorityData: cluster.ClusterCA.Bundle()}
	config.AuthInfos["anonymous"] = &clientcmdapi.AuthInfo{Username: "anonymous"}
	config.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "anonymous"}
	config.CurrentContext = "c"
	path := filepath.Join(t.TempDir(), "anonymous.kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*config, path))
	return path
}

// bindGroup binds a ClusterRole to a group for the test's duration.
func bindGroup(t *testing.T, clusterRole, group string) {
	t.Helper()
	name := "test-" + clusterRole + "-" + strings.ReplaceAll(group, ":", "-")
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "Group", Name: group}},
	}
	bindings := cluster.Client().RbacV1().ClusterRoleBindings()
	_, err := bindings.Create(context.Background(), binding, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = bindings.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

// createClusterRole creates a ClusterRole for the test's duration.
func createClusterRole(t *testing.T, name string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	roles := cluster.Client().RbacV1().ClusterRoles()
	_, err := roles.Create(context.Background(), &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = roles.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func b64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
