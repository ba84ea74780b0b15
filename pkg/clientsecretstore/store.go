// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package clientsecretstore keeps the bcrypt hashes of an OIDCClient's secrets in
// one Secret per client, in the format upstream Pinniped uses: name
// pinniped-storage-oidc-client-secret-<lowercase unpadded base32 of the client's
// UID>, type storage.pinniped.dev/oidc-client-secret, and the JSON
// {"hashes":[...],"version":"1"} under pinniped-storage-data. The Secret is
// owner-referenced to its OIDCClient, so it is deleted with it. The newest hash
// comes first. Plaintext secrets are never stored.
package clientsecretstore

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/ptr"
)

const (
	// Kind is the storage kind in the Secret's name, type and label.
	Kind = "oidc-client-secret"
	// SecretType is the type of every client-secret storage Secret.
	SecretType corev1.SecretType = "storage.pinniped.dev/" + Kind
	// TypeLabel carries Kind, so that storage Secrets can be selected by kind.
	TypeLabel = "storage.pinniped.dev/type"
	// DataKey holds the JSON payload.
	DataKey = "pinniped-storage-data"
	// VersionKey holds the storage format version, also repeated inside the payload.
	VersionKey = "pinniped-storage-version"
	// Version is the only storage format version understood.
	Version = "1"

	namePrefix = "pinniped-storage-" + Kind + "-"
)

var nameEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// payload is the JSON stored under DataKey.
type payload struct {
	Hashes  []string `json:"hashes"`
	Version string   `json:"version"`
}

// Owner identifies the OIDCClient a storage Secret belongs to.
type Owner struct {
	// APIVersion is the OIDCClient's group/version, with the installation's API
	// group suffix, e.g. config.supervisor.pinniped.dev/v1alpha1.
	APIVersion string
	Name       string
	UID        types.UID
}

// SecretName is the name of the storage Secret of the client with this UID.
func SecretName(uid types.UID) string {
	return namePrefix + strings.ToLower(nameEncoding.EncodeToString([]byte(uid)))
}

// HashesOf reads the hashes of a storage Secret, e.g. one from an informer's cache.
func HashesOf(secret *corev1.Secret) ([]string, error) {
	if secret.Type != SecretType {
		return nil, fmt.Errorf("secret %s has type %q, not %q", secret.Name, secret.Type, SecretType)
	}
	var p payload
	if err := json.Unmarshal(secret.Data[DataKey], &p); err != nil {
		return nil, fmt.Errorf("could not decode secret %s: %w", secret.Name, err)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("secret %s has storage version %q, not %q", secret.Name, p.Version, Version)
	}
	return p.Hashes, nil
}

// Store reads and writes storage Secrets in one namespace.
type Store struct {
	secrets corev1client.SecretInterface
}

// New returns a store on the Secrets client of the Supervisor's namespace.
func New(secrets corev1client.SecretInterface) *Store {
	return &Store{secrets: secrets}
}

// Get returns the client's hashes and the Secret's resourceVersion; both are
// empty when the client has no storage Secret yet.
func (s *Store) Get(ctx context.Context, uid types.UID) ([]string, string, error) {
	secret, err := s.secrets.Get(ctx, SecretName(uid), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("could not get client secret storage: %w", err)
	}
	hashes, err := HashesOf(secret)
	if err != nil {
		return nil, "", err
	}
	return hashes, secret.ResourceVersion, nil
}

// Set replaces the client's hashes. resourceVersion is what Get returned: empty
// creates the Secret, anything else updates exactly that version. A concurrent
// writer makes Set fail with a Conflict error, so no update is ever lost.
func (s *Store) Set(ctx context.Context, owner Owner, resourceVersion string, hashes []string) error {
	data, err := json.Marshal(payload{Hashes: hashes, Version: Version})
	if err != nil {
		return fmt.Errorf("could not encode client secret storage: %w", err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:            SecretName(owner.UID),
			ResourceVersion: resourceVersion,
			Labels:          map[string]string{TypeLabel: Kind},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion:         owner.APIVersion,
				Kind:               "OIDCClient",
				Name:               owner.Name,
				UID:                owner.UID,
				BlockOwnerDeletion: ptr.To(false),
			}},
		},
		Type: SecretType,
		Data: map[string][]byte{DataKey: data, VersionKey: []byte(Version)},
	}
	if resourceVersion == "" {
		_, err = s.secrets.Create(ctx, secret, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			// Another request created it since our Get: the same race as a stale update.
			return apierrors.NewConflict(corev1.Resource("secrets"), secret.Name, err)
		}
	} else {
		_, err = s.secrets.Update(ctx, secret, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("could not write client secret storage: %w", err)
	}
	return nil
}
