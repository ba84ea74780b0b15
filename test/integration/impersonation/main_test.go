// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package impersonation runs the Concierge without the cluster's signing key, as
// on EKS, with its impersonation proxy on loopback, and drives kubectl through it.
package impersonation

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

const (
	credentialIssuer = "pinniped-concierge-config"
	webhookName      = "corp-webhook"
	// The users of the webhook: a viewer and someone with no rights at all.
	viewerToken   = "static-token-of-vera-8c1d"
	nobodyToken   = "static-token-of-nobody-2b7e"
	editorToken   = "static-token-of-eddie-5a9f"
	viewerGroup   = "proxy-viewers"
	editorGroup   = "proxy-editors"
	nobodyGroup   = "proxy-nobodies"
	impersonators = "proxy-impersonators"
)

var (
	cluster   *harness.Harness
	concierge *testlib.Concierge
	pinniped  string
	// proxyEndpoint and proxyCA are what the CredentialIssuer advertises.
	proxyEndpoint string
	proxyCA       []byte
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pinniped-impersonation-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not create test directory:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if pinniped, err = testlib.Binary("pinniped"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	clusterDir, conciergeDir := filepath.Join(dir, "cluster"), filepath.Join(dir, "concierge")
	for _, d := range []string{clusterDir, conciergeDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			fmt.Fprintln(os.Stderr, "could not create directory:", err)
			return 1
		}
	}
	cluster, err = harness.StartInDir(clusterDir, harness.Options{AuditLog: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not start harness:", err, harness.LogsOf(clusterDir))
		return 1
	}
	defer cluster.Stop()
	concierge, err = testlib.StartConciergeInDir(cluster, conciergeDir, testlib.ConciergeOptions{NoSigningKey: true})
	if concierge != nil {
		defer concierge.Stop()
	}
	if err == nil {
		err = setUp()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "could not set up:", err)
		if concierge != nil {
			fmt.Fprintln(os.Stderr, "===== concierge log =====\n"+concierge.Logs())
		}
		return 1
	}

	code := m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "===== concierge log =====\n"+concierge.Logs())
	}
	return code
}

// setUp turns the proxy on at its loopback port, waits for it to be advertised,
// and installs the webhook authenticator and the RBAC of the test users.
func setUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := conciergeclientset.NewForConfigOrDie(cluster.AdminConfig)
	issuers := client.ConfigV1alpha1().CredentialIssuers()
	patch := fmt.Sprintf(`{"spec":{"impersonationProxy":{"mode":"enabled","service":{"type":"None"},`+
		`"externalEndpoint":"127.0.0.1:%d"}}}`, concierge.ProxyPort)
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := issuers.Patch(ctx, credentialIssuer, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("could not enable the impersonation proxy: %w", err)
	}
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		issuer, err := issuers.Get(ctx, credentialIssuer, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		s := proxyStrategy(issuer)
		if s == nil || s.Reason != configv1alpha1.ListeningStrategyReason {
			return false, nil
		}
		proxyEndpoint = s.Frontend.ImpersonationProxyInfo.Endpoint
		proxyCA, err = base64.StdEncoding.DecodeString(s.Frontend.ImpersonationProxyInfo.CertificateAuthorityData)
		return true, err
	})
	if err != nil {
		return fmt.Errorf("the impersonation proxy did not become ready: %w", err)
	}

	server, err := testlib.StartTokenReviewServer(map[string]authenticationv1beta1.UserInfo{
		viewerToken: {Username: "vera", Groups: []string{viewerGroup}},
		nobodyToken: {Username: "nobody", Groups: []string{nobodyGroup}},
		editorToken: {Username: "eddie", Groups: []string{editorGroup}},
	})
	if err != nil {
		return err
	}
	webhooks := client.AuthenticationV1alpha1().WebhookAuthenticators()
	_, err = webhooks.Create(ctx, &authenticationv1alpha1.WebhookAuthenticator{
		ObjectMeta: metav1.ObjectMeta{Name: webhookName},
		Spec: authenticationv1alpha1.WebhookAuthenticatorSpec{
			Endpoint: server.URL,
			TLS: &authenticationv1alpha1.TLSSpec{
				CertificateAuthorityData: base64.StdEncoding.EncodeToString(server.CA.Bundle()),
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("could not create the webhook authenticator: %w", err)
	}
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		w, err := webhooks.Get(ctx, webhookName, metav1.GetOptions{})
		return err == nil && w.Status.Phase == authenticationv1alpha1.WebhookAuthenticatorPhaseReady, nil
	})
	if err != nil {
		return fmt.Errorf("the webhook authenticator did not become ready: %w", err)
	}
	// The built-in view role is aggregated by kube-controller-manager, which the
	// harness does not run; this one is written out.
	if _, err := cluster.Kubectl(ctx, "create", "clusterrole", "proxy-test-viewer",
		"--verb", "get,list,watch", "--resource", "pods,configmaps,namespaces"); err != nil {
		return err
	}
	_, err = cluster.Kubectl(ctx, "create", "clusterrolebinding", "proxy-test-viewer",
		"--clusterrole", "proxy-test-viewer", "--group", viewerGroup)
	if err != nil {
		return err
	}
	if _, err := cluster.Kubectl(ctx, "create", "role", "proxy-test-editor", "-n", "default",
		"--verb", "get,list,watch,create,update,patch,delete", "--resource", "configmaps"); err != nil {
		return err
	}
	_, err = cluster.Kubectl(ctx, "create", "rolebinding", "proxy-test-editor", "-n", "default",
		"--role", "proxy-test-editor", "--group", editorGroup)
	return err
}

func proxyStrategy(issuer *configv1alpha1.CredentialIssuer) *configv1alpha1.CredentialIssuerStrategy {
	for i, s := range issuer.Status.Strategies {
		if s.Type == configv1alpha1.ImpersonationProxyStrategyType {
			return &issuer.Status.Strategies[i]
		}
	}
	return nil
}
