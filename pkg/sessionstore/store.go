// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessionstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/clock"
)

// Store reads and writes entries in the namespace of its Secret client. It is safe
// for concurrent use; it keeps no state besides its client and, optionally, an
// informer's cache to read from.
type Store struct {
	secrets corev1client.SecretInterface
	clock   clock.PassiveClock
	cache   corev1listers.SecretNamespaceLister
	cached  map[Kind]bool
}

// Option changes how a Store works.
type Option func(*Store)

// WithCachedReads makes Get read entries of the given kinds from an informer's
// cache of the same namespace, and from the API only when the cache does not have
// them yet (an entry just created by this or another replica). A cached entry can
// be stale for as long as the watch lags, so only kinds whose every change goes
// through a resourceVersion precondition (Update, DeleteVersion), or whose
// revocation may take that long, belong here.
func WithCachedReads(cache corev1listers.SecretNamespaceLister, kinds ...Kind) Option {
	return func(s *Store) {
		s.cache = cache
		s.cached = map[Kind]bool{}
		for _, kind := range kinds {
			s.cached[kind] = true
		}
	}
}

// New returns a store over the Secrets of one namespace. The clock sets and checks
// expiry times, so tests can move time instead of waiting.
func New(secrets corev1client.SecretInterface, clock clock.PassiveClock, opts ...Option) *Store {
	s := &Store{secrets: secrets, clock: clock}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Create stores value as JSON under a new entry that expires after lifetime, with
// extra labels (for example a session ID, so DeleteByLabel can revoke a session).
// It returns the entry's resourceVersion for a later Update.
func (s *Store) Create(ctx context.Context, kind Kind, signature string, value any, lifetime time.Duration,
	extraLabels map[string]string) (string, error) {
	name, err := secretName(kind, signature)
	if err != nil {
		return "", err
	}
	if lifetime <= 0 {
		return "", fmt.Errorf("%s lifetime must be positive: %w", kind, ErrInvalid)
	}
	if _, ok := extraLabels[TypeLabel]; ok {
		return "", fmt.Errorf("label %s is reserved: %w", TypeLabel, ErrInvalid)
	}
	data, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("could not encode %s entry: %w: %w", kind, ErrInvalid, err)
	}

	secretLabels := maps.Clone(extraLabels)
	if secretLabels == nil {
		secretLabels = map[string]string{}
	}
	secretLabels[TypeLabel] = string(kind)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:   name,
			Labels: secretLabels,
			Annotations: map[string]string{
				GarbageCollectAfterAnnotation: s.clock.Now().Add(lifetime).UTC().Format(time.RFC3339),
			},
		},
		Type: SecretType(kind),
		Data: map[string][]byte{DataKey: data, VersionKey: []byte(Version)},
	}
	created, err := s.secrets.Create(ctx, secret, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("could not create %s entry: %w", kind, apiError(err))
	}
	return created.ResourceVersion, nil
}

// Get decodes a live entry into into and returns its resourceVersion. An expired
// entry is ErrNotFound; a Secret of another type or storage version is ErrInvalid.
func (s *Store) Get(ctx context.Context, kind Kind, signature string, into any) (string, error) {
	name, err := secretName(kind, signature)
	if err != nil {
		return "", err
	}
	secret, err := s.read(ctx, kind, name)
	if err != nil {
		return "", fmt.Errorf("could not get %s entry: %w", kind, apiError(err))
	}
	if err := checkSecret(kind, secret, s.clock.Now()); err != nil {
		return "", err
	}
	if err := json.Unmarshal(secret.Data[DataKey], into); err != nil {
		return "", fmt.Errorf("could not decode %s entry: %w: %w", kind, ErrInvalid, err)
	}
	return secret.ResourceVersion, nil
}

// read gets a Secret from the cache when the kind is cached and the cache has it,
// else from the API. Cached objects are shared: the caller only reads them.
func (s *Store) read(ctx context.Context, kind Kind, name string) (*corev1.Secret, error) {
	if s.cached[kind] {
		if secret, err := s.cache.Get(name); err == nil {
			return secret, nil
		}
	}
	return s.secrets.Get(ctx, name, metav1.GetOptions{})
}

// Update replaces the value of an entry if it is still at resourceVersion, else it
// fails with ErrConflict. It returns the new resourceVersion. Only the data
// changes: the expiry, labels, annotations and owner references stay.
//
// Known limitation: to stay at one API call, Update does not check expiry; an
// expired entry can be updated but still reads as ErrNotFound.
func (s *Store) Update(ctx context.Context, kind Kind, signature, resourceVersion string, value any) (string, error) {
	name, err := secretName(kind, signature)
	if err != nil {
		return "", err
	}
	if resourceVersion == "" {
		// Without a resourceVersion the patch would overwrite blindly.
		return "", fmt.Errorf("%s update needs a resourceVersion: %w", kind, ErrInvalid)
	}
	data, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("could not encode %s entry: %w: %w", kind, ErrInvalid, err)
	}
	// The API server treats a resourceVersion in a patch as a precondition.
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": resourceVersion},
		"data":     map[string][]byte{DataKey: data},
	})
	if err != nil {
		return "", fmt.Errorf("could not encode %s patch: %w", kind, err)
	}
	updated, err := s.secrets.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return "", fmt.Errorf("could not update %s entry: %w", kind, apiError(err))
	}
	return updated.ResourceVersion, nil
}

// Delete removes an entry. A missing entry is ErrNotFound.
func (s *Store) Delete(ctx context.Context, kind Kind, signature string) error {
	name, err := secretName(kind, signature)
	if err != nil {
		return err
	}
	if err := s.secrets.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("could not delete %s entry: %w", kind, apiError(err))
	}
	return nil
}

// DeleteVersion removes an entry only if it is still at resourceVersion, else it
// fails with ErrConflict; a missing entry is ErrNotFound. Of two callers that read
// the same entry, only one can delete it, which makes a read-then-delete a
// one-time use.
func (s *Store) DeleteVersion(ctx context.Context, kind Kind, signature, resourceVersion string) error {
	name, err := secretName(kind, signature)
	if err != nil {
		return err
	}
	if resourceVersion == "" {
		return fmt.Errorf("%s delete needs a resourceVersion: %w", kind, ErrInvalid)
	}
	err = s.secrets.Delete(ctx, name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{ResourceVersion: &resourceVersion},
	})
	if err != nil {
		return fmt.Errorf("could not delete %s entry: %w", kind, apiError(err))
	}
	return nil
}

// DeleteByLabel removes every entry of a kind whose labels include match, for
// example every token of a session. match must not be empty, so that a mistake
// cannot delete every entry of the kind.
func (s *Store) DeleteByLabel(ctx context.Context, kind Kind, match map[string]string) error {
	if _, err := secretName(kind, "x"); err != nil {
		return err
	}
	if len(match) == 0 {
		return fmt.Errorf("%s delete needs labels to match: %w", kind, ErrInvalid)
	}
	set := maps.Clone(match)
	set[TypeLabel] = string(kind)
	selector, err := labels.ValidatedSelectorFromSet(set)
	if err != nil {
		return fmt.Errorf("could not select %s entries: %w: %w", kind, ErrInvalid, err)
	}
	err = s.secrets.DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return fmt.Errorf("could not delete %s entries: %w", kind, apiError(err))
	}
	return nil
}
