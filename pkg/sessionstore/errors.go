// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessionstore

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Error is the type of the sentinel errors of this package. Callers match them
// with errors.Is; the returned errors wrap them together with the cause.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrNotFound means there is no live entry: it never existed, was deleted, or
	// has expired and waits for the garbage collector.
	ErrNotFound = Error("sessionstore: entry not found")
	// ErrConflict means the entry changed since the caller read it (a stale
	// resourceVersion), or an entry with the same signature already exists.
	ErrConflict = Error("sessionstore: entry was changed concurrently")
	// ErrInvalid means the request or the stored entry is malformed: an unknown
	// kind, an oversized signature, a value that does not encode, or a Secret of
	// the wrong type or storage version.
	ErrInvalid = Error("sessionstore: invalid entry")
)

// apiError maps a Kubernetes API error to this package's sentinels, keeping the
// original error in the chain for logs.
func apiError(err error) error {
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	default:
		return err
	}
}
