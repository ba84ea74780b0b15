// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/test/harness"
)

// Dex is a running Dex (bin/dex, built by `make tools`): a real OpenID Connect
// provider on loopback over HTTPS, with static clients and static password users.
//
// Dex reads its static clients and users only when it starts, so changing a user's
// groups restarts it on the same port with a new config. Its storage is an SQLite file
// in its directory rather than memory so that a restart keeps the signing keys and
// every issued refresh token: tokens issued before the restart still verify, and a
// refresh after it succeeds and carries the new groups, which is what an upstream
// whose directory changed looks like to the Supervisor.
type Dex struct {
	// Issuer is Dex's issuer URL, https://127.0.0.1:<port>/dex.
	Issuer string
	// CA signed Dex's serving certificate.
	CA *certauthority.CA
	// CABundle is the PEM of CA, as an OIDCIdentityProvider's spec.tls wants it.
	CABundle []byte
	// Dir holds the config, the database, the TLS files and the log.
	Dir string
	// LogPath is the output of the current run of Dex; each restart starts a new
	// file beside it, so earlier runs stay readable.
	LogPath string

	mu      sync.Mutex
	opts    DexOptions
	port    int
	runs    int
	process *harness.Process
}

// DexOptions configures a Dex.
type DexOptions struct {
	// Clients are the OAuth clients Dex accepts.
	Clients []DexClient
	// Users can log in with the local password connector (login form or password grant).
	Users []DexUser
	// IDTokenTTL is how long ID tokens (and access tokens) live; zero means 10 minutes.
	IDTokenTTL time.Duration
}

// DexClient is a static OAuth client.
type DexClient struct {
	ID           string
	Secret       string
	RedirectURIs []string
	// Public clients have no secret and, with no RedirectURIs, may redirect to any
	// loopback port, as a CLI does.
	Public bool
}

// DexUser is a static password user. Email is what the user types as login name.
type DexUser struct {
	Email    string
	Username string
	Password string
	Groups   []string
	// UserID is Dex's stable user ID; empty means one derived from the email.
	UserID string
}

const (
	// dexReadyTimeout bounds how long Dex may take to serve its discovery document.
	dexReadyTimeout = 30 * time.Second
	// defaultDexIDTokenTTL is the ID token lifetime when DexOptions leaves it zero.
	defaultDexIDTokenTTL = 10 * time.Minute
)

// StartDex starts Dex for a test, stops it when the test ends and prints the tail of
// its log if the test failed. It fails the test when Dex cannot start.
func StartDex(t testing.TB, opts DexOptions) *Dex {
	t.Helper()
	dir, err := os.MkdirTemp("", "pinniped-dex-")
	if err != nil {
		t.Fatalf("could not create dex directory: %v", err)
	}
	d, err := StartDexInDir(dir, opts)
	t.Cleanup(func() {
		if d != nil {
			d.Stop()
		}
		if t.Failed() && d != nil {
			t.Logf("dex log (%s):\n%s", d.LogPath, d.Logs())
		}
		_ = os.RemoveAll(dir)
	})
	if err != nil {
		t.Fatalf("could not start dex: %v", err)
	}
	return d
}

// StartDexInDir starts Dex in an existing directory, for callers that manage its life
// themselves (a TestMain, the demo). Call Stop when done. On error Dex is not running.
func StartDexInDir(dir string, opts DexOptions) (*Dex, error) {
	binDir, err := harness.BinDir()
	if err != nil {
		return nil, err
	}
	binary := filepath.Join(binDir, "dex")
	if _, err := os.Stat(binary); err != nil {
		return nil, fmt.Errorf("missing %s: run `make tools` to build dex: %w", binary, err)
	}
	ca, err := certauthority.New("dex-test-ca", 24*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("could not create dex CA: %w", err)
	}
	serving, err := ca.IssueServerCert([]string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}, 24*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("could not issue dex serving cert: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), serving.CertPEM, 0o600); err != nil {
		return nil, fmt.Errorf("could not write dex serving cert: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), serving.KeyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("could not write dex serving key: %w", err)
	}
	ports, err := harness.FreePorts(1)
	if err != nil {
		return nil, err
	}
	d := &Dex{
		Issuer:   "https://127.0.0.1:" + strconv.Itoa(ports[0]) + "/dex",
		CA:       ca,
		CABundle: ca.Bundle(),
		Dir:      dir,
		opts:     opts,
		port:     ports[0],
	}
	if err := d.start(binary); err != nil {
		return nil, err
	}
	return d, nil
}

// HTTPClient returns a client that trusts Dex's CA. It keeps no cookies.
func (d *Dex) HTTPClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: d.CA.Pool(), MinVersion: tls.VersionTLS12},
		},
	}
}

// Pool returns a certificate pool that verifies Dex's serving certificate.
func (d *Dex) Pool() *x509.CertPool { return d.CA.Pool() }

// SetGroups changes a user's groups by restarting Dex with a new config on the same
// port. Tokens and refresh tokens issued before stay valid (see Dex).
func (d *Dex) SetGroups(email string, groups []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	users := slices.Clone(d.opts.Users)
	found := false
	for i := range users {
		if users[i].Email == email {
			users[i].Groups = slices.Clone(groups)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("dex has no user with email %q", email)
	}
	d.opts.Users = users
	return d.restartLocked()
}

// Restart stops Dex and starts it again with the same config and port.
func (d *Dex) Restart() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.restartLocked()
}

// Stop stops Dex. It is safe to call more than once.
func (d *Dex) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.process != nil {
		d.process.Stop(5 * time.Second)
	}
}

// Logs returns the tail of the current run's log.
func (d *Dex) Logs() string { return harness.Tail(d.LogPath, 60) }

func (d *Dex) restartLocked() error {
	binDir, err := harness.BinDir()
	if err != nil {
		return err
	}
	d.process.Stop(5 * time.Second)
	return d.start(filepath.Join(binDir, "dex"))
}

// start writes the config, starts the process and waits until discovery answers.
func (d *Dex) start(binary string) error {
	config, err := d.config()
	if err != nil {
		return err
	}
	configPath := filepath.Join(d.Dir, "dex.json")
	if err := os.WriteFile(configPath, config, 0o600); err != nil {
		return fmt.Errorf("could not write dex config: %w", err)
	}
	d.runs++
	d.LogPath = filepath.Join(d.Dir, fmt.Sprintf("dex.%d.log", d.runs))
	process, err := harness.StartProcess("dex", d.LogPath, binary, "serve", configPath)
	if err != nil {
		return err
	}
	d.process = process
	ctx, cancel := context.WithTimeout(context.Background(), dexReadyTimeout)
	defer cancel()
	if err := d.waitReady(ctx); err != nil {
		d.process.Stop(5 * time.Second)
		return fmt.Errorf("dex did not become ready: %w\n%s", err, d.Logs())
	}
	return nil
}

// waitReady polls the discovery document until Dex serves it or the process exits.
func (d *Dex) waitReady(ctx context.Context) error {
	client := d.HTTPClient()
	client.Timeout = 2 * time.Second
	url := d.Issuer + "/.well-known/openid-configuration"
	for {
		if !d.process.Running() {
			return errors.New("dex exited")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no discovery document at %s: %w", url, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
