// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// DropSessionTokens removes tokens of the given kinds (access, id) from every
// session in a CLI session cache file, as if they had expired, and fails when a
// session has no refresh token left to recover with.
func DropSessionTokens(path string, kinds ...string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cache map[string]any
	if err := yaml.Unmarshal(data, &cache); err != nil {
		return err
	}
	sessions, _ := cache["sessions"].([]any)
	if len(sessions) == 0 {
		return fmt.Errorf("no sessions in %s", path)
	}
	for _, session := range sessions {
		tokens, _ := session.(map[string]any)["tokens"].(map[string]any)
		if _, ok := tokens["refresh"]; !ok {
			return fmt.Errorf("a session in %s has no refresh token", path)
		}
		for _, kind := range kinds {
			delete(tokens, kind)
		}
	}
	if data, err = yaml.Marshal(cache); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
