// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessionstore

import (
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is what an entry stores. It is part of the Secret's name, type and label.
type Kind string

// The kinds of entries the OAuth engine stores.
const (
	KindAuthCode     Kind = "authcode"
	KindPKCE         Kind = "pkce"
	KindOIDC         Kind = "oidc"
	KindAccessToken  Kind = "access-token"
	KindRefreshToken Kind = "refresh-token"
)

// Names of the wire format, shared with the garbage collector.
const (
	// TypeLabel carries the kind on every entry, so that entries can be listed and
	// deleted by kind.
	TypeLabel = "storage.pinniped.dev/type"
	// GarbageCollectAfterAnnotation is the RFC 3339 time at which an entry expires.
	GarbageCollectAfterAnnotation = "storage.pinniped.dev/garbage-collect-after"
	// DataKey holds the JSON value.
	DataKey = "pinniped-storage-data"
	// VersionKey holds the storage format version; entries of another version are
	// refused, which invalidates every session when the format changes.
	VersionKey = "pinniped-storage-version"
	// Version is the storage format version written and accepted.
	Version = "1"

	secretTypePrefix = "storage.pinniped.dev/"
	namePrefix       = "pinniped-storage-"
)

// MaxSignatureLength bounds signatures. Real ones are under 100 bytes; anything
// longer is hostile input and must be refused before it reaches the API server,
// where it would turn into a server error instead of a client error.
const MaxSignatureLength = 512

// nameEncoding gives names that are valid DNS labels: lowercase letters and
// digits, no padding.
var nameEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// SecretType is the Secret type of entries of a kind.
func SecretType(kind Kind) corev1.SecretType {
	return corev1.SecretType(secretTypePrefix + string(kind))
}

// secretName returns the name of an entry, or ErrInvalid when the kind is unknown
// or the signature cannot make a valid name.
func secretName(kind Kind, signature string) (string, error) {
	switch kind {
	case KindAuthCode, KindPKCE, KindOIDC, KindAccessToken, KindRefreshToken:
	default:
		return "", fmt.Errorf("unknown kind %q: %w", kind, ErrInvalid)
	}
	if signature == "" || len(signature) > MaxSignatureLength {
		return "", fmt.Errorf("%s signature must have 1 to %d bytes: %w", kind, MaxSignatureLength, ErrInvalid)
	}
	raw, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil {
		// Not every key is base64url (the oidc kind is keyed by the full code), and
		// upstream then encodes the bytes as they are.
		raw = []byte(signature)
	}
	name := namePrefix + string(kind) + "-" + strings.ToLower(nameEncoding.EncodeToString(raw))
	// A name must be a DNS subdomain; checking here keeps a long signature a client
	// error without a round trip.
	if len(validation.IsDNS1123Subdomain(name)) > 0 {
		return "", fmt.Errorf("%s signature is too long for a Secret name: %w", kind, ErrInvalid)
	}
	return name, nil
}

// GarbageCollectAfter returns when an entry expires, from its annotation.
func GarbageCollectAfter(secret *corev1.Secret) (time.Time, error) {
	value, ok := secret.Annotations[GarbageCollectAfterAnnotation]
	if !ok {
		return time.Time{}, fmt.Errorf("missing %s annotation: %w", GarbageCollectAfterAnnotation, ErrInvalid)
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("could not parse %s annotation: %w: %w",
			GarbageCollectAfterAnnotation, ErrInvalid, err)
	}
	return t, nil
}

// checkSecret refuses a Secret that is not a live entry of the kind.
func checkSecret(kind Kind, secret *corev1.Secret, now time.Time) error {
	if secret.Type != SecretType(kind) || secret.Labels[TypeLabel] != string(kind) {
		return fmt.Errorf("%s entry has type %q: %w", kind, secret.Type, ErrInvalid)
	}
	if v := string(secret.Data[VersionKey]); v != Version {
		return fmt.Errorf("%s entry has storage version %q, want %q: %w", kind, v, Version, ErrInvalid)
	}
	expiry, err := GarbageCollectAfter(secret)
	if err != nil {
		return fmt.Errorf("could not read %s entry: %w", kind, err)
	}
	// An expired entry is gone for readers even if the collector has not deleted
	// it yet, so that a token's lifetime does not depend on the collector's pace.
	if !now.Before(expiry) {
		return fmt.Errorf("%s entry expired at %s: %w", kind, expiry.Format(time.RFC3339), ErrNotFound)
	}
	return nil
}
