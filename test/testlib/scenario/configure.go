// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	conciergeconfigv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	// IdentityProviderName names the OIDCIdentityProvider for Dex, which is also
	// its display name in the FederationDomain.
	IdentityProviderName = "dex"
	// FederationDomainName names the one FederationDomain.
	FederationDomainName = "reference"
	// JWTAuthenticatorName names each workload cluster's JWTAuthenticator.
	JWTAuthenticatorName = "supervisor"

	dexClientID     = "supervisor"
	dexClientSecret = "dex-client"
	// certLifetime is how long the Supervisor's serving certificate is valid, as
	// long as the harness's own PKI.
	certLifetime = 24 * time.Hour
	// readyTimeout bounds each wait for a status to become Ready.
	readyTimeout = 2 * time.Minute
)

// ClusterRoles names the ClusterRole each IdP group is bound to on every workload
// cluster, as in the design's reference scenario.
var ClusterRoles = map[string]string{"eks-admins": "cluster-admin", "eks-users": "view"}

// DexOptions are Dex's options: one confidential client, the Supervisor's, whose
// redirect is the issuer's callback, and the users.
func DexOptions(issuer, clientSecret string, users []User) testlib.DexOptions {
	opts := testlib.DexOptions{
		Clients: []testlib.DexClient{{
			ID: dexClientID, Secret: clientSecret, RedirectURIs: []string{issuer + "/callback"},
		}},
	}
	for _, u := range users {
		opts.Users = append(opts.Users, testlib.DexUser{
			Email: u.Email, Username: u.Name, Password: u.Password, Groups: u.Groups,
		})
	}
	return opts
}

// SupervisorConfig is what ConfigureSupervisor needs.
type SupervisorConfig struct {
	// Issuer is the FederationDomain's issuer on 127.0.0.1.
	Issuer string
	// Dex is the upstream IdP, with the Supervisor's client (see DexOptions).
	Dex          *testlib.Dex
	ClientSecret string
}

// ConfigureSupervisor makes Dex the only identity provider of a FederationDomain
// at the issuer, served with a certificate for 127.0.0.1 from a new CA it returns,
// stored as the Supervisor's default TLS Secret. It waits until both are Ready.
func ConfigureSupervisor(
	ctx context.Context, h *harness.Harness, c SupervisorConfig,
) (*certauthority.CA, error) {
	ca, err := certauthority.New("pinniped-supervisor-ca", certLifetime)
	if err != nil {
		return nil, fmt.Errorf("could not create the Supervisor's CA: %w", err)
	}
	pair, err := ca.IssueServerCert(nil, []net.IP{net.ParseIP("127.0.0.1")}, certLifetime)
	if err != nil {
		return nil, fmt.Errorf("could not issue the Supervisor's serving certificate: %w", err)
	}

	secrets := h.Client().CoreV1().Secrets(testlib.SupervisorNamespace)
	if _, err := secrets.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: testlib.SupervisorDefaultTLSSecret},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey: pair.CertPEM, corev1.TLSPrivateKeyKey: pair.KeyPEM,
		},
	}, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("could not create the default TLS Secret: %w", err)
	}
	if _, err := secrets.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: dexClientSecret},
		Type:       idpv1alpha1.OIDCIdentityProviderSecretType,
		StringData: map[string]string{"clientID": dexClientID, "clientSecret": c.ClientSecret},
	}, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("could not create the Dex client Secret: %w", err)
	}

	client, err := supervisorclientset.NewForConfig(h.AdminConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build a Supervisor client: %w", err)
	}
	idps := client.IdpV1alpha1().OIDCIdentityProviders(testlib.SupervisorNamespace)
	if _, err := idps.Create(ctx, dexIdentityProvider(c.Dex), metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("could not create the OIDCIdentityProvider: %w", err)
	}
	fds := client.ConfigV1alpha1().FederationDomains(testlib.SupervisorNamespace)
	if _, err := fds.Create(ctx, federationDomain(c.Issuer), metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("could not create the FederationDomain: %w", err)
	}

	err = Poll(ctx, readyTimeout, func(ctx context.Context) error {
		fd, err := fds.Get(ctx, FederationDomainName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if fd.Status.Phase != configv1alpha1.FederationDomainPhaseReady {
			return fmt.Errorf("FederationDomain is %s: %+v", fd.Status.Phase, fd.Status.Conditions)
		}
		idp, err := idps.Get(ctx, IdentityProviderName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if idp.Status.Phase != idpv1alpha1.OIDCIdentityProviderPhaseReady {
			return fmt.Errorf("OIDCIdentityProvider is %s: %+v", idp.Status.Phase, idp.Status.Conditions)
		}
		return nil
	})
	return ca, err
}

// dexIdentityProvider is the OIDCIdentityProvider of the design's reference
// scenario, with the password grant allowed so that the CLI password flow works.
func dexIdentityProvider(dex *testlib.Dex) *idpv1alpha1.OIDCIdentityProvider {
	return &idpv1alpha1.OIDCIdentityProvider{
		ObjectMeta: metav1.ObjectMeta{Name: IdentityProviderName},
		Spec: idpv1alpha1.OIDCIdentityProviderSpec{
			Issuer: dex.Issuer,
			TLS: &idpv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(dex.CABundle),
			},
			Client: idpv1alpha1.OIDCClient{SecretName: dexClientSecret},
			AuthorizationConfig: idpv1alpha1.OIDCAuthorizationConfig{
				AllowPasswordGrant: true,
				AdditionalScopes:   []string{"offline_access", "email", "groups"},
			},
			Claims: idpv1alpha1.OIDCClaims{Username: "email", Groups: "groups"},
		},
	}
}

