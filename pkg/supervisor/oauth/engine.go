// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-logr/logr"
	"github.com/gorilla/securecookie"
	"github.com/zitadel/oidc/v3/pkg/op"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/sealworks/pinniped/pkg/sessionstore"
	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
	"github.com/sealworks/pinniped/pkg/supervisor/fdsecrets"
	upstreamoidc "github.com/sealworks/pinniped/pkg/upstream/oidc"
)

// KeySource gives the keys held by FederationDomain key Secrets, by Secret name.
type KeySource interface {
	SigningKey(secretName string) (*jose.JSONWebKey, bool)
	SymmetricKey(secretName string) ([]byte, bool)
}

// Options are what an Engine needs. Clock is optional.
type Options struct {
	// Store keeps sessions in the Supervisor's namespace.
	Store *sessionstore.Store
	// Keys gives each FederationDomain's keys.
	Keys KeySource
	// Upstreams are the ready OIDC identity providers, by resource name.
	Upstreams *upstreamoidc.Cache
	// Clients finds dynamic OIDCClients; nil means only pinniped-cli is known.
	Clients ClientSource
	// Clock stamps and checks expiry; nil means the real clock.
	Clock clock.PassiveClock
}

// Engine serves the OAuth endpoints of every FederationDomain.
type Engine struct {
	opts Options
}

// errKeysNotReady means a FederationDomain's key Secrets are not loaded yet.
var errKeysNotReady = errors.New("the keys of this FederationDomain are not ready")

// New returns an Engine. The op package logs with log/slog; its records go to klog,
// at a verbosity that keeps them out of normal logs.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil || opts.Keys == nil || opts.Upstreams == nil {
		return nil, errors.New("oauth: a required option is missing")
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	slog.SetDefault(slog.New(logr.ToSlogHandler(klog.Background().V(4))))
	return &Engine{opts: opts}, nil
}

// Routes returns the OAuth endpoints of a FederationDomain by path below its issuer.
// It is an endpoints.RouteSource.
func (e *Engine) Routes(fd endpoints.FederationDomain) map[string]http.Handler {
	f, err := e.newFederationDomain(fd)
	if err != nil {
		klog.ErrorS(err, "could not serve the OAuth endpoints of a FederationDomain", "federationDomain", fd.Name)
		return nil
	}
	return map[string]http.Handler{
		endpoints.AuthorizationPath: http.HandlerFunc(f.authorize),
		endpoints.CallbackPath:      http.HandlerFunc(f.callback),
		endpoints.TokenPath:         http.HandlerFunc(f.token),
		endpoints.ChooseIDPPath:     http.HandlerFunc(f.chooseIDP),
	}
}

// federationDomain serves the OAuth endpoints of one FederationDomain.
type federationDomain struct {
	name      string
	issuer    string
	idps      []endpoints.IdentityProvider
	legacy    bool
	keys      KeySource
	upstreams *upstreamoidc.Cache
	clients   ClientSource
	clock     clock.PassiveClock

	jwksSecret, tokenKeySecret, stateSigningSecret, stateEncryptionSecret string

	crypto   op.Crypto
	storage  *storage
	provider *op.Provider
}

func (e *Engine) newFederationDomain(fd endpoints.FederationDomain) (*federationDomain, error) {
	f := &federationDomain{
		name:                  fd.Name,
		issuer:                fd.Issuer,
		idps:                  fd.IdentityProviders,
		legacy:                fd.Legacy,
		keys:                  e.opts.Keys,
		upstreams:             e.opts.Upstreams,
		clients:               e.opts.Clients,
		clock:                 e.opts.Clock,
		jwksSecret:            fd.JWKSSecretName,
		tokenKeySecret:        fdsecrets.TokenSigningKey.SecretName(fd.Name, fd.UID),
		stateSigningSecret:    fdsecrets.StateSigningKey.SecretName(fd.Name, fd.UID),
		stateEncryptionSecret: fdsecrets.StateEncryptionKey.SecretName(fd.Name, fd.UID),
	}
	f.crypto = tokenCrypto{fd: f}
	f.storage = &storage{fd: f, store: e.opts.Store, clock: e.opts.Clock}
	provider, err := op.NewProvider(&op.Config{CodeMethodS256: true, GrantTypeRefreshToken: true},
		f.storage, op.StaticIssuer(fd.Issuer), op.WithCrypto(f.crypto))
	if err != nil {
		return nil, fmt.Errorf("could not create OpenID provider: %w", err)
	}
	f.provider = provider
	return f, nil
}

// tokenKey is the key that encrypts codes and access tokens and signs refresh tokens.
func (f *federationDomain) tokenKey() ([]byte, error) {
	key, ok := f.keys.SymmetricKey(f.tokenKeySecret)
	if !ok {
		return nil, errKeysNotReady
	}
	return key, nil
}

// signingKey is the private ES256 key of ID tokens.
func (f *federationDomain) signingKey() (*jose.JSONWebKey, error) {
	key, ok := f.keys.SigningKey(f.jwksSecret)
	if !ok {
		return nil, errKeysNotReady
	}
	return key, nil
}

// stateCodec signs and encrypts the state sent to the upstream, and the CSRF cookie
// codec signs the cookie that binds it to the browser. Both read the keys at each
// use, so that a replaced key Secret takes effect at once.
func (f *federationDomain) stateCodec() (*securecookie.SecureCookie, error) {
	hashKey, ok1 := f.keys.SymmetricKey(f.stateSigningSecret)
	blockKey, ok2 := f.keys.SymmetricKey(f.stateEncryptionSecret)
	if !ok1 || !ok2 {
		return nil, errKeysNotReady
	}
	codec := securecookie.New(hashKey, blockKey)
	codec.MaxAge(int(StateLifetime.Seconds()))
	codec.SetSerializer(securecookie.JSONEncoder{})
	return codec, nil
}

func (f *federationDomain) csrfCodec() (*securecookie.SecureCookie, error) {
	hashKey, ok := f.keys.SymmetricKey(f.stateSigningSecret)
	if !ok {
		return nil, errKeysNotReady
	}
	codec := securecookie.New(hashKey, nil)
	codec.MaxAge(int(CSRFCookieLifetime.Seconds()))
	codec.SetSerializer(securecookie.JSONEncoder{})
	return codec, nil
}

// tokenCrypto is the op package's Crypto under the current token key: AES-256-GCM
// (as JWE compact serialization) of authorization code and access token IDs.
type tokenCrypto struct{ fd *federationDomain }

func (c tokenCrypto) current() (op.Crypto, error) {
	key, err := c.fd.tokenKey()
	if err != nil {
		return nil, err
	}
	var k [32]byte
	copy(k[:], key)
	return op.NewAES256GCMCrypto(k, ""), nil
}

func (c tokenCrypto) Encrypt(s string) (string, error) {
	crypto, err := c.current()
	if err != nil {
		return "", err
	}
	return crypto.Encrypt(s)
}

func (c tokenCrypto) Decrypt(s string) (string, error) {
	crypto, err := c.current()
	if err != nil {
		return "", err
	}
	return crypto.Decrypt(s)
}

// idpByName returns the FederationDomain's identity provider of a display name.
func (f *federationDomain) idpByName(displayName string) (endpoints.IdentityProvider, bool) {
	for _, idp := range f.idps {
		if idp.DisplayName == displayName {
			return idp, true
		}
	}
	return endpoints.IdentityProvider{}, false
}
