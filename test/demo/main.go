// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Command demo runs the reference scenario on loopback for `make demo` (see
// hack/demo.sh): it starts every process, writes the kubeconfigs and a ready
// marker into its directory, and then owns the processes until SIGTERM or SIGINT,
// when it stops them all. Its children die with it even when it is killed, so the
// processes never outlive it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/test/testlib"
	"github.com/sealworks/pinniped/test/testlib/scenario"
)

// Files in the demo directory that hack/demo.sh reads.
const (
	// readyFile holds the instructions for the user; it appears once all is up.
	readyFile = "ready"
	// failedFile holds the reason the demo could not start.
	failedFile = "failed"
	// usersFile sets shell variables with the demo users' names and passwords.
	usersFile = "users.env"
)

func main() {
	dir := flag.String("dir", ".demo", "directory for the kubeconfigs, logs and state")
	klog.InitFlags(nil)
	flag.Parse()
	os.Exit(run(*dir))
}

// run starts the demo, waits for a signal and stops it; it returns the exit code.
func run(dir string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fail(dir, fmt.Errorf("could not resolve %q: %w", dir, err))
	}
	// hack/demo.sh builds the binaries here before it starts this program, so the
	// builds in scenario.Start only find them up to date.
	testlib.BuildInto(filepath.Join(dir, "bin"))

	users := newUsers()
	started := time.Now()
	klog.InfoS("starting the demo", "dir", dir)
	s, err := scenario.Start(ctx, dir, scenario.Options{
		Users:      users,
		Workloads:  []string{"workload1", "workload2"},
		IssuerPath: "/demo-issuer",
	})
	if err == nil {
		err = writeFiles(dir, s, users)
	}
	if err != nil {
		// Stopped before the marker is written, so that once hack/demo.sh sees
		// the marker nothing of the demo runs any more.
		stopAll(s)
		return fail(dir, err)
	}
	klog.InfoS("demo ready", "issuer", s.Issuer, "duration", time.Since(started).Round(time.Second))

	<-ctx.Done()
	klog.InfoS("signal received")
	stopAll(s)
	return 0
}

func stopAll(s *scenario.Scenario) {
	klog.InfoS("stopping every process of the demo")
	s.Stop()
	klog.InfoS("every process of the demo stopped")
}

// fail records why the demo could not start, for hack/demo.sh to show.
func fail(dir string, err error) int {
	klog.ErrorS(err, "demo could not start")
	if werr := os.WriteFile(filepath.Join(dir, failedFile), []byte(err.Error()+"\n"), 0o600); werr != nil {
		klog.ErrorS(werr, "could not write the failure marker")
	}
	return 1
}

// writeFiles writes the admin kubeconfigs, the users' variables and, last, the
// ready marker with the instructions.
func writeFiles(dir string, s *scenario.Scenario, users []scenario.User) error {
	copies := map[string]string{"admin-supervisor.kubeconfig": s.SupervisorCluster.KubeconfigPath}
	for _, w := range s.Workloads {
		copies["admin-"+w.Name+".kubeconfig"] = w.Cluster.KubeconfigPath
	}
	for name, from := range copies {
		content, err := os.ReadFile(from)
		if err != nil {
			return fmt.Errorf("could not read %s: %w", from, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return fmt.Errorf("could not write %s: %w", name, err)
		}
	}

	env := ""
	for _, u := range users {
		env += fmt.Sprintf("DEMO_%s_USERNAME=%s\nDEMO_%s_PASSWORD=%s\n",
			shellName(u.Name), u.Email, shellName(u.Name), u.Password)
	}
	if err := os.WriteFile(filepath.Join(dir, usersFile), []byte(env), 0o600); err != nil {
		return fmt.Errorf("could not write %s: %w", usersFile, err)
	}

	text, err := instructions(dir, s, users)
	if err != nil {
		return err
	}
	// Written last and renamed into place, so that its presence means ready.
	tmp := filepath.Join(dir, readyFile+".tmp")
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return fmt.Errorf("could not write the ready marker: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, readyFile)); err != nil {
		return errors.Join(fmt.Errorf("could not write the ready marker: %w", err), os.Remove(tmp))
	}
	return nil
}
