// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonation

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conciergeclient"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/pkg/impersonator"
	"github.com/sealworks/pinniped/test/harness"
)

const proxyUser = "system:serviceaccount:pinniped-concierge:pinniped-concierge-impersonation-proxy"

func TestCredentialIssuerAdvertisesTheProxy(t *testing.T) {
	issuer, err := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig).ConfigV1alpha1().
		CredentialIssuers().Get(context.Background(), credentialIssuer, metav1.GetOptions{})
	require.NoError(t, err)
	require.Len(t, issuer.Status.Strategies, 2)

	signing := issuer.Status.Strategies[0]
	require.Equal(t, configv1alpha1.KubeClusterSigningCertificateStrategyType, signing.Type)
	require.Equal(t, configv1alpha1.ErrorStrategyStatus, signing.Status)
	require.Equal(t, configv1alpha1.CouldNotFetchKeyStrategyReason, signing.Reason)
	require.Nil(t, signing.Frontend)

	proxy := issuer.Status.Strategies[1]
	require.Equal(t, configv1alpha1.ImpersonationProxyStrategyType, proxy.Type)
	require.Equal(t, configv1alpha1.SuccessStrategyStatus, proxy.Status)
	require.Equal(t, configv1alpha1.ListeningStrategyReason, proxy.Reason)
	require.Equal(t, "impersonation proxy is ready to accept client connections", proxy.Message)
	require.Equal(t, configv1alpha1.ImpersonationProxyFrontendType, proxy.Frontend.Type)
	require.Equal(t, fmt.Sprintf("https://127.0.0.1:%d", concierge.ProxyPort), proxyEndpoint)
	block, _ := pem.Decode(proxyCA)
	require.NotNil(t, block)
	ca, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.Equal(t, "Pinniped Impersonation Proxy Serving CA", ca.Subject.CommonName)
}

// TestCredentialFromTheSignerCA: an anonymous TokenCredentialRequest through the
// proxy returns a certificate of the proxy's own signer, which kube-apiserver
// does not trust and the proxy does.
func TestCredentialFromTheSignerCA(t *testing.T) {
	ctx := context.Background()
	cred := exchange(t, viewerToken)
	cert := parsePEMCert(t, []byte(cred.ClientCertificateData))
	require.Equal(t, "vera", cert.Subject.CommonName)
	require.Equal(t, []string{viewerGroup}, cert.Subject.Organization)

	secret, err := cluster.Client().CoreV1().Secrets("pinniped-concierge").Get(ctx,
		"pinniped-concierge-impersonation-proxy-signer-ca-certificate", metav1.GetOptions{})
	require.NoError(t, err)
	signer := parsePEMCert(t, secret.Data["caCertificate"])
	require.Equal(t, "Pinniped Impersonation Proxy Signer CA", signer.Subject.CommonName)
	roots := x509.NewCertPool()
	roots.AddCert(signer)
	_, err = cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)

	direct := rest.CopyConfig(cluster.AdminConfig)
	direct.TLSClientConfig.CertData, direct.TLSClientConfig.KeyData =
		[]byte(cred.ClientCertificateData), []byte(cred.ClientKeyData)
	_, err = kubernetes.NewForConfigOrDie(direct).CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	require.Error(t, err, "kube-apiserver must not accept the signer's certificates")

	_, err = kubernetes.NewForConfigOrDie(proxyConfig(cred.ClientCertificateData, cred.ClientKeyData)).
		CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
}

