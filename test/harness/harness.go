// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package harness runs a real Kubernetes control plane (etcd and kube-apiserver,
// built by hack/tools into bin/) on loopback for tests. Each harness has its own
// temporary directory, free ports, PKI and data, so several can run side by side
// in one test binary.
package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// Options change how a harness is started. The zero value is a plain cluster.
type Options struct {
	// AuditLog enables kube-apiserver's audit log at the Metadata level for every
	// request; the file is Harness.AuditLogPath.
	AuditLog bool
	// ExtraAPIServerFlags are appended to kube-apiserver's command line.
	ExtraAPIServerFlags []string
	// ControllerManager also runs kube-controller-manager, for tests that need its
	// controllers: aggregated ClusterRoles such as view and edit, namespace deletion,
	// garbage collection, ServiceAccount tokens.
	ControllerManager bool
}

// Harness is one running control plane.
type Harness struct {
	// Dir holds everything of this harness: PKI, etcd data, logs, kubeconfig.
	Dir string
	// URL is kube-apiserver's https://127.0.0.1:<port>.
	URL string
	// AdminConfig authenticates as a member of system:masters.
	AdminConfig *rest.Config
	// KubeconfigPath is a kubeconfig file with the same admin credentials.
	KubeconfigPath string
	// ClusterCA is the CA kube-apiserver trusts for client certificates, with its
	// key: it plays the role of the cluster signing key.
	ClusterCA *certauthority.CA
	// ClusterCACertPath and ClusterCAKeyPath are the same CA as files.
	ClusterCACertPath, ClusterCAKeyPath string
	// AuditLogPath is the audit log, when Options.AuditLog is set.
	AuditLogPath string

	etcd              *Process
	apiserver         *Process
	controllerManager *Process
}

// Start brings up a harness for a test, stops it when the test ends and prints the
// components' logs if the test failed. It fails the test when it cannot start.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	dir, err := os.MkdirTemp("", "pinniped-harness-")
	if err != nil {
		t.Fatalf("could not create harness directory: %v", err)
	}
	h, err := StartInDir(dir, opts)
	t.Cleanup(func() {
		if h != nil {
			h.Stop()
		}
		if t.Failed() {
			t.Log(LogsOf(dir))
		}
		_ = os.RemoveAll(dir)
	})
	if err != nil {
		t.Fatalf("could not start harness: %v", err)
	}
	return h
}

// StartInDir brings up a harness in an existing empty directory, for callers that
// manage its life themselves (a TestMain, the demo). Call Stop when done. On error
// the returned harness is already stopped (and may be nil).
func StartInDir(dir string, opts Options) (*Harness, error) {
	bins, err := findBinaries()
	if err != nil {
		return nil, err
	}
	h := &Harness{Dir: dir}
	p, err := newPKI(dir)
	if err != nil {
		return nil, err
	}
	h.ClusterCA = p.clusterCA
	h.ClusterCACertPath, h.ClusterCAKeyPath = p.clusterCACert, p.clusterCAKey

	etcdURL, err := h.startEtcd(bins.etcd)
	if err != nil {
		h.Stop()
		return nil, err
	}
	if err := h.startAPIServer(bins.apiserver, p, etcdURL, opts); err != nil {
		h.Stop()
		return nil, err
	}
	if err := h.writeKubeconfig(p); err != nil {
		h.Stop()
		return nil, err
	}
	if err := h.publishClusterInfo(); err != nil {
		h.Stop()
		return nil, err
	}
	if opts.ControllerManager {
		if err := h.startControllerManager(bins.controllerManager, p); err != nil {
			h.Stop()
			return nil, err
		}
	}
	return h, nil
}

// Client returns a Kubernetes clientset with admin credentials.
func (h *Harness) Client() kubernetes.Interface {
	return kubernetes.NewForConfigOrDie(h.AdminConfig)
}

// Stop stops kube-apiserver, then etcd, each first gently and then with a kill
// when it has not exited in time. It is safe to call more than once.
func (h *Harness) Stop() {
	// Clients of kube-apiserver go first, then kube-apiserver: stopping etcd under
	// it makes it log errors and delay its shutdown.
	if h.controllerManager != nil {
		h.controllerManager.Stop(5 * time.Second)
	}
	if h.apiserver != nil {
		h.apiserver.Stop(10 * time.Second)
	}
	if h.etcd != nil {
		h.etcd.Stop(5 * time.Second)
	}
}

// Logs returns the tail of every component's log, for failure reports.
func (h *Harness) Logs() string { return LogsOf(h.Dir) }

func (h *Harness) waitReady(ctx context.Context) error {
	client, err := kubernetes.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build admin client: %w", err)
	}
	var lastErr error
	for ctx.Err() == nil {
		if !h.apiserver.Running() {
			return errors.New("kube-apiserver exited during startup; see " + h.apiserver.LogPath)
		}
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			// The system namespaces are created by a controller shortly after readiness.
			if _, err = client.CoreV1().Namespaces().Get(ctx, metav1.NamespaceDefault, metav1.GetOptions{}); err == nil {
				if _, err = client.CoreV1().Namespaces().Get(ctx, metav1.NamespacePublic, metav1.GetOptions{}); err == nil {
					return nil
				}
			}
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver did not become ready: %w (last error: %v)", ctx.Err(), lastErr)
}

// LogsOf returns the tail of every component log in a harness directory, for
// failure reports of harnesses that did not finish starting.
func LogsOf(dir string) string {
	out := ""
	for _, name := range []string{"etcd.log", "kube-apiserver.log", "kube-controller-manager.log"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			continue
		}
		out += fmt.Sprintf("\n===== %s (last 60 lines) =====\n%s", name, Tail(filepath.Join(dir, name), 60))
	}
	return out
}
