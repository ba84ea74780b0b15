// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// NewCommand returns the pinniped-supervisor command. It stops gracefully on
// SIGTERM and SIGINT.
func NewCommand() *cobra.Command {
	opts := Options{DownwardAPIPath: "/etc/podinfo"}
	cmd := &cobra.Command{
		Use:          "pinniped-supervisor",
		Short:        "Pinniped Supervisor: an OIDC issuer per FederationDomain, federating upstream identity providers",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Run(genericapiserver.SetupSignalContext(), opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.ConfigPath, "config", "pinniped.yaml", "path to the configuration file")
	flags.StringVar(&opts.Kubeconfig, "kubeconfig", "",
		"kubeconfig of the cluster; empty means the in-cluster configuration")
	flags.StringVar(&opts.BindAddress, "bind-address", "0.0.0.0", "address the aggregated API listens on")
	flags.StringVar(&opts.DownwardAPIPath, "downward-api-path", opts.DownwardAPIPath,
		"directory of the downward API files (namespace)")
	return cmd
}
