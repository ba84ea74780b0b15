// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCache(t *testing.T) {
	a := &Provider{config: Config{Name: "a"}}
	b := &Provider{config: Config{Name: "b"}}
	c := NewCache()
	require.Nil(t, c.Get("a"))
	require.Empty(t, c.List())

	published := map[string]*Provider{"b": b, "a": a}
	c.Set(published)
	delete(published, "a") // the cache keeps its own copy
	require.Same(t, a, c.Get("a"))
	require.Equal(t, []*Provider{a, b}, c.List())

	c.Set(nil)
	require.Nil(t, c.Get("a"))
	require.Empty(t, c.List())
}
