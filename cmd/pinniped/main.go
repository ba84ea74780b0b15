// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Command pinniped is the CLI: it writes kubeconfigs and is the kubectl credential
// plugin that logs in.
package main

import (
	"os"

	"github.com/sealworks/pinniped/pkg/cli/cmd"
)

func main() {
	if err := cmd.New().Execute(); err != nil {
		os.Exit(1)
	}
}
