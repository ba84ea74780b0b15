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

// newUsers returns the demo's two users, as in the design's reference scenario,
// with passwords new for every demo.
func newUsers() ([]scenario.User, error) {
	users := []scenario.User{
		{Name: "alice", Email: "alice@example.com", Groups: []string{"eks-admins"}},
		{Name: "bob", Email: "bob@example.com", Groups: []string{"eks-users"}},
	}
	for i := range users {
		users[i].Password = users[i].Name + "-" + rand.Text()[:10]
	}
	return users, nil
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
	rel := func(path string) string {
		wd, err := os.Getwd()
		if err != nil {
			return path
		}
		if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return path
	}
	kubectl := rel(filepath.Join(binDir, "kubectl"))
	w1, w2 := rel(s.Workloads[0].Kubeconfig), rel(s.Workloads[1].Kubeconfig)
	home := func(u scenario.User) string { return rel(filepath.Join(dir, "home", u.Name)) }
	passwordLogin := func(u scenario.User) string {
		return fmt.Sprintf("XDG_CONFIG_HOME=%s PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password \\\n"+
			"    PINNIPED_USERNAME=%s PINNIPED_PASSWORD=%s \\\n    %s",
			home(u), u.Email, u.Password, kubectl)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "The demo is up: a supervisor cluster with the Supervisor (issuer %s) and Dex,\n", s.Issuer)
	fmt.Fprintf(&b, "and two workload clusters, each with a Concierge; all on 127.0.0.1.\n\n")
	fmt.Fprintf(&b, "Users of the company IdP (Dex); the username to type is the email:\n")
	for _, u := range users {
		role := "view"
		if len(u.Groups) > 0 && u.Groups[0] == "eks-admins" {
			role = "cluster-admin"
		}
		fmt.Fprintf(&b, "  %-18s password %-18s group %-10s -> %s on both workload clusters\n",
			u.Email, u.Password, strings.Join(u.Groups, ","), role)
	}
	fmt.Fprintf(&b, "\nkubectl: %s (any recent kubectl works). Run these from this directory.\n\n", kubectl)
	fmt.Fprintf(&b, "Log in through the browser (when none can open, the CLI prints the URL):\n")
	fmt.Fprintf(&b, "  %s --kubeconfig %s get namespaces\n\n", kubectl, w1)
	fmt.Fprintf(&b, "Log in with a password instead. A login is cached per user in XDG_CONFIG_HOME\n"+
		"(default ~/.config/pinniped), so each user here gets a directory of their own:\n")
	alice, bob := users[0], users[1]
	fmt.Fprintf(&b, "  %s --kubeconfig %s auth can-i create namespace   # no\n", passwordLogin(bob), w1)
	fmt.Fprintf(&b, "  %s --kubeconfig %s auth can-i create namespace   # yes\n", passwordLogin(alice), w1)
	fmt.Fprintf(&b, "  %s --kubeconfig %s auth can-i get pods   # yes, the same login\n", passwordLogin(bob), w2)
	fmt.Fprintf(&b, "\nWho am I:\n  XDG_CONFIG_HOME=%s %s whoami --kubeconfig %s\n",
		home(bob), rel(filepath.Join(dir, "bin", "pinniped")), w1)
	fmt.Fprintf(&b, "\nAdmin kubeconfigs: %s\n", rel(filepath.Join(dir, "admin-*.kubeconfig")))
	fmt.Fprintf(&b, "Logs: %s (the demo itself)\n", rel(filepath.Join(dir, "demo.log")))
	for _, path := range s.LogPaths() {
		fmt.Fprintf(&b, "      %s\n", rel(path))
	}
	fmt.Fprintf(&b, "Stop it and remove %s: make demo-down\n", rel(dir))
	return b.String(), nil
}
