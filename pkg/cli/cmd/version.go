// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/component-base/version"
	"sigs.k8s.io/yaml"
)

func newVersionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of this CLI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			// A binary built without release ldflags still names its module version.
			if build, ok := debug.ReadBuildInfo(); ok && info.GitVersion == "v0.0.0-master+$Format:%H$" {
				info.GitVersion = build.Main.Version
			}
			out := cmd.OutOrStdout()
			switch output {
			case "":
				_, err := fmt.Fprintf(out, "pinniped version: %s\n", info.GitVersion)
				return err
			case "json":
				data, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, string(data))
				return err
			case "yaml":
				data, err := yaml.Marshal(info)
				if err != nil {
					return err
				}
				_, err = out.Write(data)
				return err
			default:
				return fmt.Errorf("invalid output format %q: expected json or yaml", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "one of: json|yaml")
	return cmd
}
