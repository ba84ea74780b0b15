// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/testlib/scenario"
)

// newUsers returns the demo's two users of the design's reference scenario, with
// passwords new for every demo. Alice comes first.
func newUsers() []scenario.User {
	users := []scenario.User{
		{Name: "alice", Email: "alice@example.com", Groups: []string{"eks-admins"}},
		{Name: "bob", Email: "bob@example.com", Groups: []string{"eks-users"}},
	}
	for i := range users {
		users[i].Password = users[i].Name + "-" + rand.Text()[:10]
	}
	return users
}

// shellName is a user's name as part of a shell variable name.
func shellName(name string) string { return strings.ToUpper(name) }

// instructions tells the user what runs and what to try, with paths relative to
// the working directory (the repository root, where `make demo` runs).
func instructions(dir string, s *scenario.Scenario, users []scenario.User) (string, error) {
	binDir, err := harness.BinDir()
	if err != nil {
		return "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("could not get the working directory: %w", err)
	}
	rel := func(path string) string {
		if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return path
	}
	kubectl := rel(filepath.Join(binDir, "kubectl"))
	w1, w2 := rel(s.Workloads[0].Kubeconfig), rel(s.Workloads[1].Kubeconfig)
	home := func(u scenario.User) string { return rel(filepath.Join(dir, "home", u.Name)) }
	// passwordLogin is the start of a kubectl command that logs u in with the CLI
	// password flow, with a cache directory of u's own.
	passwordLogin := func(u scenario.User) string {
		return fmt.Sprintf("XDG_CONFIG_HOME=%s PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password \\\n"+
			"    PINNIPED_USERNAME=%s PINNIPED_PASSWORD=%s \\\n    %s",
			home(u), u.Email, u.Password, kubectl)
	}

	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("The demo is up, all on 127.0.0.1: a supervisor cluster with the Supervisor")
	line("(issuer %s) and Dex, and two workload clusters, each with a Concierge.", s.Issuer)
	line("")
	line("Users of the company IdP (Dex); the username to type is the email:")
	for _, u := range users {
		group := strings.Join(u.Groups, ",")
		line("  %-18s password %-17s group %-10s -> %s on both workload clusters",
			u.Email, u.Password, group, scenario.ClusterRoles[group])
	}
	line("")
	line("kubectl: %s (any recent kubectl works). Run these from this directory.", kubectl)
	line("")
	line("Log in through the browser (when none can open, the CLI prints the URL):")
	line("  %s --kubeconfig %s get namespaces", kubectl, w1)
	line("")
	line("Log in with a password instead. A login is cached per user in XDG_CONFIG_HOME")
	line("(default ~/.config/pinniped), so each user here gets a directory of their own:")
	alice, bob := users[0], users[1]
	line("  %s --kubeconfig %s auth can-i create namespace   # no", passwordLogin(bob), w1)
	line("  %s --kubeconfig %s auth can-i create namespace   # yes", passwordLogin(alice), w1)
	line("  %s --kubeconfig %s auth can-i get pods   # yes, the same login", passwordLogin(bob), w2)
	line("")
	line("Who am I:")
	line("  XDG_CONFIG_HOME=%s %s whoami --kubeconfig %s",
		home(bob), rel(filepath.Join(dir, "bin", "pinniped")), w1)
	line("")
	line("Admin kubeconfigs: %s", rel(filepath.Join(dir, "admin-*.kubeconfig")))
	line("Logs: %s (the demo itself)", rel(filepath.Join(dir, "demo.log")))
	for _, path := range s.LogPaths() {
		line("      %s", rel(path))
	}
	line("Stop it and remove %s/: make demo-down", rel(dir))
	return b.String(), nil
}
