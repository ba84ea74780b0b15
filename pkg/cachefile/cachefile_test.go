// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cachefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/require"
)

func TestEdit(t *testing.T) {
	t.Run("creates_the_directory_0700_and_the_file_0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pinniped", "sessions.yaml")
		var seen []byte
		require.NoError(t, Edit(path, func(current []byte) ([]byte, error) {
			seen = current
			return []byte("hello"), nil
		}))
		require.Nil(t, seen)
		dir, err := os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), dir.Mode().Perm())
		file, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), file.Mode().Perm())
		content, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, "hello", string(content))
	})

	t.Run("nil_result_leaves_the_file_alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
		var seen []byte
		require.NoError(t, Edit(path, func(current []byte) ([]byte, error) {
			seen = current
			return nil, nil
		}))
		require.Equal(t, "old", string(seen))
		content, _ := os.ReadFile(path)
		require.Equal(t, "old", string(content))
	})

	t.Run("edit_error_is_returned_and_nothing_written", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		boom := errors.New("boom")
		require.ErrorIs(t, Edit(path, func([]byte) ([]byte, error) { return []byte("x"), boom }), boom)
		_, err := os.Stat(path)
		require.ErrorIs(t, err, os.ErrNotExist)
	})

	t.Run("held_lock_times_out_with_a_clear_message", func(t *testing.T) {
		old := lockTimeout
		lockTimeout = 100 * time.Millisecond
		t.Cleanup(func() { lockTimeout = old })
		path := filepath.Join(t.TempDir(), "c.yaml")
		other := flock.New(path + ".lock")
		locked, err := other.TryLock()
		require.NoError(t, err)
		require.True(t, locked)
		t.Cleanup(func() { _ = other.Unlock() })

		called := false
		err = Edit(path, func([]byte) ([]byte, error) { called = true; return nil, nil })
		require.ErrorIs(t, err, ErrLockTimeout)
		require.EqualError(t, err, "timed out waiting for the cache file lock "+path+
			".lock: another pinniped process has held it for 100ms")
		require.False(t, called)
	})
}
