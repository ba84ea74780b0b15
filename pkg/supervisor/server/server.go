// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package server runs the Supervisor: one HTTPS listener serving the endpoints of
// every FederationDomain, and the controllers that feed it.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/serverenv"
	"github.com/sealworks/pinniped/pkg/supervisor/config"
)

const (
	// readHeaderTimeout bounds how long a client may take to send its headers, so that
	// slow clients cannot hold connections open.
	readHeaderTimeout = 10 * time.Second
	// shutdownTimeout is how long requests in flight may finish after a stop signal.
	shutdownTimeout = time.Minute
	// apiQPS and apiBurst limit the Supervisor's requests to the Kubernetes API.
	apiQPS   = 500
	apiBurst = 1000
)

// Options are the Supervisor's command-line settings.
type Options struct {
	// ConfigPath is the configuration file (pinniped.yaml).
	ConfigPath string
	// Kubeconfig, when set, is used instead of the in-cluster configuration, so the
	// Supervisor can run as a plain process next to a cluster.
	Kubeconfig string
	// DownwardAPIPath is where the pod's namespace file is mounted.
	DownwardAPIPath string
	// BindAddress is the address the aggregated API listens on; empty means every
	// interface.
	BindAddress string
}

// Run starts the Supervisor and blocks until ctx is done or the server fails.
func Run(ctx context.Context, opts Options) error {
	cfg, err := config.FromPath(opts.ConfigPath)
	if err != nil {
		return err
	}
	namespace, err := serverenv.Namespace(cfg.Namespace, opts.DownwardAPIPath)
	if err != nil {
		return err
	}
	kubeConfig, err := serverenv.RESTConfig(opts.Kubeconfig)
	if err != nil {
		return err
	}
	// Every login reads and writes several session Secrets; client-go's default
	// limit (5 requests/s) would queue them one after another. The API server's
	// priority and fairness still protects it.
	kubeConfig.QPS, kubeConfig.Burst = apiQPS, apiBurst
	if err := serverenv.SetLogLevel(cfg.Log.Level); err != nil {
		return err
	}
	klog.InfoS("starting supervisor", "namespace", namespace, "apiGroupSuffix", cfg.APIGroupSuffix,
		"address", cfg.Endpoints.HTTPS.Address)

	ctrl, err := newControllers(kubeConfig, cfg, namespace)
	if err != nil {
		return err
	}
	listener, err := net.Listen(cfg.Endpoints.HTTPS.Network, cfg.Endpoints.HTTPS.Address)
	if err != nil {
		return fmt.Errorf("could not listen on %s: %w", cfg.Endpoints.HTTPS.Address, err)
	}
	server := &http.Server{
		Handler:           ctrl.certs.guard(ctrl.endpoints),
		ReadHeaderTimeout: readHeaderTimeout,
		TLSConfig: &tls.Config{
			MinVersion:     tls.VersionTLS12,
			GetCertificate: ctrl.certs.GetCertificate,
			NextProtos:     []string{"h2", "http/1.1"},
		},
		ErrorLog: klog.NewStandardLogger("INFO"),
	}

	apiServer, err := newAPIServer(cfg, opts, ctrl.servingCert, ctrl.clientSecrets)
	if err != nil {
		return err
	}

	go ctrl.run(ctx)
	serveErr := make(chan error, 2)
	go func() { serveErr <- fmt.Errorf("could not serve https: %w", server.ServeTLS(listener, "", "")) }()
	klog.InfoS("serving https", "address", listener.Addr().String())
	apiCtx, stopAPI := context.WithCancel(ctx)
	defer stopAPI()
	go func() {
		err := apiServer.PrepareRun().RunWithContext(apiCtx)
		if err == nil && ctx.Err() == nil {
			err = errors.New("stopped unexpectedly")
		}
		if err != nil {
			serveErr <- fmt.Errorf("could not serve the aggregated API: %w", err)
		}
	}()

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	// Stop accepting connections first, then let requests in flight finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("could not shut down https server: %w", err)
	}
	klog.InfoS("supervisor stopped")
	return nil
}
