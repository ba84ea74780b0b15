// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package cachefile gives the CLI's cache files (sessions and credentials) one
// locking and writing discipline, so that concurrent kubectl invocations, each
// running the plugin, never interleave a read-modify-write of the same file.
package cachefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockTimeout bounds how long a process waits for another one to finish with a
// file; a variable so that tests need not wait that long.
var lockTimeout = 10 * time.Second

const (
	// lockRetry is how often a held lock is tried again.
	lockRetry = 10 * time.Millisecond
	// dirMode and fileMode keep tokens readable by their owner only.
	dirMode  = 0o700
	fileMode = 0o600
)

// ErrLockTimeout means another process held the file's lock for too long.
var ErrLockTimeout = errors.New("timed out waiting for the cache file lock")

// Edit locks path (through the file <path>.lock, waiting at most 10 s), reads it, and calls edit with its
// content (nil when it does not exist). When edit returns a non-nil result it
// replaces the file atomically, mode 0600, creating the directory 0700 first. The
// lock is held until the new content is in place.
func Edit(path string, edit func(current []byte) (updated []byte, err error)) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return fmt.Errorf("could not create cache directory: %w", err)
	}
	lock := flock.New(path + ".lock")
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	locked, err := lock.TryLockContext(ctx, lockRetry)
	if !locked {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w %s.lock: another pinniped process has held it for %s",
				ErrLockTimeout, path, lockTimeout)
		}
		return fmt.Errorf("could not lock %s.lock: %w", path, err)
	}
	defer func() { _ = lock.Unlock() }()

	current, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("could not read cache file: %w", err)
	}
	updated, err := edit(current)
	if err != nil || updated == nil {
		return err
	}
	return writeAtomically(path, updated)
}

// writeAtomically writes a temporary file beside path and renames it over path, so a
// reader that does not take the lock still sees either the old or the new content.
func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("could not write cache file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := tmp.Chmod(fileMode); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("could not set the mode of the cache file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("could not write cache file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("could not write cache file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("could not replace cache file: %w", err)
	}
	return nil
}
