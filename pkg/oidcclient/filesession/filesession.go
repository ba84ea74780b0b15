// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package filesession is the CLI's session cache: the tokens of each login, in a
// YAML file shared by every pinniped process of the user (sessions.yaml).
package filesession

import (
	"reflect"
	"slices"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/sealworks/pinniped/pkg/cachefile"
	"github.com/sealworks/pinniped/pkg/oidcclient/oidctypes"
)

const (
	apiVersion = "config.supervisor.pinniped.dev/v1alpha1"
	kind       = "SessionCache"
	// maxUnused is how long a session may go unused before it is dropped.
	maxUnused = 90 * 24 * time.Hour
)

// file is the format of the cache file.
type file struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Sessions   []session `json:"sessions"`
}

type session struct {
	Key               oidctypes.SessionCacheKey `json:"key"`
	CreationTimestamp metav1.Time               `json:"creationTimestamp"`
	LastUsedTimestamp metav1.Time               `json:"lastUsedTimestamp"`
	Tokens            oidctypes.Token           `json:"tokens"`
}

// Cache is a session cache file. Errors never fail a login: a cache that cannot be
// read or written is logged and treated as empty.
type Cache struct {
	path string
	log  logr.Logger
	now  func() time.Time
}

// New returns the cache stored at path.
func New(path string, log logr.Logger) *Cache {
	return &Cache{path: path, log: log, now: time.Now}
}

// GetToken returns the cached tokens of key, or nil, and marks the session used.
func (c *Cache) GetToken(key oidctypes.SessionCacheKey) *oidctypes.Token {
	var found *oidctypes.Token
	c.edit(func(f *file) {
		for i := range f.Sessions {
			if reflect.DeepEqual(f.Sessions[i].Key, key) {
				f.Sessions[i].LastUsedTimestamp = metav1.NewTime(c.now())
				tokens := f.Sessions[i].Tokens
				found = &tokens
			}
		}
	})
	return found
}

// PutToken stores the tokens of key, replacing any earlier ones.
func (c *Cache) PutToken(key oidctypes.SessionCacheKey, token *oidctypes.Token) {
	c.edit(func(f *file) {
		now := metav1.NewTime(c.now())
		for i := range f.Sessions {
			if reflect.DeepEqual(f.Sessions[i].Key, key) {
				f.Sessions[i].Tokens = *token
				f.Sessions[i].LastUsedTimestamp = now
				return
			}
		}
		f.Sessions = append(f.Sessions, session{
			Key: key, CreationTimestamp: now, LastUsedTimestamp: now, Tokens: *token,
		})
	})
}

// edit runs change on the pruned content of the file under its lock and writes the result.
func (c *Cache) edit(change func(*file)) {
	err := cachefile.Edit(c.path, func(current []byte) ([]byte, error) {
		f := c.decode(current)
		prune(f, c.now())
		change(f)
		return yaml.Marshal(f)
	})
	if err != nil {
		c.log.Info("could not use the session cache", "path", c.path, "error", err.Error())
	}
}

// decode parses the file; anything unreadable or of another kind starts an empty cache.
func (c *Cache) decode(data []byte) *file {
	empty := &file{APIVersion: apiVersion, Kind: kind, Sessions: []session{}}
	if len(data) == 0 {
		return empty
	}
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil || f.APIVersion != apiVersion || f.Kind != kind {
		c.log.Info("resetting an invalid session cache", "path", c.path)
		return empty
	}
	return &f
}

// prune drops expired and empty tokens, sessions with nothing left or unused for too
// long, and sorts the rest by creation.
func prune(f *file, now time.Time) {
	for i := range f.Sessions {
		t := &f.Sessions[i].Tokens
		if t.AccessToken != nil && (t.AccessToken.Token == "" || !t.AccessToken.Expiry.Time.After(now)) {
			t.AccessToken = nil
		}
		if t.IDToken != nil && (t.IDToken.Token == "" || !t.IDToken.Expiry.Time.After(now)) {
			t.IDToken = nil
		}
		if t.RefreshToken != nil && t.RefreshToken.Token == "" {
			t.RefreshToken = nil
		}
	}
	f.Sessions = slices.DeleteFunc(f.Sessions, func(s session) bool {
		t := s.Tokens
		noTokens := t.AccessToken == nil && t.IDToken == nil && t.RefreshToken == nil
		return noTokens || now.Sub(s.LastUsedTimestamp.Time) > maxUnused
	})
	slices.SortStableFunc(f.Sessions, func(a, b session) int {
		return a.CreationTimestamp.Time.Compare(b.CreationTimestamp.Time)
	})
}
