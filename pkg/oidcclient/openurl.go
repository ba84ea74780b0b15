// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclient

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// OpenURL opens url in the person's browser: with each command of $BROWSER in turn
// (a colon-separated list, as xdg-utils reads it), else the platform's opener. It
// returns once the browser command has started, without waiting for it.
func OpenURL(url string) error {
	var candidates [][]string
	for _, command := range strings.Split(os.Getenv("BROWSER"), ":") {
		if fields := strings.Fields(command); len(fields) > 0 {
			candidates = append(candidates, append(fields, url))
		}
	}
	switch runtime.GOOS {
	case "darwin":
		candidates = append(candidates, []string{"open", url})
	case "windows":
		candidates = append(candidates, []string{"rundll32", "url.dll,FileProtocolHandler", url})
	default:
		candidates = append(candidates, []string{"xdg-open", url})
	}
	var errs []error
	for _, argv := range candidates {
		cmd := exec.Command(argv[0], argv[1:]...) //nolint:gosec // the person's own browser setting
		// The browser must not write into kubectl's output, and must outlive us.
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
		if err := cmd.Start(); err != nil {
			errs = append(errs, fmt.Errorf("could not run %s: %w", argv[0], err))
			continue
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
	return errors.Join(errs...)
}
