// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealworks/pinniped/test/harness"
)

const (
	// SupervisorNamespace is where artifacts/supervisor installs the Supervisor.
	SupervisorNamespace = "pinniped-supervisor"
	// SupervisorDefaultTLSSecret is the default TLS Secret named by the configuration.
	SupervisorDefaultTLSSecret = "pinniped-supervisor-default-tls-certificate"
	supervisorSA               = "pinniped-supervisor"
	supervisorAPIService       = "pinniped-supervisor-api"
)

// SupervisorAPIServices are the APIServices of artifacts/supervisor.
var SupervisorAPIServices = []string{"v1alpha1.clientsecret.supervisor.pinniped.dev"}

// Supervisor is a Supervisor process serving a harness cluster.
type Supervisor struct {
	// Port is the HTTPS port on 127.0.0.1.
	Port int
	// APIPort is the aggregated API's port on 127.0.0.1.
	APIPort int
	LogPath string
	process *harness.Process
}

// SupervisorOptions change how the Supervisor is configured.
type SupervisorOptions struct {
	// ExtraConfig is appended to the generated pinniped.yaml.
	ExtraConfig string
	// LogLevel is the Supervisor's log level; default debug.
	LogLevel string
	// KeepAPIService leaves the aggregated API pointed at the Supervisor that serves
	// it now, for a second replica whose life is shorter than the first's.
	KeepAPIService bool
}

// StartSupervisor installs artifacts/supervisor (without its Deployment) on the
// cluster and runs the Supervisor binary on 127.0.0.1 with the ServiceAccount and
// RBAC of those manifests. It waits for /healthz and stops the process when the
// test ends.
func StartSupervisor(t testing.TB, h *harness.Harness, opts SupervisorOptions) *Supervisor {
	t.Helper()
	s, err := StartSupervisorInDir(h, t.TempDir(), opts)
	if s != nil {
		t.Cleanup(func() {
			s.Stop()
			if t.Failed() {
				t.Logf("===== supervisor log (last 80 lines) =====\n%s", s.Logs())
			}
		})
	}
	if err != nil {
		t.Fatalf("could not start the Supervisor: %v", err)
	}
	return s
}

// StartSupervisorInDir is StartSupervisor for callers that manage the life of the
// process themselves; dir keeps its configuration and log. Call Stop when done.
func StartSupervisorInDir(h *harness.Harness, dir string, opts SupervisorOptions) (*Supervisor, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	binary, err := Binary("pinniped-supervisor")
	if err != nil {
		return nil, err
	}
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, err
	}
	overlay := filepath.Join(root, "test/testlib/supervisor-loopback")
	if _, err := h.Kubectl(ctx, "apply", "--server-side", "-k", overlay); err != nil {
		return nil, err
	}
	kubeconfig, err := serviceAccountKubeconfig(ctx, h, SupervisorNamespace, supervisorSA,
		filepath.Join(dir, "supervisor.kubeconfig"))
	if err != nil {
		return nil, err
	}

	ports, err := harness.FreePorts(2)
	if err != nil {
		return nil, err
	}
	s := &Supervisor{Port: ports[0], APIPort: ports[1], LogPath: filepath.Join(dir, "supervisor.log")}
	if !opts.KeepAPIService {
		err = exposeOnLoopback(ctx, h, SupervisorNamespace, supervisorAPIService, SupervisorAPIServices, s.APIPort)
		if err != nil {
			return nil, err
		}
	}
	logLevel := opts.LogLevel
	if logLevel == "" {
		logLevel = "debug"
	}
	configPath := filepath.Join(dir, "supervisor.yaml")
	config := fmt.Sprintf(`namespace: %s
aggregatedAPIServerPort: %d
names:
  defaultTLSCertificateSecret: %s
  apiService: %s
endpoints:
  https:
    network: tcp
    address: 127.0.0.1:%d
log:
  level: %s
%s`, SupervisorNamespace, s.APIPort, SupervisorDefaultTLSSecret, supervisorAPIService, s.Port, logLevel,
		opts.ExtraConfig)
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return nil, fmt.Errorf("could not write config: %w", err)
	}

	s.process, err = harness.StartProcess("pinniped-supervisor", s.LogPath, binary,
		"--config", configPath, "--kubeconfig", kubeconfig, "--bind-address", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	if err := s.waitHealthy(ctx); err != nil {
		return s, fmt.Errorf("%w\n%s", err, s.Logs())
	}
	for _, name := range SupervisorAPIServices {
		if err := h.WaitForAPIService(ctx, name, 2*time.Minute); err != nil {
			return s, fmt.Errorf("%w\n%s", err, s.Logs())
		}
	}
	return s, nil
}

// waitHealthy polls /healthz, which answers even on the bootstrap certificate.
func (s *Supervisor) waitHealthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // only liveness is checked
	}}
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", s.Port)
	for {
		resp, err := client.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if !s.process.Running() {
			return fmt.Errorf("supervisor exited before it was healthy")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("supervisor was not healthy in time: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Logs returns the tail of the Supervisor's log.
func (s *Supervisor) Logs() string { return harness.Tail(s.LogPath, 80) }

// Stop stops the process; safe to call more than once.
func (s *Supervisor) Stop() { s.process.Stop(10 * time.Second) }

// Pid returns the process ID.
func (s *Supervisor) Pid() int { return s.process.Pid() }

// Running reports whether the process is still alive.
func (s *Supervisor) Running() bool { return s.process.Running() }
