// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	etcdStartTimeout      = 30 * time.Second
	apiserverStartTimeout = 60 * time.Second
	// controllerManagerStartTimeout bounds the wait for kube-controller-manager's
	// first ClusterRole aggregation.
	controllerManagerStartTimeout = 60 * time.Second
	serviceClusterIPRange         = "10.96.0.0/16"
)

type binaries struct{ etcd, apiserver, controllerManager, kubectl string }

// BinDir is where hack/tools puts the control-plane binaries: $PINNIPED_BIN_DIR,
// else bin/ at the root of this repository.
func BinDir() (string, error) {
	if dir := os.Getenv("PINNIPED_BIN_DIR"); dir != "" {
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "bin"), nil
}

// RepoRoot finds the root of this repository above the working directory, which
// for `go test` is the directory of the package under test.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("could not get working directory: %w", err)
	}
	for {
		if isRepoRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("could not find the repository root above the working directory")
		}
		dir = parent
	}
}

func isRepoRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	return scanner.Scan() && strings.TrimSpace(scanner.Text()) == "module github.com/sealworks/pinniped"
}

func findBinaries() (*binaries, error) {
	dir, err := BinDir()
	if err != nil {
		return nil, err
	}
	b := &binaries{
		etcd:              filepath.Join(dir, "etcd"),
		apiserver:         filepath.Join(dir, "kube-apiserver"),
		controllerManager: filepath.Join(dir, "kube-controller-manager"),
		kubectl:           filepath.Join(dir, "kubectl"),
	}
	for _, path := range []string{b.etcd, b.apiserver, b.controllerManager, b.kubectl} {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("missing %s: run `make tools` to build the control plane binaries: %w", path, err)
		}
	}
	return b, nil
}

func (h *Harness) startEtcd(binary string) (string, error) {
	ports, err := FreePorts(2)
	if err != nil {
		return "", err
	}
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	h.etcd, err = StartProcess("etcd", filepath.Join(h.Dir, "etcd.log"), binary,
		"--name", "harness",
		"--data-dir", filepath.Join(h.Dir, "etcd-data"),
		"--listen-client-urls", clientURL,
		"--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL,
		"--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "harness="+peerURL,
		"--log-level", "warn",
		// Test data need not survive a power cut; skipping fsync makes etcd fast
		// on slow disks.
		"--unsafe-no-fsync",
	)
	if err != nil {
		return "", err
	}

	deadline := time.Now().Add(etcdStartTimeout)
	for time.Now().Before(deadline) {
		if !h.etcd.Running() {
			return "", errors.New("etcd exited during startup; see " + h.etcd.LogPath)
		}
		resp, err := http.Get(clientURL + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return clientURL, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("etcd did not become healthy within %s; see %s", etcdStartTimeout, h.etcd.LogPath)
}

func (h *Harness) startAPIServer(binary string, p *pki, etcdURL string, opts Options) error {
	ports, err := FreePorts(1)
	if err != nil {
		return err
	}
	port := ports[0]
	h.URL = "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1",
		"--advertise-address", "127.0.0.1",
		// A loopback address cannot back the kubernetes Service's endpoints; nothing
		// here reaches the API server through that Service anyway.
		"--endpoint-reconciler-type", "none",
		"--secure-port", strconv.Itoa(port),
		"--cert-dir", filepath.Join(h.Dir, "apiserver-certs"),
		"--tls-cert-file", p.servingCert,
		"--tls-private-key-file", p.servingKey,
		"--client-ca-file", p.clusterCACert,
		"--service-account-key-file", p.serviceAccountKey,
		"--service-account-signing-key-file", p.serviceAccountKey,
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--authorization-mode", "Node,RBAC",
		"--service-cluster-ip-range", serviceClusterIPRange,
		"--requestheader-client-ca-file", p.frontProxyCACert,
		"--requestheader-allowed-names", frontProxyClientName,
		"--requestheader-username-headers", "X-Remote-User",
		"--requestheader-group-headers", "X-Remote-Group",
		"--requestheader-extra-headers-prefix", "X-Remote-Extra-",
		"--proxy-client-cert-file", p.proxyClientCert,
		"--proxy-client-key-file", p.proxyClientKey,
		"--allow-privileged",
		"--profiling=false",
	}
	if opts.AuditLog {
		policyPath, err := writeAuditPolicy(h.Dir)
		if err != nil {
			return err
		}
		h.AuditLogPath = filepath.Join(h.Dir, "audit.log")
		args = append(args, "--audit-policy-file", policyPath, "--audit-log-path", h.AuditLogPath)
	}
	args = append(args, opts.ExtraAPIServerFlags...)

	h.apiserver, err = StartProcess("kube-apiserver", filepath.Join(h.Dir, "kube-apiserver.log"), binary, args...)
	if err != nil {
		return err
	}
	h.AdminConfig = &rest.Config{
		Host: h.URL,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   p.clusterCA.Bundle(),
			CertData: p.admin.CertPEM,
			KeyData:  p.admin.KeyPEM,
		},
		QPS:   100,
		Burst: 200,
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiserverStartTimeout)
	defer cancel()
	return h.waitReady(ctx)
}

func writeAuditPolicy(dir string) (string, error) {
	path := filepath.Join(dir, "audit-policy.yaml")
	policy := "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n"
	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		return "", fmt.Errorf("could not write audit policy: %w", err)
	}
	return path, nil
}

func (h *Harness) writeKubeconfig(p *pki) error {
	const name = "harness"
	config := clientcmdapi.NewConfig()
	config.Clusters[name] = &clientcmdapi.Cluster{Server: h.URL, CertificateAuthorityData: p.clusterCA.Bundle()}
	config.AuthInfos[name] = &clientcmdapi.AuthInfo{
		ClientCertificateData: p.admin.CertPEM,
		ClientKeyData:         p.admin.KeyPEM,
	}
	config.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	config.CurrentContext = name
	h.KubeconfigPath = filepath.Join(h.Dir, "admin.kubeconfig")
	if err := clientcmd.WriteToFile(*config, h.KubeconfigPath); err != nil {
		return fmt.Errorf("could not write kubeconfig: %w", err)
	}
	return nil
}

// startControllerManager runs kube-controller-manager with the admin kubeconfig and
// waits until its ClusterRole aggregation has filled the view role, the sign that
// its controllers run.
func (h *Harness) startControllerManager(binary string, p *pki) error {
	var err error
	h.controllerManager, err = StartProcess("kube-controller-manager",
		filepath.Join(h.Dir, "kube-controller-manager.log"), binary,
		"--kubeconfig", h.KubeconfigPath,
		"--authentication-kubeconfig", h.KubeconfigPath,
		"--authorization-kubeconfig", h.KubeconfigPath,
		"--bind-address", "127.0.0.1",
		"--secure-port", "0",
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--service-account-private-key-file", p.serviceAccountKey,
		"--root-ca-file", p.clusterCACert,
		"--cluster-signing-cert-file", p.clusterCACert,
		"--cluster-signing-key-file", p.clusterCAKey,
		"--service-cluster-ip-range", serviceClusterIPRange,
	)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), controllerManagerStartTimeout)
	defer cancel()
	client := h.Client()
	for ctx.Err() == nil {
		if !h.controllerManager.Running() {
			return errors.New("kube-controller-manager exited during startup; see " + h.controllerManager.LogPath)
		}
		view, err := client.RbacV1().ClusterRoles().Get(ctx, "view", metav1.GetOptions{})
		if err == nil && len(view.Rules) > 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("kube-controller-manager did not aggregate the view role within %s; see %s",
		controllerManagerStartTimeout, h.controllerManager.LogPath)
}
