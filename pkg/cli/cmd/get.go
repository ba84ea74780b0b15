// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import "github.com/spf13/cobra"

func newGetCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "get", Short: "Get the configuration of a cluster", Args: cobra.NoArgs}
	cmd.AddCommand(newGetKubeconfigCommand())
	return cmd
}
