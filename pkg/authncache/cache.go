// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package authncache holds the Concierge's live token authenticators, one per
// JWTAuthenticator or WebhookAuthenticator, keyed by the object that configures it.
// Controllers fill it; TokenCredentialRequest storage reads it.
package authncache

import (
	"context"
	"errors"
	"sort"
	"sync"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
)

// ErrNoSuchAuthenticator means no authenticator is loaded under the requested key:
// the object does not exist, is not valid yet, or names another kind or group.
var ErrNoSuchAuthenticator = errors.New("no such authenticator")

// ErrNotAuthenticated means the authenticator ran and did not accept the token.
var ErrNotAuthenticated = errors.New("token not authenticated")

// Key names the object an authenticator was built from. APIGroup is always the
// group with the default suffix (authentication.concierge.pinniped.dev), whatever
// suffix the installation serves.
type Key struct {
	APIGroup string
	Kind     string
	Name     string
}

// Value is a loaded authenticator. Close releases what it holds (goroutines, HTTP
// connections) when it is replaced or removed.
type Value interface {
	authenticator.Token
	Close()
}

// Cache maps keys to authenticators. It is safe for concurrent use; reads take a
// shared lock only, so authentication never waits on another authentication.
type Cache struct {
	mu    sync.RWMutex
	cache map[Key]Value
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{cache: map[Key]Value{}}
}

// Get returns the authenticator for a key, or nil.
func (c *Cache) Get(key Key) Value {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cache[key]
}

// Store loads an authenticator, closing the one it replaces.
func (c *Cache) Store(key Key, value Value) {
	c.mu.Lock()
	old := c.cache[key]
	c.cache[key] = value
	c.mu.Unlock()
	if old != nil && old != value {
		old.Close()
	}
}

// Delete removes and closes the authenticator of a key, at once: a token presented
// after Delete returns is never authenticated by it.
func (c *Cache) Delete(key Key) {
	c.mu.Lock()
	old := c.cache[key]
	delete(c.cache, key)
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// Keys returns the loaded keys in a stable order.
func (c *Cache) Keys() []Key {
	c.mu.RLock()
	keys := make([]Key, 0, len(c.cache))
	for k := range c.cache {
		keys = append(keys, k)
	}
	c.mu.RUnlock()
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.APIGroup != b.APIGroup {
			return a.APIGroup < b.APIGroup
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
	return keys
}

// AuthenticateToken authenticates a token with the authenticator of a key. It
// returns ErrNoSuchAuthenticator or ErrNotAuthenticated, or the authenticator's own
// error, so callers can log why; what callers tell clients is theirs to decide.
func (c *Cache) AuthenticateToken(ctx context.Context, key Key, token string) (user.Info, error) {
	value := c.Get(key)
	if value == nil {
		return nil, ErrNoSuchAuthenticator
	}
	// The token is checked against the authenticator's own audience, never against
	// the audiences of the TokenCredentialRequest's HTTP request, which the context
	// carries: authenticators read them from it (the webhook authenticator demands an
	// overlap). So the authenticator gets the deadline and cancellation only.
	resp, ok, err := value.AuthenticateToken(valuelessContext{ctx}, token)
	if err != nil {
		return nil, err
	}
	if !ok || resp == nil || resp.User == nil {
		return nil, ErrNotAuthenticated
	}
	return resp.User, nil
}

// valuelessContext keeps a context's deadline and cancellation and drops its values.
type valuelessContext struct{ context.Context }

// Value returns nil for every key.
func (valuelessContext) Value(any) any { return nil }
