// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package signingcert

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// DefaultPollInterval is how often FileOptions' files are read again.
const DefaultPollInterval = 10 * time.Second

// FileOptions name the PEM files of the signing certificate and its key.
type FileOptions struct {
	CertPath string
	KeyPath  string
	// PollInterval is how often the files are read; zero means DefaultPollInterval.
	// Polling, rather than file notifications, also sees the symlink swap with which
	// the kubelet updates a mounted Secret, and files that appear only later.
	PollInterval time.Duration
	// Clock drives the polling; nil means the real clock.
	Clock clock.WithTicker
}

// NewFromFiles returns a controller that loads the CA from two PEM files. The
// files need not exist yet.
func NewFromFiles(ca *certauthority.Dynamic, opts FileOptions) (*Controller, error) {
	if opts.CertPath == "" || opts.KeyPath == "" {
		return nil, errors.New("signingcert: both a certificate path and a key path are required")
	}
	if opts.PollInterval < 0 {
		return nil, fmt.Errorf("signingcert: poll interval must not be negative, got %s", opts.PollInterval)
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	l := newLoader(ca, fmt.Sprintf("files %q and %q", opts.CertPath, opts.KeyPath))
	f := &fileSource{loader: l, opts: opts}
	return &Controller{loader: l, run: f.run}, nil
}

type fileSource struct {
	*loader
	opts FileOptions
}

func (f *fileSource) run(ctx context.Context) {
	klog.InfoS("starting signing key controller", "source", f.source)
	defer klog.InfoS("stopping signing key controller", "source", f.source)
	f.sync()
	ticker := f.opts.Clock.NewTicker(f.opts.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C():
			f.sync()
		}
	}
}

// sync reads both files and loads them; a missing file unloads the CA.
func (f *fileSource) sync() {
	var keyPEM []byte
	certPEM, err := os.ReadFile(f.opts.CertPath)
	if err == nil {
		keyPEM, err = os.ReadFile(f.opts.KeyPath)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.unset("could not read signing key: " + err.Error())
	case err != nil:
		// A file that exists but cannot be read now is treated like unusable
		// content: the previous CA stays.
		f.fail("could not read signing key", err)
	default:
		f.set(certPEM, keyPEM)
	}
}
