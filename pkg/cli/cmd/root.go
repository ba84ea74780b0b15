// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package cmd holds the pinniped CLI's cobra commands. Each command parses its
// flags and calls into the packages that do the work (oidcclient,
// conciergeclient, the caches); nothing here is imported by them.
package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
)

// New returns the root command.
func New() *cobra.Command {
	root := &cobra.Command{
		Use:          "pinniped",
		Short:        "pinniped logs you in to every Kubernetes cluster with one identity",
		SilenceUsage: true,
	}
	root.AddCommand(newVersionCommand(), newWhoamiCommand(), newLoginCommand(), newGetCommand())
	// Print the API server's Warning headers as kubectl does, not as klog lines.
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(os.Stderr, rest.WarningWriterOptions{Deduplicate: true}))
	return root
}

// newLogger writes debug logs to stderr when PINNIPED_DEBUG=true, else nothing.
// Callers never pass it tokens, codes or passwords.
func newLogger() logr.Logger {
	if !strings.EqualFold(os.Getenv("PINNIPED_DEBUG"), "true") {
		return logr.Discard()
	}
	return funcr.New(func(prefix, args string) {
		_, _ = fmt.Fprintln(os.Stderr, "pinniped:", prefix, args)
	}, funcr.Options{Verbosity: 10})
}
