// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/sessionstore"
)

// refreshTokenPrefix marks refresh tokens, so that one pasted in the wrong place
// is recognised (and found by secret scanners).
const refreshTokenPrefix = "pin_rt_"

// errNotSupported answers storage calls for endpoints this engine does not serve.
var errNotSupported = errors.New("not supported by the pinniped supervisor")

// storage is the op package's storage for one FederationDomain: sessions in
// Secrets, keys from the FederationDomain's key Secrets.
type storage struct {
	fd    *federationDomain
	store *sessionstore.Store
	clock clock.PassiveClock
}

var _ op.Storage = (*storage)(nil)

// newID returns 32 random bytes, base64url encoded.
func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("could not generate random ID: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// refreshSignature names the entry of a refresh token: its HMAC under the token key.
func (s *storage) refreshSignature(token string) (string, error) {
	key, err := s.fd.tokenKey()
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// saveLogin stores a new session under its authorization code's ID.
func (s *storage) saveLogin(ctx context.Context, sess *session) error {
	sess.Active = true
	sess.ExpiresAt = s.clock.Now().Add(AuthCodeLifetime)
	// The code's entry owns the upstream grant until it is redeemed, so it lives as
	// long as the grant could; an unredeemed code's grant is revoked when it expires.
	_, err := s.store.Create(ctx, sessionstore.KindAuthCode, sess.ID, sess, AuthCodeLifetime+RefreshLifetime, nil)
	return err
}

// AuthRequestByCode loads the session of an authorization code. A code used twice
// revokes what its first use issued (RFC 6749 section 4.1.2).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	id, err := s.fd.crypto.Decrypt(code)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("The authorization code is invalid.")
	}
	sess := &session{}
	rv, err := s.store.Get(ctx, sessionstore.KindAuthCode, id, sess)
	if err != nil {
		return nil, storeError(err, "The authorization code is invalid or has expired.")
	}
	if !sess.Active {
		s.revokeRedeemed(ctx, sess)
		return nil, oidc.ErrInvalidGrant().WithDescription("The authorization code has already been used.")
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return nil, oidc.ErrInvalidGrant().WithDescription("The authorization code has expired.")
	}
	sess.kind, sess.resourceVersion = sessionstore.KindAuthCode, rv
	return sess, nil
}

// revokeRedeemed deletes the tokens issued for a code that was used again.
func (s *storage) revokeRedeemed(ctx context.Context, sess *session) {
	if sess.AccessTokenID != "" {
		if err := s.store.Delete(ctx, sessionstore.KindAccessToken, sess.AccessTokenID); err != nil &&
			!errors.Is(err, sessionstore.ErrNotFound) {
			klog.ErrorS(err, "could not revoke access token of a reused authorization code")
		}
	}
	if sess.RefreshSignature != "" {
		if err := s.store.Delete(ctx, sessionstore.KindRefreshToken, sess.RefreshSignature); err != nil &&
			!errors.Is(err, sessionstore.ErrNotFound) {
			klog.ErrorS(err, "could not revoke refresh token of a reused authorization code")
		}
	}
	klog.InfoS("authorization code used twice, revoked its tokens", "federationDomain", s.fd.name,
		"clientID", sess.Request.ClientID)
}

// CreateAccessToken issues an access token for a code redeemed without offline_access.
func (s *storage) CreateAccessToken(ctx context.Context, request op.TokenRequest) (string, time.Time, error) {
	sess, ok := request.(*session)
	if !ok {
		return "", time.Time{}, errNotSupported
	}
	accessID, expiry, err := s.createAccessToken(ctx, sess)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.redeem(ctx, sess, accessID, ""); err != nil {
		return "", time.Time{}, err
	}
	return accessID, expiry, nil
}