// TestKubectlThroughTheProxy: `pinniped get kubeconfig` points at the proxy, since
// it is the working strategy, and kubectl behaves as against kube-apiserver.
func TestKubectlThroughTheProxy(t *testing.T) {
	kubeconfig := kubeconfigFor(t, viewerToken)

	out := kubectl(t, kubeconfig, "get", "configmaps", "-n", "kube-public", "-o", "name")
	require.Contains(t, out, "configmap/cluster-info")
	require.Equal(t, "yes\n", kubectl(t, kubeconfig, "auth", "can-i", "list", "pods"))
	out, err := kubectlErr(kubeconfig, "auth", "can-i", "create", "namespaces")
	require.Error(t, err)
	require.Equal(t, "no\n", out)
	_, err = kubectlErr(kubeconfig, "create", "namespace", "proxy-test-denied")
	require.ErrorContains(t, err, `namespaces is forbidden: User "vera" cannot create resource "namespaces"`)

	var review authenticationv1.SelfSubjectReview
	require.NoError(t, json.Unmarshal([]byte(kubectl(t, kubeconfig, "auth", "whoami", "-o", "json")), &review))
	info := review.Status.UserInfo
	require.Equal(t, "vera", info.Username)
	require.Equal(t, []string{viewerGroup, "system:authenticated"}, info.Groups)
	require.Len(t, info.Extra[impersonator.OriginalUserExtraKey], 1)
	var original authenticationv1.UserInfo
	require.NoError(t, json.Unmarshal([]byte(info.Extra[impersonator.OriginalUserExtraKey][0]), &original))
	require.Equal(t, "vera", original.Username)
	require.Equal(t, []string{viewerGroup, "system:authenticated"}, original.Groups)

	t.Run("audit_log_shows_the_impersonated_user", func(t *testing.T) {
		require.Eventually(t, func() bool {
			event := findAuditEvent(t, "selfsubjectreviews")
			return event != nil && event.User.Username == proxyUser &&
				event.ImpersonatedUser != nil && event.ImpersonatedUser.Username == "vera" &&
				len(event.ImpersonatedUser.Extra[impersonator.OriginalUserExtraKey]) == 1
		}, 10*time.Second, 100*time.Millisecond)
	})
}

