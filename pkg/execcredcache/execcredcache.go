// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package execcredcache is the CLI's credential cache (credentials.yaml): the
// cluster credentials the plugin printed, so that the next kubectl call within
// their lifetime runs no login and sends nothing to any server.
package execcredcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/sealworks/pinniped/pkg/cachefile"
)

const (
	apiVersion = "config.supervisor.pinniped.dev/v1alpha1"
	kind       = "CredentialCache"
	// maxAge bounds how long a credential is served from the cache, whatever its expiry.
	maxAge = time.Hour
)

type file struct {
	APIVersion  string  `json:"apiVersion"`
	Kind        string  `json:"kind"`
	Credentials []entry `json:"credentials"`
}

type entry struct {
	Key               string                                  `json:"key"`
	CreationTimestamp metav1.Time                             `json:"creationTimestamp"`
	LastUsedTimestamp metav1.Time                             `json:"lastUsedTimestamp"`
	Credential        *clientauthv1beta1.ExecCredentialStatus `json:"credential"`
}

// Key names the credential of one plugin invocation: its arguments, the static
// token when there is one, and the cluster kubectl passed in KUBERNETES_EXEC_INFO.
// It is the lowercase hex sha256 of the JSON encoding, trailing newline included,
// so that upstream Pinniped's CLI finds the same entries.
func Key(args []string, token *string, cluster *clientauthv1beta1.Cluster) string {
	type keyWithToken struct {
		Args    []string                   `json:"args"`
		Token   string                     `json:"token"`
		Cluster *clientauthv1beta1.Cluster `json:"cluster"`
	}
	type keyWithoutToken struct {
		Args    []string                   `json:"args"`
		Cluster *clientauthv1beta1.Cluster `json:"cluster"`
	}
	var v any = keyWithoutToken{Args: args, Cluster: cluster}
	if token != nil {
		v = keyWithToken{Args: args, Token: *token, Cluster: cluster}
	}
	var buf bytes.Buffer
	// Encoding a struct of strings and a Kubernetes type cannot fail.
	_ = json.NewEncoder(&buf).Encode(v)
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// Cache is a credential cache file. Like the session cache it never fails the
// command: problems are logged and the cache is treated as empty.
type Cache struct {
	path string
	log  logr.Logger
	now  func() time.Time
}

// New returns the cache stored at path.
func New(path string, log logr.Logger) *Cache {
	return &Cache{path: path, log: log, now: time.Now}
}

// Get returns the unexpired credential stored under key, or nil.
func (c *Cache) Get(key string) *clientauthv1beta1.ExecCredential {
	var found *clientauthv1beta1.ExecCredentialStatus
	c.edit(func(f *file) {
		for i := range f.Credentials {
			if f.Credentials[i].Key == key {
				f.Credentials[i].LastUsedTimestamp = metav1.NewTime(c.now())
				found = f.Credentials[i].Credential
			}
		}
	})
	if found == nil {
		return nil
	}
	return &clientauthv1beta1.ExecCredential{
		TypeMeta: metav1.TypeMeta{Kind: "ExecCredential", APIVersion: clientauthv1beta1.SchemeGroupVersion.String()},
		Status:   found,
	}
}

// Put stores a credential under key.
func (c *Cache) Put(key string, credential *clientauthv1beta1.ExecCredential) {
	c.edit(func(f *file) {
		now := metav1.NewTime(c.now())
		f.Credentials = slices.DeleteFunc(f.Credentials, func(e entry) bool { return e.Key == key })
		f.Credentials = append(f.Credentials, entry{
			Key: key, CreationTimestamp: now, LastUsedTimestamp: now, Credential: credential.Status,
		})
	})
}

func (c *Cache) edit(change func(*file)) {
	err := cachefile.Edit(c.path, func(current []byte) ([]byte, error) {
		f := c.decode(current)
		prune(f, c.now())
		change(f)
		return yaml.Marshal(f)
	})
	if err != nil {
		c.log.Info("could not use the credential cache", "path", c.path, "error", err.Error())
	}
}

func (c *Cache) decode(data []byte) *file {
	empty := &file{APIVersion: apiVersion, Kind: kind, Credentials: []entry{}}
	if len(data) == 0 {
		return empty
	}
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil || f.APIVersion != apiVersion || f.Kind != kind {
		c.log.Info("resetting an invalid credential cache", "path", c.path)
		return empty
	}
	return &f
}

// prune drops credentials that have no expiry, have expired, or are older than maxAge.
func prune(f *file, now time.Time) {
	f.Credentials = slices.DeleteFunc(f.Credentials, func(e entry) bool {
		return e.Credential == nil || e.Credential.ExpirationTimestamp == nil ||
			!e.Credential.ExpirationTimestamp.Time.After(now) ||
			now.Sub(e.CreationTimestamp.Time) > maxAge
	})
	slices.SortStableFunc(f.Credentials, func(a, b entry) int {
		return a.CreationTimestamp.Time.Compare(b.CreationTimestamp.Time)
	})
}