// CreateAccessAndRefreshTokens issues an access and a refresh token, either for a
// code being redeemed or for a refresh token being used, which it replaces.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, request op.TokenRequest,
	currentRefreshToken string) (string, string, time.Time, error) {
	sess, ok := request.(*session)
	if !ok {
		return "", "", time.Time{}, errNotSupported
	}
	if currentRefreshToken != "" {
		if err := s.fd.refreshUpstream(ctx, sess); err != nil {
			return "", "", time.Time{}, err
		}
		// Deleting at the version read makes the refresh token single-use, even
		// when two replicas receive it at once.
		if err := s.store.DeleteVersion(ctx, sessionstore.KindRefreshToken, sess.ID, sess.resourceVersion); err != nil {
			return "", "", time.Time{}, storeError(err, "The refresh token is invalid or has expired.")
		}
	}
	accessID, expiry, err := s.createAccessToken(ctx, sess)
	if err != nil {
		return "", "", time.Time{}, err
	}
	refreshToken, signature, err := s.createRefreshToken(ctx, sess)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if currentRefreshToken == "" {
		if err := s.redeem(ctx, sess, accessID, signature); err != nil {
			return "", "", time.Time{}, err
		}
	}
	return accessID, refreshToken, expiry, nil
}

// redeem marks an authorization code used, at the version read, so that only one
// of two concurrent redemptions succeeds, and hands its upstream grant over to the
// refresh token (or drops it, when no refresh token was issued).
func (s *storage) redeem(ctx context.Context, sess *session, accessID, refreshSignature string) error {
	if sess.kind != sessionstore.KindAuthCode {
		return nil
	}
	used := *sess
	used.Active = false
	used.Upstream = nil
	used.AccessTokenID, used.RefreshSignature = accessID, refreshSignature
	if _, err := s.store.Update(ctx, sessionstore.KindAuthCode, sess.ID, sess.resourceVersion, &used); err != nil {
		// Another request redeemed the code first: what this one made is revoked.
		s.revokeRedeemed(ctx, &used)
		return storeError(err, "The authorization code has already been used.")
	}
	return nil
}

func (s *storage) createAccessToken(ctx context.Context, sess *session) (string, time.Time, error) {
	id, err := newID()
	if err != nil {
		return "", time.Time{}, err
	}
	expiry := s.clock.Now().Add(AccessTokenLifetime)
	entry := sess.copyFor(id, expiry)
	_, err = s.store.Create(ctx, sessionstore.KindAccessToken, id, entry, AccessTokenLifetime+storageGrace, nil)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("could not store access token: %w", err)
	}
	return id, expiry, nil
}

// createRefreshToken stores a new refresh token, which takes over the upstream
// grant. It expires RefreshLifetime after the login, however often it is renewed.
func (s *storage) createRefreshToken(ctx context.Context, sess *session) (string, string, error) {
	random, err := newID()
	if err != nil {
		return "", "", err
	}
	token := refreshTokenPrefix + random
	signature, err := s.refreshSignature(token)
	if err != nil {
		return "", "", err
	}
	expiry := sess.Identity.AuthTime.Add(RefreshLifetime)
	lifetime := expiry.Sub(s.clock.Now())
	if lifetime <= 0 {
		return "", "", oidc.ErrInvalidGrant().WithDescription("The session has expired; log in again.")
	}
	entry := sess.copyFor(signature, expiry)
	entry.Upstream = sess.Upstream
	_, err = s.store.Create(ctx, sessionstore.KindRefreshToken, signature, entry, lifetime+storageGrace, nil)
	if err != nil {
		return "", "", fmt.Errorf("could not store refresh token: %w", err)
	}
	return token, signature, nil
}

// TokenRequestByRefreshToken loads the session of a refresh token.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	signature, err := s.refreshSignature(token)
	if err != nil {
		return nil, err
	}
	sess := &session{}
	rv, err := s.store.Get(ctx, sessionstore.KindRefreshToken, signature, sess)
	if err != nil {
		return nil, storeError(err, "The refresh token is invalid or has expired.")
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return nil, oidc.ErrInvalidGrant().WithDescription("The refresh token has expired.")
	}
	sess.kind, sess.resourceVersion = sessionstore.KindRefreshToken, rv
	return sess, nil
}

// accessTokenSession loads the live session of an access token.
func (s *storage) accessTokenSession(ctx context.Context, token string) (*session, error) {
	plain, err := s.fd.crypto.Decrypt(token)
	if err != nil {
		return nil, errInvalidAccessToken
	}
	// Bearer tokens of the op package are "<id>:<subject>".
	id, _, found := strings.Cut(plain, ":")
	if !found {
		return nil, errInvalidAccessToken
	}
	sess := &session{}
	if _, err := s.store.Get(ctx, sessionstore.KindAccessToken, id, sess); err != nil {
		if errors.Is(err, sessionstore.ErrNotFound) || errors.Is(err, sessionstore.ErrInvalid) {
			return nil, errInvalidAccessToken
		}
		return nil, err
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return nil, errInvalidAccessToken
	}
	return sess, nil
}

