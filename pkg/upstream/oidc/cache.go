// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"maps"
	"slices"
	"strings"
	"sync/atomic"
)

// Cache holds the upstream providers that are ready for logins, by OIDCIdentityProvider
// name. One controller writes it by replacing the whole set at once; the Supervisor's
// endpoints read it on every request without locks, and always see one consistent set.
type Cache struct {
	providers atomic.Pointer[map[string]*Provider]
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	c := &Cache{}
	c.Set(nil)
	return c
}

// Set replaces every provider. The map is copied, so the caller may keep changing it.
func (c *Cache) Set(providers map[string]*Provider) {
	clone := maps.Clone(providers)
	if clone == nil {
		clone = map[string]*Provider{}
	}
	c.providers.Store(&clone)
}

// Get returns the ready provider of an OIDCIdentityProvider, or nil when there is none
// (unknown name, or its configuration is not valid).
func (c *Cache) Get(name string) *Provider {
	return (*c.providers.Load())[name]
}

// List returns every ready provider, sorted by name.
func (c *Cache) List() []*Provider {
	all := slices.Collect(maps.Values(*c.providers.Load()))
	slices.SortFunc(all, func(a, b *Provider) int { return strings.Compare(a.config.Name, b.config.Name) })
	return all
}
