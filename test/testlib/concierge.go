// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	"github.com/sealworks/pinniped/test/harness"
)

const (
	// ConciergeNamespace is where artifacts/concierge installs the Concierge.
	ConciergeNamespace = "pinniped-concierge"
	conciergeSA        = "pinniped-concierge"
	conciergeService   = "pinniped-concierge-api"
)

// ConciergeAPIServices are the APIServices of artifacts/concierge.
var ConciergeAPIServices = []string{
	"v1alpha1.login.concierge.pinniped.dev",
	"v1alpha1.identity.concierge.pinniped.dev",
}

// Concierge is a Concierge process serving a harness cluster.
type Concierge struct {
	Port int
	// ProxyPort is where the impersonation proxy listens when it runs.
	ProxyPort int
	LogPath   string
	process   *harness.Process
}

// ConciergeOptions change how the Concierge is configured.
type ConciergeOptions struct {
	// ExtraConfig is appended to the generated pinniped.yaml.
	ExtraConfig string
	// LogLevel is the Concierge's log level; default debug.
	LogLevel string
	// NoSigningKey leaves the cluster's signing key out of the configuration, as
	// on a cluster whose control plane is hidden: certificates then come from the
	// impersonation proxy's signer CA.
	NoSigningKey bool
}

// StartConcierge installs artifacts/concierge (without its Deployment and Service)
// on the cluster and runs the Concierge binary on loopback with the ServiceAccount
// and RBAC of those manifests, signing with the harness's cluster CA. It waits for
// both APIServices to be Available and stops the process when the test ends.
func StartConcierge(t testing.TB, h *harness.Harness, opts ConciergeOptions) *Concierge {
	t.Helper()
	c, err := StartConciergeInDir(h, t.TempDir(), opts)
	if c != nil {
		t.Cleanup(func() {
			c.Stop()
			if t.Failed() {
				t.Logf("===== concierge log (last 80 lines) =====\n%s", c.Logs())
			}
		})
	}
	if err != nil {
		t.Fatalf("could not start the Concierge: %v", err)
	}
	return c
}

// StartConciergeInDir is StartConcierge for callers that manage the life of the
// process themselves; dir keeps its configuration and log. Call Stop when done.
func StartConciergeInDir(h *harness.Harness, dir string, opts ConciergeOptions) (*Concierge, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	binary, err := Binary("pinniped-concierge")
	if err != nil {
		return nil, err
	}
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, err
	}
	overlay := filepath.Join(root, "test/testlib/concierge-loopback")
	if _, err := h.Kubectl(ctx, "apply", "--server-side", "-k", overlay); err != nil {
		return nil, err
	}
	kubeconfig, err := serviceAccountKubeconfig(ctx, h, ConciergeNamespace, conciergeSA,
		filepath.Join(dir, "concierge.kubeconfig"))
	if err != nil {
		return nil, err
	}

	ports, err := harness.FreePorts(2)
	if err != nil {
		return nil, err
	}
	c := &Concierge{Port: ports[0], ProxyPort: ports[1], LogPath: filepath.Join(dir, "concierge.log")}
	if err := exposeOnLoopback(ctx, h, ConciergeNamespace, conciergeService, ConciergeAPIServices, c.Port); err != nil {
		return nil, err
	}
	logLevel := opts.LogLevel
	if logLevel == "" {
		logLevel = "debug"
	}
	configPath := filepath.Join(dir, "pinniped.yaml")
	signingKey := fmt.Sprintf("signingKey:\n  certFile: %s\n  keyFile: %s\n", h.ClusterCACertPath, h.ClusterCAKeyPath)
	if opts.NoSigningKey {
		signingKey = ""
	}
	config := fmt.Sprintf(`namespace: %s
aggregatedAPIServerPort: %d
impersonationProxyServerPort: %d
names:
  servingCertificateSecret: pinniped-concierge-api-tls-serving-certificate
  credentialIssuer: pinniped-concierge-config
  apiService: %s
%slogLevel: %s
%s`, ConciergeNamespace, c.Port, c.ProxyPort, conciergeService, signingKey, logLevel, opts.ExtraConfig)
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return nil, fmt.Errorf("could not write config: %w", err)
	}

	c.process, err = harness.StartProcess("pinniped-concierge", c.LogPath, binary,
		"--config", configPath, "--kubeconfig", kubeconfig, "--bind-address", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	for _, name := range ConciergeAPIServices {
		if err := h.WaitForAPIService(ctx, name, 2*time.Minute); err != nil {
			return c, fmt.Errorf("%w\n%s", err, c.Logs())
		}
	}
	return c, nil
}

// Logs returns the tail of the Concierge's log.
func (c *Concierge) Logs() string { return harness.Tail(c.LogPath, 80) }

// Stop stops the process; safe to call more than once.
func (c *Concierge) Stop() { c.process.Stop(10 * time.Second) }

// Pid returns the process ID, e.g. to read its CPU time and memory in /proc.
func (c *Concierge) Pid() int { return c.process.Pid() }

// Running reports whether the process is still alive.
func (c *Concierge) Running() bool { return c.process.Running() }

// exposeOnLoopback points an aggregated API's Service at 127.0.0.1:port (there is
// no kube-proxy) and its APIServices at that port.
func exposeOnLoopback(
	ctx context.Context, h *harness.Harness, namespace, service string, apiServices []string, port int,
) error {
	if err := h.ExposeService(ctx, namespace, service, int32(port)); err != nil { //nolint:gosec
		return err
	}
	aggregator, err := aggregatorclient.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build aggregator client: %w", err)
	}
	patch := fmt.Sprintf(`{"spec":{"service":{"port":%d}}}`, port)
	for _, name := range apiServices {
		_, err := aggregator.ApiregistrationV1().APIServices().Patch(ctx, name, types.MergePatchType,
			[]byte(patch), metav1.PatchOptions{})
		if err != nil {
			return fmt.Errorf("could not point APIService %s at port %d: %w", name, port, err)
		}
	}
	return nil
}
