// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Command pinniped-supervisor runs the Supervisor on the supervisor cluster.
package main

import (
	"os"

	"k8s.io/component-base/cli"

	"github.com/sealworks/pinniped/pkg/supervisor/server"
)

func main() {
	os.Exit(cli.Run(server.NewCommand()))
}