// storeError turns a storage failure into the OAuth error a client sees: a missing,
// expired or contended entry is an invalid grant; anything else is the server's.
func storeError(err error, description string) error {
	switch {
	case errors.Is(err, sessionstore.ErrNotFound), errors.Is(err, sessionstore.ErrConflict),
		errors.Is(err, sessionstore.ErrInvalid):
		return oidc.ErrInvalidGrant().WithDescription("%s", description).WithParent(err)
	default:
		return oidc.ErrServerError().WithDescription("The session storage is not available.").WithParent(err)
	}
}

// SaveAuthCode has nothing to do: the session was stored under its ID before the
// code, which is the ID encrypted, was made.
func (s *storage) SaveAuthCode(context.Context, string, string) error { return nil }

// DeleteAuthRequest has nothing to do: redeeming the code marked it used.
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// SetUserinfoFromRequest puts Pinniped's claims in an ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, userinfo *oidc.UserInfo, request op.IDTokenRequest,
	_ []string) error {
	sess, ok := request.(*session)
	if !ok {
		return errNotSupported
	}
	jti, err := newID()
	if err != nil {
		return err
	}
	userinfo.Subject = sess.Identity.Subject
	for name, value := range sess.claims() {
		userinfo.AppendClaims(name, value)
	}
	userinfo.AppendClaims("jti", jti)
	return nil
}

// claims are the identity claims of the session's ID tokens.
func (s *session) claims() map[string]any {
	claims := map[string]any{"rat": s.Request.RequestedAt.Unix()}
	if s.granted(ScopeUsername) {
		claims["username"] = s.Identity.Username
	}
	if s.granted(ScopeGroups) {
		groups := s.Identity.Groups
		if groups == nil {
			groups = []string{}
		}
		claims["groups"] = groups
	}
	if len(s.Identity.AdditionalClaims) > 0 {
		claims["additionalClaims"] = s.Identity.AdditionalClaims
	}
	return claims
}

// SetUserinfoFromScopes adds nothing: SetUserinfoFromRequest does it all.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// GetClientByClientID returns a known and valid client.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if client := s.fd.lookupClient(clientID); client != nil {
		return client, nil
	}
	return nil, oidc.ErrInvalidClient().WithDescription("The client is not known.")
}

// AuthorizeClientIDSecret checks the secret of a dynamic client against every
// stored hash; pinniped-cli is public and never gets here.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	return s.fd.authenticateClient(ctx, clientID, secret)
}

// signingKey is the FederationDomain's ES256 key.
type signingKey struct{ jwk *jose.JSONWebKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k signingKey) Key() any                                    { return k.jwk.Key }
func (k signingKey) ID() string                                  { return k.jwk.KeyID }

// SigningKey returns the FederationDomain's signing key.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	jwk, err := s.fd.signingKey()
	if err != nil {
		return nil, err
	}
	return signingKey{jwk: jwk}, nil
}

// SignatureAlgorithms is ES256 only.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.ES256}, nil
}

// publicKey is the public half of the signing key.
type publicKey struct{ jwk jose.JSONWebKey }

func (k publicKey) ID() string                         { return k.jwk.KeyID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.jwk.Key }

// KeySet returns the public key, with which the op package checks ID token hints.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	jwk, err := s.fd.signingKey()
	if err != nil {
		return nil, err
	}
	return []op.Key{publicKey{jwk: jwk.Public()}}, nil
}

// Health is always fine: the Supervisor has its own health checks.
func (s *storage) Health(context.Context) error { return nil }

// The rest of the interface serves endpoints this engine does not route.

func (s *storage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, errNotSupported
}
func (s *storage) AuthRequestByID(context.Context, string) (op.AuthRequest, error) {
	return nil, errNotSupported
}
func (s *storage) TerminateSession(context.Context, string, string) error { return errNotSupported }
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrUnsupportedGrantType()
}
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}
func (s *storage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errNotSupported
}
func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string,
	string) error {
	return errNotSupported
}
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}
