// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	supervisorclientset "github.com/sealworks/pinniped/pkg/generated/supervisor/clientset/versioned"
	"github.com/sealworks/pinniped/test/testlib"
)

const namespace = testlib.SupervisorNamespace

// supervisorClient returns the generated client of the Supervisor's API groups.
func supervisorClient(t testing.TB) supervisorclientset.Interface {
	t.Helper()
	c, err := supervisorclientset.NewForConfig(cluster.AdminConfig)
	require.NoError(t, err)
	return c
}

// httpsClient returns a client that dials the Supervisor on 127.0.0.1 whatever host a
// URL names, so that issuer host names need no DNS, while TLS still sends the URL's
// host as SNI and checks the certificate against roots.
func httpsClient(roots *x509.CertPool) *http.Client {
	address := fmt.Sprintf("127.0.0.1:%d", supervisor.Port)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, address)
			},
			TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			DisableKeepAlives: true,
		},
	}
}

// response is what a test checks of an HTTP response.
type response struct {
	status   int
	body     string
	dnsNames []string
	// issuerCN is the common name of the issuer of the served certificate.
	issuerCN string
}

func get(t testing.TB, client *http.Client, url string) response {
	t.Helper()
	return do(t, client, http.MethodGet, url)
}

func do(t testing.TB, client *http.Client, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	served := resp.TLS.PeerCertificates[0]
	return response{status: resp.StatusCode, body: string(body), dnsNames: served.DNSNames,
		issuerCN: served.Issuer.CommonName}
}

// eventually polls check until it returns nil or a minute has passed.
func eventually(t testing.TB, check func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met in time: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// createTLSSecret stores a serving certificate for host, issued by ca, as a
// kubernetes.io/tls Secret.
func createTLSSecret(t testing.TB, ca *certauthority.CA, name, host string) {
	t.Helper()
	pair, err := ca.IssueServerCert([]string{host}, nil, time.Hour)
	require.NoError(t, err)
	createSecret(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: pair.CertPEM, corev1.TLSPrivateKeyKey: pair.KeyPEM},
	})
}

func createSecret(t testing.TB, secret *corev1.Secret) {
	t.Helper()
	ctx := context.Background()
	_, err := cluster.Client().CoreV1().Secrets(namespace).Create(ctx, secret, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		err := cluster.Client().CoreV1().Secrets(namespace).Delete(ctx, secret.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("could not delete Secret %s: %v", secret.Name, err)
		}
	})
}

// createFD creates a FederationDomain and deletes it when the test ends.
func createFD(t testing.TB, name string, spec configv1alpha1.FederationDomainSpec) {
	t.Helper()
	ctx := context.Background()
	fds := supervisorClient(t).ConfigV1alpha1().FederationDomains(namespace)
	_, err := fds.Create(ctx, &configv1alpha1.FederationDomain{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { deleteFD(t, name) })
}

func deleteFD(t testing.TB, name string) {
	t.Helper()
	err := supervisorClient(t).ConfigV1alpha1().FederationDomains(namespace).Delete(context.Background(), name,
		metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("could not delete FederationDomain %s: %v", name, err)
	}
}

// condition is what a test checks of a status condition.
type condition struct {
	Status  metav1.ConditionStatus
	Reason  string
	Message string
}

// waitForConditions waits until a FederationDomain has the phase and, for each type
// in want, exactly that condition. With all set, it also has no other conditions.
func waitForConditions(
	t *testing.T, name string, phase configv1alpha1.FederationDomainPhase, want map[string]condition, all bool,
) *configv1alpha1.FederationDomain {
	t.Helper()
	var fd *configv1alpha1.FederationDomain
	eventually(t, func() error {
		var err error
		fd, err = supervisorClient(t).ConfigV1alpha1().FederationDomains(namespace).Get(context.Background(),
			name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		got := map[string]condition{}
		for _, c := range fd.Status.Conditions {
			if c.ObservedGeneration != fd.Generation {
				return fmt.Errorf("condition %s observed generation %d, not %d", c.Type, c.ObservedGeneration,
					fd.Generation)
			}
			if _, wanted := want[c.Type]; wanted || all {
				got[c.Type] = condition{Status: c.Status, Reason: c.Reason, Message: c.Message}
			}
		}
		if fd.Status.Phase != phase {
			return fmt.Errorf("phase is %q, not %q; conditions %+v", fd.Status.Phase, phase, got)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("conditions are\n%+v\nnot\n%+v", got, want)
		}
		return nil
	})
	return fd
}

// success is a True condition.
func success(message string) condition {
	return condition{Status: metav1.ConditionTrue, Reason: "Success", Message: message}
}

// failure is a False condition.
func failure(reason, message string) condition {
	return condition{Status: metav1.ConditionFalse, Reason: reason, Message: message}
}

// notReady is the Ready condition of a FederationDomain with a failed check.
var notReady = failure("NotReady", "the FederationDomain is not ready: see other conditions for details")
