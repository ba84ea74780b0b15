// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package authncache

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
)

// recorder accepts token "good" and records what it saw in its context.
type recorder struct {
	sawAudiences bool
	closed       int
}

func (r *recorder) AuthenticateToken(ctx context.Context, token string) (*authenticator.Response, bool, error) {
	_, r.sawAudiences = authenticator.AudiencesFrom(ctx)
	if token != "good" {
		return nil, false, nil
	}
	return &authenticator.Response{User: &user.DefaultInfo{Name: "pinny"}}, true, nil
}

func (r *recorder) Close() { r.closed++ }

func TestCache(t *testing.T) {
	key := Key{APIGroup: "authentication.concierge.pinniped.dev", Kind: "JWTAuthenticator", Name: "a"}
	c := New()
	first := &recorder{}
	c.Store(key, first)

	// The request's audiences must not reach the authenticator.
	ctx := authenticator.WithAudiences(context.Background(), authenticator.Audiences{"https://kubernetes.default.svc"})
	u, err := c.AuthenticateToken(ctx, key, "good")
	require.NoError(t, err)
	require.Equal(t, "pinny", u.GetName())
	require.False(t, first.sawAudiences)

	_, err = c.AuthenticateToken(ctx, key, "bad")
	require.True(t, errors.Is(err, ErrNotAuthenticated))
	_, err = c.AuthenticateToken(ctx, Key{Kind: "JWTAuthenticator", Name: "a"}, "good")
	require.True(t, errors.Is(err, ErrNoSuchAuthenticator))

	second := &recorder{}
	c.Store(key, second)
	require.Equal(t, 1, first.closed, "a replaced authenticator is closed")
	require.Equal(t, []Key{key}, c.Keys())

	c.Delete(key)
	require.Equal(t, 1, second.closed, "a deleted authenticator is closed")
	_, err = c.AuthenticateToken(ctx, key, "good")
	require.True(t, errors.Is(err, ErrNoSuchAuthenticator))
}
