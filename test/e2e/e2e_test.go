// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package e2e runs the reference scenario with every part a real process on
// loopback: a supervisor cluster with the Supervisor and Dex as the company IdP, two
// workload clusters each with its own Concierge, and users on plain kubectl with
// kubeconfigs written by `pinniped get kubeconfig`.
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

// user is a person of the company IdP.
type user struct {
	name, email, password string
	groups                []string
}

var (
	alice = user{"alice", "alice@example.com", "alice-password-51c", []string{"eks-admins"}}
	bob   = user{"bob", "bob@example.com", "bob-password-0e7", []string{"eks-users"}}
)

// workload is one workload cluster with its Concierge and the kubeconfig that
// `pinniped get kubeconfig` wrote for it.
type workload struct {
	name       string
	cluster    *harness.Harness
	audience   string
	kubeconfig string
}

// scenario is the reference scenario, up and configured.
type scenario struct {
	pinniped, kubectl string
	issuer            string
	supervisor        *testlib.Supervisor
	ca                *certauthority.CA
	dex               *testlib.Dex
	workloads         []*workload
	// homes holds one configuration directory (the CLI's caches) per user.
	homes string
}

// newScenario starts every process of the reference scenario and writes a
// kubeconfig for each workload cluster with `pinniped get kubeconfig`.
func newScenario(t testing.TB) *scenario {
	pinniped, err := testlib.Binary("pinniped")
	require.NoError(t, err)
	binDir, err := harness.BinDir()
	require.NoError(t, err)
	s := &scenario{pinniped: pinniped, kubectl: filepath.Join(binDir, "kubectl"), homes: t.TempDir()}

	supervisorCluster := harness.Start(t, harness.Options{})
	installCRDs(t, supervisorCluster)
	s.supervisor = testlib.StartSupervisor(t, supervisorCluster, testlib.SupervisorOptions{})
	s.issuer = fmt.Sprintf("https://127.0.0.1:%d/e2e-issuer", s.supervisor.Port)
	s.ca, s.dex = configureSupervisor(t, supervisorCluster, s.issuer)

	s.workloads = []*workload{{name: "workload1"}, {name: "workload2"}}
	for i, w := range s.workloads {
		w.cluster = harness.Start(t, harness.Options{ControllerManager: true})
		w.audience = fmt.Sprintf("%s-%d-aud-%d", w.name, i+1, time.Now().UnixNano()%100000)
		installCRDs(t, w.cluster)
		testlib.StartConcierge(t, w.cluster, testlib.ConciergeOptions{})
		configureWorkload(t, w, s.issuer, s.ca)

		w.kubeconfig = filepath.Join(t.TempDir(), w.name+".kubeconfig")
		r := run(t, nil, pinniped, "get", "kubeconfig", "--kubeconfig", w.cluster.KubeconfigPath, "-o", w.kubeconfig)
		require.NoError(t, r.err, "get kubeconfig: %s", r.stderr)
	}
	return s
}

// env is what a user's kubectl runs the CLI with: their own caches and the
// cli_password flow with the given password.
func (s *scenario) env(u user, password string) []string {
	return []string{
		"XDG_CONFIG_HOME=" + filepath.Join(s.homes, u.name),
		"PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password",
		"PINNIPED_USERNAME=" + u.email,
		"PINNIPED_PASSWORD=" + password,
	}
}

