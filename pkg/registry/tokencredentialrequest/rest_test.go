// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package tokencredentialrequest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/utils/ptr"

	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/certauthority"
)

// fakeAuthenticator accepts exactly one token for one key.
type fakeAuthenticator struct {
	key   authncache.Key
	token string
	user  user.Info
	err   error
}

func (f *fakeAuthenticator) AuthenticateToken(_ context.Context, key authncache.Key, token string) (user.Info, error) {
	if f.err != nil {
		return nil, f.err
	}
	if key != f.key {
		return nil, authncache.ErrNoSuchAuthenticator
	}
	if token != f.token {
		return nil, authncache.ErrNotAuthenticated
	}
	return f.user, nil
}

type failingIssuer struct{}

func (failingIssuer) IssueClientCert(string, []string, time.Duration) (*certauthority.PEMPair, error) {
	return nil, errors.New("no key")
}

var jwtKey = authncache.Key{
	APIGroup: "authentication.concierge.pinniped.dev", Kind: "JWTAuthenticator", Name: "supervisor",
}

func request(token, group, kind, name string) *login.TokenCredentialRequest {
	return &login.TokenCredentialRequest{Spec: login.TokenCredentialRequestSpec{
		Token:         token,
		Authenticator: corev1.TypedLocalObjectReference{APIGroup: ptr.To(group), Kind: kind, Name: name},
	}}
}

func TestCreate(t *testing.T) {
	ca, err := certauthority.New("test-signer", time.Hour)
	require.NoError(t, err)
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"eks-admins"}}
	ctx := context.Background()

	t.Run("valid_token_gets_certificate", func(t *testing.T) {
		r := NewREST(&fakeAuthenticator{key: jwtKey, token: "good", user: alice}, ca, "pinniped.dev")
		before := time.Now()
		out, err := r.Create(ctx, request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), nil, nil)
		require.NoError(t, err)
		resp := out.(*login.TokenCredentialRequest)
		require.Nil(t, resp.Status.Message)
		require.Empty(t, resp.Spec.Token, "the token is not echoed back")
		cred := resp.Status.Credential
		require.NotNil(t, cred)
		require.Empty(t, cred.Token)

		block, _ := pem.Decode([]byte(cred.ClientCertificateData))
		cert, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		require.Equal(t, "alice", cert.Subject.CommonName)
		require.Equal(t, []string{"eks-admins"}, cert.Subject.Organization)
		require.WithinDuration(t, before.Add(CertificateTTL), cert.NotAfter, 2*time.Second)
		require.True(t, cert.NotAfter.Equal(cred.ExpirationTimestamp.Time))
		require.WithinDuration(t, before.Add(-certauthority.Backdate), cert.NotBefore, 2*time.Second)
		_, err = cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		require.NoError(t, err)
	})

	t.Run("renamed_suffix_maps_back_to_cache_key", func(t *testing.T) {
		r := NewREST(&fakeAuthenticator{key: jwtKey, token: "good", user: alice}, ca, "example.io")
		out, err := r.Create(ctx, request("good", "authentication.concierge.example.io", jwtKey.Kind, jwtKey.Name), nil, nil)
		require.NoError(t, err)
		require.NotNil(t, out.(*login.TokenCredentialRequest).Status.Credential)
	})

	failures := []struct {
		name string
		auth *fakeAuthenticator
		req  *login.TokenCredentialRequest
		ci   CertIssuer
	}{
		{"wrong_token", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("bad", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), ca},
		{"unknown_authenticator", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("good", jwtKey.APIGroup, jwtKey.Kind, "other"), ca},
		{"wrong_kind", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("good", jwtKey.APIGroup, "WebhookAuthenticator", jwtKey.Name), ca},
		{"default_group_when_serving_another_suffix", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("good", "authentication.concierge.pinniped.dev", jwtKey.Kind, jwtKey.Name), nil},
		{"foreign_group", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("good", "authentication.k8s.io", jwtKey.Kind, jwtKey.Name), ca},
		{"authenticator_error", &fakeAuthenticator{err: errors.New("upstream down")},
			request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), ca},
		{"empty_username", &fakeAuthenticator{key: jwtKey, token: "good", user: &user.DefaultInfo{}},
			request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), ca},
		{"uid", &fakeAuthenticator{key: jwtKey, token: "good", user: &user.DefaultInfo{Name: "a", UID: "1"}},
			request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), ca},
		{"extra", &fakeAuthenticator{key: jwtKey, token: "good", user: &user.DefaultInfo{
			Name: "a", Extra: map[string][]string{"scopes": {"x"}},
		}}, request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), ca},
		{"issuer_fails", &fakeAuthenticator{key: jwtKey, token: "good", user: alice},
			request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), failingIssuer{}},
	}
	for _, tt := range failures {
		t.Run("fails_generically/"+tt.name, func(t *testing.T) {
			suffix := "pinniped.dev"
			ci := tt.ci
			if ci == nil {
				suffix, ci = "example.io", ca
			}
			out, err := NewREST(tt.auth, ci, suffix).Create(ctx, tt.req, nil, nil)
			require.NoError(t, err)
			require.Equal(t, &login.TokenCredentialRequest{Status: login.TokenCredentialRequestStatus{
				Message: ptr.To("authentication failed"),
			}}, out)
		})
	}

	t.Run("credential_id_extra_is_allowed", func(t *testing.T) {
		u := &user.DefaultInfo{Name: "a", Extra: map[string][]string{credentialIDExtraKey: {"JTI=1"}}}
		r := NewREST(&fakeAuthenticator{key: jwtKey, token: "good", user: u}, ca, "pinniped.dev")
		out, err := r.Create(ctx, request("good", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name), nil, nil)
		require.NoError(t, err)
		require.NotNil(t, out.(*login.TokenCredentialRequest).Status.Credential)
	})
}

