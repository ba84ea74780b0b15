// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package scenario brings up the reference scenario of the design on loopback: a
// supervisor cluster running the Supervisor with Dex as the company IdP, and
// workload clusters each running a Concierge that trusts the Supervisor, with
// kubeconfigs written by `pinniped get kubeconfig`. The end-to-end test and the
// demo (`make demo`) both start it here, so they cannot drift apart.
package scenario

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib"
)

// User is a person of the company IdP. Email is what they type as username, and
// what the Supervisor makes their Kubernetes username.
type User struct {
	Name, Email, Password string
	Groups                []string
}

// Options describe a scenario.
type Options struct {
	// Users are Dex's password users.
	Users []User
	// Workloads names the workload clusters, e.g. workload1 and workload2.
	Workloads []string
	// IssuerPath is the path of the FederationDomain's issuer; default /issuer.
	IssuerPath string
	// UpstreamFlow is passed to `pinniped get kubeconfig
	// --upstream-identity-provider-flow`; empty lets the CLI pick the IdP's first flow.
	UpstreamFlow string
	// HiddenControlPlane names workload clusters whose Concierge gets no signing
	// key, as on EKS: users then reach them through the impersonation proxy.
	HiddenControlPlane []string
}

// Scenario is the running system. Its fields are set as far as Start got.
type Scenario struct {
	// Dir holds every component's directory, logs and the users' kubeconfigs.
	Dir               string
	SupervisorCluster *harness.Harness
	Supervisor        *testlib.Supervisor
	Dex               *testlib.Dex
	// Issuer is the FederationDomain's issuer, https://127.0.0.1:<port><path>.
	Issuer string
	// IssuerCA signed the Supervisor's serving certificate for 127.0.0.1.
	IssuerCA  *certauthority.CA
	Workloads []*Workload
	// Pinniped is the CLI binary that wrote the kubeconfigs.
	Pinniped string
}

// Workload is one workload cluster with its Concierge.
type Workload struct {
	Name      string
	Cluster   *harness.Harness
	Concierge *testlib.Concierge
	// Audience is this cluster's own audience in its JWTAuthenticator.
	Audience string
	// Kubeconfig is the file `pinniped get kubeconfig` wrote for users.
	Kubeconfig string
	// HiddenControlPlane is true when the Concierge has no signing key.
	HiddenControlPlane bool
}

// Start brings the scenario up in dir. The three clusters start side by side; the
// workload clusters run kube-controller-manager so that the aggregated view
// ClusterRole is filled. On error the returned Scenario holds what did start, and
// the caller must still call Stop.
func Start(ctx context.Context, dir string, opts Options) (*Scenario, error) {
	if opts.IssuerPath == "" {
		opts.IssuerPath = "/issuer"
	}
	s := &Scenario{Dir: dir}
	for _, name := range opts.Workloads {
		s.Workloads = append(s.Workloads, &Workload{Name: name,
			HiddenControlPlane: slices.Contains(opts.HiddenControlPlane, name)})
	}
	var err error
	if s.Pinniped, err = testlib.Binary("pinniped"); err != nil {
		return s, err
	}

	// Each goroutine writes only its own cluster's fields, so no lock is needed. The
	// first error cancels the others' context, so that a failure is reported early.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.startSupervisorSide(gctx, opts) })
	for _, w := range s.Workloads {
		g.Go(func() error { return w.start(gctx, filepath.Join(dir, w.Name)) })
	}
	if err := g.Wait(); err != nil {
		return s, err
	}

	g, gctx = errgroup.WithContext(ctx)
	for _, w := range s.Workloads {
		g.Go(func() error { return s.connect(gctx, w, opts) })
	}
	return s, g.Wait()
}