func federationDomain(issuer string) *configv1alpha1.FederationDomain {
	apiGroup := idpv1alpha1.GroupName
	return &configv1alpha1.FederationDomain{
		ObjectMeta: metav1.ObjectMeta{Name: FederationDomainName},
		Spec: configv1alpha1.FederationDomainSpec{
			Issuer: issuer,
			IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{{
				DisplayName: IdentityProviderName,
				ObjectRef: corev1.TypedLocalObjectReference{
					APIGroup: &apiGroup, Kind: "OIDCIdentityProvider", Name: IdentityProviderName,
				},
			}},
		},
	}
}

// ConfigureWorkload makes a workload cluster's Concierge trust the issuer for the
// cluster's own audience, binds the ClusterRoles to the IdP groups, and waits until
// the JWTAuthenticator is Ready and the CredentialIssuer has a strategy.
func ConfigureWorkload(
	ctx context.Context, h *harness.Harness, issuer, audience string, caBundle []byte,
) error {
	client, err := conciergeclientset.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build a Concierge client: %w", err)
	}
	jwts := client.AuthenticationV1alpha1().JWTAuthenticators()
	if _, err := jwts.Create(ctx, &authenticationv1alpha1.JWTAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: JWTAuthenticatorName},
		Spec: authenticationv1alpha1.JWTAuthenticatorSpec{
			Issuer:   issuer,
			Audience: audience,
			TLS: &authenticationv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(caBundle),
			},
		},
	}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("could not create the JWTAuthenticator: %w", err)
	}
	for group, role := range ClusterRoles {
		if _, err := h.Kubectl(ctx, "create", "clusterrolebinding", "pinniped-"+group,
			"--clusterrole="+role, "--group="+group); err != nil {
			return err
		}
	}
	return Poll(ctx, readyTimeout, func(ctx context.Context) error {
		got, err := jwts.Get(ctx, JWTAuthenticatorName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got.Status.Phase != authenticationv1alpha1.JWTAuthenticatorPhaseReady {
			return fmt.Errorf("JWTAuthenticator is %s: %+v", got.Status.Phase, got.Status.Conditions)
		}
		// `pinniped get kubeconfig` reads the strategy from the CredentialIssuer,
		// which the Concierge writes shortly after it starts.
		issuers, err := client.ConfigV1alpha1().CredentialIssuers().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(issuers.Items) == 0 || !slices.ContainsFunc(issuers.Items[0].Status.Strategies,
			func(s conciergeconfigv1alpha1.CredentialIssuerStrategy) bool {
				return s.Status == conciergeconfigv1alpha1.SuccessStrategyStatus
			}) {
			return fmt.Errorf("no CredentialIssuer with a working strategy yet")
		}
		return nil
	})
}

// InstallCRDs applies artifacts/crds, as a real install does, and waits until
// every CRD is established.
func InstallCRDs(ctx context.Context, h *harness.Harness) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	root, err := harness.RepoRoot()
	if err != nil {
		return err
	}
	crds := filepath.Join(root, "artifacts/crds")
	if _, err := h.Kubectl(ctx, "apply", "--server-side", "-f", crds); err != nil {
		return err
	}
	_, err = h.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s", "-f", crds)
	return err
}

// GetKubeconfig runs `pinniped get kubeconfig` as the cluster's admin would and
// writes the users' kubeconfig to out. An empty flow lets the CLI choose.
func GetKubeconfig(ctx context.Context, pinniped, adminKubeconfig, flow, out string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	args := []string{"get", "kubeconfig", "--kubeconfig", adminKubeconfig, "-o", out}
	if flow != "" {
		args = append(args, "--upstream-identity-provider-flow", flow)
	}
	cmd := exec.CommandContext(ctx, pinniped, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pinniped get kubeconfig: %w: %s", err, stderr.String())
	}
	return nil
}

// Poll retries check until it succeeds or timeout passes, and then returns its
// last error.
func Poll(ctx context.Context, timeout time.Duration, check func(ctx context.Context) error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true,
		func(ctx context.Context) (bool, error) {
			last = check(ctx)
			return last == nil, nil
		})
	if err != nil {
		return fmt.Errorf("%w; last error: %v", err, last)
	}
	return nil
}

// EnableImpersonationProxy turns the Concierge's impersonation proxy on at its
// loopback port, as an admin of a cluster with a hidden control plane would (with
// a LoadBalancer Service in a real install), by patching the CredentialIssuer.
func EnableImpersonationProxy(ctx context.Context, h *harness.Harness, port int) error {
	client, err := conciergeclientset.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build a Concierge client: %w", err)
	}
	patch := fmt.Sprintf(`{"spec":{"impersonationProxy":{"mode":"enabled","service":{"type":"None"},`+
		`"externalEndpoint":"127.0.0.1:%d"}}}`, port)
	return Poll(ctx, readyTimeout, func(ctx context.Context) error {
		issuers, err := client.ConfigV1alpha1().CredentialIssuers().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if len(issuers.Items) == 0 {
			return fmt.Errorf("no CredentialIssuer yet")
		}
		_, err = client.ConfigV1alpha1().CredentialIssuers().Patch(ctx, issuers.Items[0].Name,
			types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		return err
	})
}