func TestCreateRefusesInvalidRequests(t *testing.T) {
	r := NewREST(&fakeAuthenticator{}, nil, "pinniped.dev")
	good := request("token", jwtKey.APIGroup, jwtKey.Kind, jwtKey.Name)

	t.Run("missing_token", func(t *testing.T) {
		_, err := r.Create(context.Background(), request("", jwtKey.APIGroup, jwtKey.Kind, "x"), nil, nil)
		require.True(t, apierrors.IsInvalid(err))
		require.EqualError(t, err, `TokenCredentialRequest.login.concierge.pinniped.dev "" is invalid: `+
			`spec.token.value: Required value: token must be supplied`)
	})
	t.Run("dry_run", func(t *testing.T) {
		_, err := r.Create(context.Background(), good, nil, &metav1.CreateOptions{DryRun: []string{"All"}})
		require.True(t, apierrors.IsInvalid(err))
		require.EqualError(t, err, `TokenCredentialRequest.login.concierge.pinniped.dev "" is invalid: `+
			`dryRun: Unsupported value: ["All"]`)
	})
	t.Run("namespace", func(t *testing.T) {
		ctx := genericapirequest.WithNamespace(context.Background(), "default")
		_, err := r.Create(ctx, good, nil, nil)
		require.True(t, apierrors.IsBadRequest(err))
	})
	t.Run("wrong_type", func(t *testing.T) {
		_, err := r.Create(context.Background(), &login.TokenCredentialRequestList{}, nil, nil)
		require.True(t, apierrors.IsBadRequest(err))
	})
	t.Run("admission_sees_no_token", func(t *testing.T) {
		var seen string
		validate := func(_ context.Context, obj runtime.Object) error {
			seen = obj.(*login.TokenCredentialRequest).Spec.Token
			return apierrors.NewForbidden(login.Resource("tokencredentialrequests"), "", errors.New("denied"))
		}
		_, err := r.Create(context.Background(), good, validate, nil)
		require.True(t, apierrors.IsForbidden(err))
		require.Empty(t, seen)
		require.Equal(t, "token", good.Spec.Token, "the request itself is not changed")
	})
}