// startSupervisorSide starts the supervisor cluster, the Supervisor and Dex, and
// configures the FederationDomain with Dex as its identity provider.
func (s *Scenario) startSupervisorSide(ctx context.Context, opts Options) error {
	var err error
	s.SupervisorCluster, err = startCluster(filepath.Join(s.Dir, "supervisor-cluster"), false)
	if err != nil {
		return fmt.Errorf("supervisor cluster: %w", err)
	}
	if err := InstallCRDs(ctx, s.SupervisorCluster); err != nil {
		return fmt.Errorf("supervisor cluster: %w", err)
	}
	supervisorDir, err := mkdir(s.Dir, "supervisor")
	if err != nil {
		return err
	}
	if s.Supervisor, err = testlib.StartSupervisorInDir(s.SupervisorCluster, supervisorDir,
		testlib.SupervisorOptions{}); err != nil {
		return err
	}
	s.Issuer = fmt.Sprintf("https://127.0.0.1:%d%s", s.Supervisor.Port, opts.IssuerPath)

	clientSecret, err := randomString()
	if err != nil {
		return err
	}
	dexDir, err := mkdir(s.Dir, "dex")
	if err != nil {
		return err
	}
	s.Dex, err = testlib.StartDexInDir(dexDir, DexOptions(s.Issuer, clientSecret, opts.Users))
	if err != nil {
		return err
	}
	s.IssuerCA, err = ConfigureSupervisor(ctx, s.SupervisorCluster, SupervisorConfig{
		Issuer: s.Issuer, Dex: s.Dex, ClientSecret: clientSecret,
	})
	return err
}

// start starts a workload cluster and its Concierge in dir.
func (w *Workload) start(ctx context.Context, dir string) error {
	var err error
	if w.Cluster, err = startCluster(filepath.Join(dir, "cluster"), true); err != nil {
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	if err := InstallCRDs(ctx, w.Cluster); err != nil {
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	conciergeDir, err := mkdir(dir, "concierge")
	if err != nil {
		return err
	}
	w.Concierge, err = testlib.StartConciergeInDir(w.Cluster, conciergeDir,
		testlib.ConciergeOptions{NoSigningKey: w.HiddenControlPlane})
	if err != nil {
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	if w.HiddenControlPlane {
		if err := EnableImpersonationProxy(ctx, w.Cluster, w.Concierge.ProxyPort); err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
	}
	return nil
}

// connect makes a workload trust the Supervisor for its own audience, binds the
// IdP groups to ClusterRoles, and writes its users' kubeconfig.
func (s *Scenario) connect(ctx context.Context, w *Workload, opts Options) error {
	suffix, err := randomString()
	if err != nil {
		return err
	}
	w.Audience = w.Name + "-" + suffix[:8]
	if err := ConfigureWorkload(ctx, w.Cluster, s.Issuer, w.Audience, s.IssuerCA.Bundle()); err != nil {
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	w.Kubeconfig = filepath.Join(s.Dir, w.Name+".kubeconfig")
	err = GetKubeconfig(ctx, s.Pinniped, w.Cluster.KubeconfigPath, opts.UpstreamFlow, w.Kubeconfig)
	if err != nil {
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	return nil
}

// Stop stops every process the scenario started, the workload clusters and the
// supervisor side at the same time. It is safe on a partly started scenario.
func (s *Scenario) Stop() {
	var wg sync.WaitGroup
	for _, w := range s.Workloads {
		wg.Go(func() {
			if w.Concierge != nil {
				w.Concierge.Stop()
			}
			if w.Cluster != nil {
				w.Cluster.Stop()
			}
		})
	}
	wg.Go(func() {
		if s.Supervisor != nil {
			s.Supervisor.Stop()
		}
		if s.Dex != nil {
			s.Dex.Stop()
		}
		if s.SupervisorCluster != nil {
			s.SupervisorCluster.Stop()
		}
	})
	wg.Wait()
}

// LogPaths lists the log file of every process the scenario started.
func (s *Scenario) LogPaths() []string {
	paths, _ := filepath.Glob(filepath.Join(s.Dir, "*", "*.log"))
	more, _ := filepath.Glob(filepath.Join(s.Dir, "*", "*", "*.log"))
	return append(paths, more...)
}

// Logs returns the tail of every log, for failure reports.
func (s *Scenario) Logs() string {
	out := ""
	for _, path := range s.LogPaths() {
		rel, err := filepath.Rel(s.Dir, path)
		if err != nil {
			rel = path
		}
		out += fmt.Sprintf("\n===== %s (last 40 lines) =====\n%s\n", rel, harness.Tail(path, 40))
	}
	return out
}

// startCluster starts a control plane in a new directory.
func startCluster(dir string, controllerManager bool) (*harness.Harness, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("could not create %s: %w", dir, err)
	}
	return harness.StartInDir(dir, harness.Options{ControllerManager: controllerManager})
}

func mkdir(parent, name string) (string, error) {
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("could not create %s: %w", dir, err)
	}
	return dir, nil
}

// randomString returns 32 random hex characters.
func randomString() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("could not read random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}