// canI runs `kubectl auth can-i` as u and returns its answer.
func (s *scenario) canI(t *testing.T, w *workload, u user, password string, verb, resource string) string {
	t.Helper()
	r := run(t, s.env(u, password), s.kubectl, "--kubeconfig", w.kubeconfig, "auth", "can-i", verb, resource)
	var exit *exec.ExitError
	if r.err != nil && !(errors.As(r.err, &exit) && exit.ExitCode() == 1 && r.stdout == "no\n") {
		t.Fatalf("kubectl auth can-i %s %s as %s on %s: %v\nstdout: %s\nstderr: %s",
			verb, resource, u.name, w.name, r.err, r.stdout, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// TestReferenceScenario: one login through the Supervisor (Dex upstream) gives
// each user, on both workload clusters, what RBAC grants their IdP groups.
func TestReferenceScenario(t *testing.T) {
	s := newScenario(t)
	workloads := s.workloads
	for _, w := range workloads {
		written, err := os.ReadFile(w.kubeconfig)
		require.NoError(t, err)
		require.Contains(t, string(written), "--issuer="+s.issuer)
		require.Contains(t, string(written), "--request-audience="+w.audience)
		require.Contains(t, string(written), "--upstream-identity-provider-name=dex")
		require.Contains(t, string(written), "--upstream-identity-provider-type=oidc")
	}
	env, canI := s.env, s.canI

	t.Run("wrong_password_is_refused", func(t *testing.T) {
		r := run(t, env(bob, "not-the-password"), s.kubectl, "--kubeconfig", workloads[0].kubeconfig,
			"auth", "can-i", "get", "pods")
		require.Error(t, r.err)
		require.NotContains(t, r.stdout, "yes")
		require.Contains(t, r.stderr, "login failed")
		require.NotContains(t, r.stderr, "not-the-password")
	})

	t.Run("eks_users_may_view_but_not_create_namespaces", func(t *testing.T) {
		require.Equal(t, "yes", canI(t, workloads[0], bob, bob.password, "get", "pods"))
		require.Equal(t, "no", canI(t, workloads[0], bob, bob.password, "create", "namespace"))

		r := run(t, env(bob, bob.password), s.pinniped, "whoami", "--kubeconfig", workloads[0].kubeconfig)
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, "Username: "+bob.email)
		require.Contains(t, r.stdout, "Groups: eks-users")
	})

	t.Run("one_login_serves_the_second_cluster", func(t *testing.T) {
		// A wrong password proves the session from the first cluster is reused:
		// the CLI only exchanges the Supervisor token for the second audience.
		require.Equal(t, "yes", canI(t, workloads[1], bob, "not-needed", "get", "pods"))
		require.Equal(t, "no", canI(t, workloads[1], bob, "not-needed", "create", "namespace"))
	})

	t.Run("eks_admins_may_create_namespaces", func(t *testing.T) {
		for _, w := range workloads {
			require.Equal(t, "yes", canI(t, w, alice, alice.password, "create", "namespace"), w.name)
		}
		r := run(t, env(alice, alice.password), s.pinniped, "whoami", "--kubeconfig", workloads[1].kubeconfig,
			"-o", "json")
		require.NoError(t, r.err, "whoami: %s", r.stderr)
		require.Contains(t, r.stdout, `"username": "`+alice.email+`"`)
		require.Contains(t, r.stdout, `"eks-admins"`)
	})

	t.Run("kubectl_acts_as_the_user", func(t *testing.T) {
		r := run(t, env(alice, alice.password), s.kubectl, "--kubeconfig", workloads[1].kubeconfig,
			"create", "namespace", "made-by-alice")
		require.NoError(t, r.err, "stderr: %s", r.stderr)
		r = run(t, env(bob, bob.password), s.kubectl, "--kubeconfig", workloads[1].kubeconfig,
			"delete", "namespace", "made-by-alice", "--wait=false")
		require.Error(t, r.err)
		require.Contains(t, r.stderr, `User "`+bob.email+`" cannot delete resource "namespaces"`)
	})

	t.Run("browser_authcode_with_chromium", func(t *testing.T) { testBrowserLogin(t, s) })
	t.Run("audience_isolation", func(t *testing.T) { testAudienceIsolation(t, s) })
	t.Run("cached_credential_and_refresh", func(t *testing.T) { testCachedCredential(t, s) })
	t.Run("bad_input", func(t *testing.T) { testBadInput(t, s) })
}

// configureSupervisor starts Dex and makes it the only identity provider of a
// FederationDomain at issuer, served with a certificate from a new CA it returns.
func configureSupervisor(t testing.TB, h *harness.Harness, issuer string) (*certauthority.CA, *testlib.Dex) {
	t.Helper()
	ctx := context.Background()
	dex := testlib.StartDex(t, testlib.DexOptions{
		Clients: []testlib.DexClient{{ID: "supervisor", Secret: "supervisor-client-secret-e2e",
			RedirectURIs: []string{issuer + "/callback"}}},
		Users: []testlib.DexUser{
			{Email: alice.email, Username: alice.name, Password: alice.password, Groups: alice.groups},
			{Email: bob.email, Username: bob.name, Password: bob.password, Groups: bob.groups},
		},
	})
	ca, err := certauthority.New("e2e-supervisor-ca", time.Hour)
	require.NoError(t, err)
	pair, err := ca.IssueServerCert(nil, []net.IP{net.ParseIP("127.0.0.1")}, time.Hour)
	require.NoError(t, err)

	secrets := h.Client().CoreV1().Secrets(testlib.SupervisorNamespace)
	_, err = secrets.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: testlib.SupervisorDefaultTLSSecret},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: pair.CertPEM, corev1.TLSPrivateKeyKey: pair.KeyPEM},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = secrets.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "dex-client"},
		Type:       idpv1alpha1.OIDCIdentityProviderSecretType,
		StringData: map[string]string{"clientID": "supervisor", "clientSecret": "supervisor-client-secret-e2e"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	client := supervisorclientset.NewForConfigOrDie(h.AdminConfig)
	_, err = client.IdpV1alpha1().OIDCIdentityProviders(testlib.SupervisorNamespace).Create(ctx,
		&idpv1alpha1.OIDCIdentityProvider{
			ObjectMeta: metav1.ObjectMeta{Name: "dex"},
			Spec: idpv1alpha1.OIDCIdentityProviderSpec{
				Issuer: dex.Issuer,
				TLS: &idpv1alpha1.TLSSpec{
					CertificateAuthorityData: base64.StdEncoding.EncodeToString(dex.CABundle),
				},
				Client: idpv1alpha1.OIDCClient{SecretName: "dex-client"},
				AuthorizationConfig: idpv1alpha1.OIDCAuthorizationConfig{
					AllowPasswordGrant: true,
					AdditionalScopes:   []string{"offline_access", "email", "groups"},
				},
				Claims: idpv1alpha1.OIDCClaims{Username: "email", Groups: "groups"},
			},
		}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = client.ConfigV1alpha1().FederationDomains(testlib.SupervisorNamespace).Create(ctx,
		&configv1alpha1.FederationDomain{
			ObjectMeta: metav1.ObjectMeta{Name: "e2e"},
			Spec: configv1alpha1.FederationDomainSpec{
				Issuer: issuer,
				IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{{
					DisplayName: "dex",
					ObjectRef: corev1.TypedLocalObjectReference{
						APIGroup: ptr(idpv1alpha1.GroupName), Kind: "OIDCIdentityProvider", Name: "dex",
					},
				}},
			},
		}, metav1.CreateOptions{})
	require.NoError(t, err)

	poll(t, func(ctx context.Context) error {
		fd, err := client.ConfigV1alpha1().FederationDomains(testlib.SupervisorNamespace).Get(ctx, "e2e",
			metav1.GetOptions{})
		if err != nil {
			return err
		}
		if fd.Status.Phase != configv1alpha1.FederationDomainPhaseReady {
			return fmt.Errorf("FederationDomain is %s: %+v", fd.Status.Phase, fd.Status.Conditions)
		}
		idp, err := client.IdpV1alpha1().OIDCIdentityProviders(testlib.SupervisorNamespace).Get(ctx, "dex",
			metav1.GetOptions{})
		if err != nil {
			return err
		}
		if idp.Status.Phase != idpv1alpha1.OIDCIdentityProviderPhaseReady {
			return fmt.Errorf("OIDCIdentityProvider is %s: %+v", idp.Status.Phase, idp.Status.Conditions)
		}
		return nil
	})
	return ca, dex
}

// configureWorkload trusts the Supervisor's issuer for the workload's own audience
// and binds cluster-admin to eks-admins and view to eks-users.
func configureWorkload(t testing.TB, w *workload, issuer string, ca *certauthority.CA) {
	t.Helper()
	ctx := context.Background()
	concierge := conciergeclientset.NewForConfigOrDie(w.cluster.AdminConfig)
	jwts := concierge.AuthenticationV1alpha1().JWTAuthenticators()
	_, err := jwts.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: "supervisor"},
		Spec: authenticationv1alpha1.JWTAuthenticatorSpec{
			Issuer:   issuer,
			Audience: w.audience,
			TLS: &authenticationv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(ca.Bundle()),
			},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	for _, binding := range [][]string{
		{"pinniped-eks-admins", "--clusterrole=cluster-admin", "--group=eks-admins"},
		{"pinniped-eks-users", "--clusterrole=view", "--group=eks-users"},
	} {
		_, err := w.cluster.Kubectl(ctx, append([]string{"create", "clusterrolebinding"}, binding...)...)
		require.NoError(t, err)
	}
	poll(t, func(ctx context.Context) error {
		got, err := jwts.Get(ctx, "supervisor", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got.Status.Phase != authenticationv1alpha1.JWTAuthenticatorPhaseReady {
			return fmt.Errorf("JWTAuthenticator on %s is %s: %+v", w.name, got.Status.Phase, got.Status.Conditions)
		}
		// The Concierge publishes its strategy in a CredentialIssuer, which get
		// kubeconfig reads.
		issuers, err := concierge.ConfigV1alpha1().CredentialIssuers().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(issuers.Items) == 0 || len(issuers.Items[0].Status.Strategies) == 0 {
			return fmt.Errorf("no CredentialIssuer with a strategy on %s yet", w.name)
		}
		return nil
	})
}

func installCRDs(t testing.TB, h *harness.Harness) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	crds := filepath.Join(root, "artifacts/crds")
	_, err = h.Kubectl(ctx, "apply", "--server-side", "-f", crds)
	require.NoError(t, err)
	_, err = h.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crds)
	require.NoError(t, err)
}

// poll retries check for up to two minutes and fails with its last error.
func poll(t testing.TB, check func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 2*time.Minute, true,
		func(ctx context.Context) (bool, error) {
			last = check(ctx)
			return last == nil, nil
		})
	require.NoError(t, err, "last error: %v", last)
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs a command with extra environment variables and a two-minute limit.
func run(t testing.TB, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

func ptr[T any](v T) *T { return &v }