// TestWritesThroughTheProxy: create, server-side apply and delete behave as
// against kube-apiserver, and the object records who made it.
func TestWritesThroughTheProxy(t *testing.T) {
	kubeconfig := kubeconfigFor(t, editorToken)
	kubectl(t, kubeconfig, "create", "configmap", "proxy-write-test", "-n", "default", "--from-literal", "a=1")

	manifest := filepath.Join(t.TempDir(), "cm.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: proxy-write-test
  namespace: default
data:
  b: "2"
`), 0o600))
	out := kubectl(t, kubeconfig, "apply", "--server-side", "--force-conflicts", "-f", manifest)
	require.Equal(t, "configmap/proxy-write-test serverside-applied\n", out)
	cm, err := cluster.Client().CoreV1().ConfigMaps("default").Get(context.Background(), "proxy-write-test",
		metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, cm.Data)
	var managers []string
	for _, m := range cm.ManagedFields {
		managers = append(managers, m.Manager+"/"+string(m.Operation))
	}
	require.ElementsMatch(t, []string{"kubectl-create/Update", "kubectl/Apply"}, managers)

	_, err = kubectlErr(kubeconfig, "create", "configmap", "proxy-write-denied", "-n", "kube-system")
	require.ErrorContains(t, err, `User "eddie" cannot create resource "configmaps"`)
	require.Equal(t, "configmap \"proxy-write-test\" deleted from default namespace\n",
		kubectl(t, kubeconfig, "delete", "configmap", "proxy-write-test", "-n", "default"))
}

// TestNestedImpersonation: headers the caller sends are the generic handler
// chain's to judge; kubectl --as works only for who may impersonate.
func TestNestedImpersonation(t *testing.T) {
	ctx := context.Background()
	cred := exchange(t, nobodyToken)

	t.Run("smuggled_header_is_refused", func(t *testing.T) {
		client := httpClient(t, cred.ClientCertificateData, cred.ClientKeyData)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, proxyEndpoint+"/api/v1/namespaces", nil)
		require.NoError(t, err)
		req.Header.Set("Impersonate-User", "system:admin")
		req.Header.Set("Impersonate-Group", "system:masters")
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})

	kubeconfig := kubeconfigFor(t, nobodyToken)
	_, err := kubectlErr(kubeconfig, "get", "pods", "-n", "default", "--as", "vera", "--as-group", viewerGroup)
	require.ErrorContains(t, err, "Forbidden")

	_, err = cluster.Kubectl(ctx, "create", "clusterrole", "proxy-test-impersonate-vera",
		"--verb", "impersonate", "--resource", "users,groups", "--resource-name", "vera",
		"--resource-name", viewerGroup)
	require.NoError(t, err)
	_, err = cluster.Kubectl(ctx, "create", "clusterrolebinding", "proxy-test-impersonate-vera",
		"--clusterrole", "proxy-test-impersonate-vera", "--group", nobodyGroup)
	require.NoError(t, err)
	// A denial is cached by the proxy's authorizer for ten seconds.
	var out string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		out, err = kubectlErr(kubeconfig, "auth", "whoami", "-o", "json", "--as", "vera", "--as-group", viewerGroup)
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	require.NoError(t, err)
	var review authenticationv1.SelfSubjectReview
	require.NoError(t, json.Unmarshal([]byte(out), &review))
	require.Equal(t, "vera", review.Status.UserInfo.Username)
	var original authenticationv1.UserInfo
	require.NoError(t, json.Unmarshal([]byte(review.Status.UserInfo.Extra[impersonator.OriginalUserExtraKey][0]),
		&original))
	require.Equal(t, "nobody", original.Username, "the extra names who used --as")
	kubectl(t, kubeconfig, "get", "pods", "-n", "default", "--as", "vera", "--as-group", viewerGroup)
}

// TestAnonymousRequests: anyone may ask for a credential; anything else anonymous
// is up to the cluster's RBAC, which here allows nothing.
func TestAnonymousRequests(t *testing.T) {
	client := httpClient(t, "", "")
	resp, err := client.Get(proxyEndpoint + "/api/v1/namespaces")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "vera", parsePEMCert(t, []byte(exchange(t, viewerToken).ClientCertificateData)).Subject.CommonName)
}

// TestWatchThroughTheProxy: watch events arrive through the proxy as they happen.
func TestWatchThroughTheProxy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cred := exchange(t, viewerToken)
	client := kubernetes.NewForConfigOrDie(proxyConfig(cred.ClientCertificateData, cred.ClientKeyData))
	w, err := client.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	defer w.Stop()

	created := time.Now()
	_, err = cluster.Client().CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "proxy-watch-test"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cluster.Client().CoreV1().ConfigMaps("default").Delete(context.Background(), "proxy-watch-test",
			metav1.DeleteOptions{})
	})
	for {
		select {
		case event := <-w.ResultChan():
			cm, ok := event.Object.(*corev1.ConfigMap)
			if event.Type == watch.Added && ok && cm.Name == "proxy-watch-test" {
				t.Logf("watch event arrived %v after the create", time.Since(created))
				require.Less(t, time.Since(created), 2*time.Second)
				return
			}
		case <-ctx.Done():
			t.Fatal("no watch event through the proxy")
		}
	}
}

func exchange(t testing.TB, token string) *credential {
	t.Helper()
	client, err := conciergeclient.New(conciergeclient.Config{
		Endpoint: proxyEndpoint, CABundle: proxyCA, AuthenticatorType: "webhook", AuthenticatorName: webhookName,
	})
	require.NoError(t, err)
	status, err := client.ExchangeToken(context.Background(), token)
	require.NoError(t, err)
	return &credential{ClientCertificateData: status.ClientCertificateData, ClientKeyData: status.ClientKeyData}
}

type credential struct{ ClientCertificateData, ClientKeyData string }

func proxyConfig(certPEM, keyPEM string) *rest.Config {
	return &rest.Config{
		Host: proxyEndpoint,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: proxyCA, CertData: []byte(certPEM), KeyData: []byte(keyPEM),
		},
	}
}

func httpClient(t testing.TB, certPEM, keyPEM string) *http.Client {
	t.Helper()
	cfg := proxyConfig(certPEM, keyPEM)
	if certPEM == "" {
		cfg.TLSClientConfig.CertData, cfg.TLSClientConfig.KeyData = nil, nil
	}
	client, err := rest.HTTPClientFor(cfg)
	require.NoError(t, err)
	return client
}

// kubeconfigFor runs `pinniped get kubeconfig` for a static token and checks that
// it points at the proxy.
func kubeconfigFor(t *testing.T, token string) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cmd := exec.Command(pinniped, "get", "kubeconfig", "--kubeconfig", cluster.KubeconfigPath,
		"--static-token", token, "--pinniped-cli-path", pinniped)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	config, err := clientcmd.Load(stdout.Bytes())
	require.NoError(t, err)
	for _, c := range config.Clusters {
		require.Equal(t, proxyEndpoint, c.Server)
		require.Equal(t, proxyCA, c.CertificateAuthorityData)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, stdout.Bytes(), 0o600))
	return path
}

func kubectl(t *testing.T, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := kubectlErr(kubeconfig, args...)
	require.NoError(t, err)
	return out
}

func kubectlErr(kubeconfig string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return harness.Kubectl(ctx, kubeconfig, args...)
}

func parsePEMCert(t testing.TB, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert
}

// auditEvent is the part of a kube-apiserver audit event the tests read.
type auditEvent struct {
	User             authenticationv1.UserInfo  `json:"user"`
	ImpersonatedUser *authenticationv1.UserInfo `json:"impersonatedUser"`
	ObjectRef        *struct {
		Resource string `json:"resource"`
	} `json:"objectRef"`
}

// findAuditEvent returns the last audit event about resource.
func findAuditEvent(t *testing.T, resource string) *auditEvent {
	t.Helper()
	content, err := os.ReadFile(cluster.AuditLogPath)
	require.NoError(t, err)
	var found *auditEvent
	for _, line := range strings.Split(string(content), "\n") {
		if !strings.Contains(line, `"`+resource+`"`) {
			continue
		}
		var event auditEvent
		if json.Unmarshal([]byte(line), &event) == nil && event.ObjectRef != nil &&
			event.ObjectRef.Resource == resource {
			found = &event
		}
	}
	return found
}

// TestBearerTokenThroughTheProxy: a ServiceAccount token is checked with a
// TokenReview and its user, UID and extras are impersonated.
func TestBearerTokenThroughTheProxy(t *testing.T) {
	ctx := context.Background()
	admin := cluster.Client()
	_, err := admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "proxy-test-robot"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cluster.Kubectl(ctx, "create", "rolebinding", "proxy-test-robot", "-n", "default",
		"--clusterrole", "proxy-test-viewer", "--serviceaccount", "default:proxy-test-robot")
	require.NoError(t, err)
	token, err := admin.CoreV1().ServiceAccounts("default").CreateToken(ctx, "proxy-test-robot",
		&authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	require.NoError(t, err)

	cfg := proxyConfig("", "")
	cfg.TLSClientConfig.CertData, cfg.TLSClientConfig.KeyData = nil, nil
	cfg.BearerToken = token.Status.Token
	client := kubernetes.NewForConfigOrDie(cfg)
	_, err = client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	_, err = client.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{})
	require.ErrorContains(t, err, `User "system:serviceaccount:default:proxy-test-robot" cannot list resource "pods"`)

	review, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{},
		metav1.CreateOptions{})
	require.NoError(t, err)
	info := review.Status.UserInfo
	require.Equal(t, "system:serviceaccount:default:proxy-test-robot", info.Username)
	require.NotEmpty(t, info.UID)
	require.Contains(t, info.Groups, "system:serviceaccounts:default")
	require.Len(t, info.Extra[impersonator.OriginalUserExtraKey], 1)
}
