// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package serverenv is what the Concierge and the Supervisor processes learn from
// their environment: how to reach the cluster, which namespace is theirs, and how
// much to log.
package serverenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/logs"
)

// Namespace returns the configured namespace, else $POD_NAMESPACE, else the pod's
// namespace from the downward API file <downwardAPIPath>/namespace.
func Namespace(configured, downwardAPIPath string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns, nil
	}
	content, err := os.ReadFile(filepath.Join(downwardAPIPath, "namespace"))
	if err != nil {
		return "", fmt.Errorf("no namespace in the config file or $POD_NAMESPACE, and could not read the pod's: %w", err)
	}
	return strings.TrimSpace(string(content)), nil
}

// RESTConfig loads a kubeconfig file, or the in-cluster configuration when the
// path is empty.
func RESTConfig(kubeconfig string) (*restclient.Config, error) {
	if kubeconfig == "" {
		c, err := restclient.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("could not load in-cluster configuration (use --kubeconfig outside a cluster): %w", err)
		}
		return c, nil
	}
	c, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("could not load kubeconfig %q: %w", kubeconfig, err)
	}
	return c, nil
}

// SetLogLevel maps a configured log level (info, debug, trace, all) to klog
// verbosity 0, 4, 6 and 10.
func SetLogLevel(level string) error {
	verbosity, ok := map[string]string{"info": "0", "debug": "4", "trace": "6", "all": "10"}[level]
	if !ok {
		return fmt.Errorf("unknown log level %q", level)
	}
	if _, err := logs.GlogSetter(verbosity); err != nil {
		return fmt.Errorf("could not set log level %q: %w", level, err)
	}
	return nil
}
