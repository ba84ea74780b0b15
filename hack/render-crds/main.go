// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Command render-crds prints the given CRD manifests rewritten for another API
// group suffix, e.g. authentication.concierge.example.io instead of
// authentication.concierge.pinniped.dev, ready for `kubectl apply -f -`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

func main() {
	suffix := flag.String("suffix", groupsuffix.Default, "API group suffix to render the CRDs for")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: render-crds --suffix <suffix> <crd.yaml>...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, path := range flag.Args() {
		manifest, err := os.ReadFile(path)
		if err == nil {
			manifest, err = groupsuffix.RenderCRD(manifest, *suffix)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "render-crds: %s: %v\n", path, err)
			os.Exit(1)
		}
		_, _ = os.Stdout.Write(manifest)
	}
}
