// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcclientsecretrequest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"

	"github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret"
	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/clientsecretstore"
)

const (
	testNamespace = "supervisor"
	testClient    = "client.oauth.pinniped.dev-test"
	testUID       = types.UID("uid-1")
)

type fakeClients struct{}

func (fakeClients) Get(_ context.Context, name string, _ metav1.GetOptions) (*configv1alpha1.OIDCClient, error) {
	if name != testClient {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "oidcclients"}, name)
	}
	return &configv1alpha1.OIDCClient{ObjectMeta: metav1.ObjectMeta{Name: name, UID: testUID}}, nil
}

type fakeHashes struct {
	hashes   []string
	version  string
	conflict bool
	owner    clientsecretstore.Owner
	writes   int
}

func (f *fakeHashes) Get(_ context.Context, uid types.UID) ([]string, string, error) {
	if uid != testUID {
		return nil, "", nil
	}
	return append([]string(nil), f.hashes...), f.version, nil
}

func (f *fakeHashes) Set(_ context.Context, owner clientsecretstore.Owner, version string, hashes []string) error {
	if f.conflict || version != f.version {
		return apierrors.NewConflict(schema.GroupResource{Resource: "secrets"}, "x", nil)
	}
	f.owner, f.hashes, f.version = owner, hashes, version+"+"
	f.writes++
	return nil
}

func hashOf(t *testing.T, secret string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	require.NoError(t, err)
	return string(h)
}

func TestCreate(t *testing.T) {
	// A fixed random source makes the generated secret predictable: 32 bytes of 0x01.
	wantSecret := strings.Repeat("01", 32)
	tests := []struct {
		name        string
		namespace   string
		clientName  string
		spec        clientsecret.OIDCClientSecretRequestSpec
		stored      int
		conflict    bool
		dryRun      bool
		wantTotal   int
		wantSecret  bool
		wantWrites  int
		wantStatus  int32
		wantMessage string
	}{
		{
			name: "first_secret_is_generated", spec: spec(true, false),
			wantTotal: 1, wantSecret: true, wantWrites: 1,
		},
		{
			name: "new_secret_is_prepended", spec: spec(true, false), stored: 2,
			wantTotal: 3, wantSecret: true, wantWrites: 1,
		},
		{
			name: "revoke_keeps_the_newest", spec: spec(true, true), stored: 4,
			wantTotal: 1, wantSecret: true, wantWrites: 1,
		},
		{
			name: "revoke_alone_keeps_the_first_stored", spec: spec(false, true), stored: 3,
			wantTotal: 1, wantWrites: 1,
		},
		{
			name: "neither_only_counts", spec: spec(false, false), stored: 3, wantTotal: 3,
		},
		{
			name: "a_sixth_secret_is_refused", spec: spec(true, false), stored: 5,
			wantStatus: http.StatusBadRequest, wantMessage: "too many secrets, spec.revokeOldSecrets must be true",
		},
		{
			name: "a_sixth_secret_with_revocation_is_fine", spec: spec(true, true), stored: 5,
			wantTotal: 1, wantSecret: true, wantWrites: 1,
		},
		{
			name: "another_namespace_is_refused", namespace: "default", spec: spec(true, false),
			wantStatus:  http.StatusBadRequest,
			wantMessage: "namespace must be supervisor on OIDCClientSecretRequest, was default",
		},
		{
			name: "missing_client_is_invalid", clientName: "client.oauth.pinniped.dev-nobody", spec: spec(true, false),
			wantStatus:  http.StatusUnprocessableEntity,
			wantMessage: `metadata.name: Not found: "client.oauth.pinniped.dev-nobody"`,
		},
		{
			name: "concurrent_update_is_a_conflict", spec: spec(true, false), stored: 1, conflict: true,
			wantStatus: http.StatusConflict, wantMessage: "the client's secrets were changed by another request",
		},
		{
			name: "dry_run_is_not_supported", spec: spec(true, false), dryRun: true,
			wantStatus: http.StatusUnprocessableEntity, wantMessage: "dryRun: Unsupported value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashes := &fakeHashes{conflict: tt.conflict}
			var stored []string
			for i := range tt.stored {
				stored = append(stored, hashOf(t, string(rune('a'+i))))
			}
			if stored != nil {
				hashes.hashes, hashes.version = stored, "1"
			}
			r := NewREST(Options{
				Namespace:            testNamespace,
				OIDCClientAPIVersion: "config.supervisor.example.io/v1alpha1",
				Clients:              fakeClients{},
				Hashes:               hashes,
				Cost:                 bcrypt.MinCost,
				Random:               bytes.NewReader(bytes.Repeat([]byte{1}, 64)),
			})
			ns := testNamespace
			if tt.namespace != "" {
				ns = tt.namespace
			}
			name := testClient
			if tt.clientName != "" {
				name = tt.clientName
			}
			ctx := genericapirequest.WithNamespace(context.Background(), ns)
			opts := &metav1.CreateOptions{}
			if tt.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}

			obj, err := r.Create(ctx, &clientsecret.OIDCClientSecretRequest{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec:       tt.spec,
			}, nil, opts)

			if tt.wantStatus != 0 {
				var status apierrors.APIStatus
				require.ErrorAs(t, err, &status)
				require.Equal(t, tt.wantStatus, status.Status().Code)
				require.Contains(t, err.Error(), tt.wantMessage)
				require.Equal(t, 0, hashes.writes)
				return
			}
			require.NoError(t, err)
			resp := obj.(*clientsecret.OIDCClientSecretRequest)
			require.Equal(t, tt.wantTotal, resp.Status.TotalClientSecrets)
			require.Equal(t, tt.wantWrites, hashes.writes)
			if !tt.wantSecret {
				require.Empty(t, resp.Status.GeneratedSecret)
				if tt.spec.RevokeOldSecrets {
					require.Equal(t, stored[:1], hashes.hashes)
				}
				return
			}
			require.Equal(t, wantSecret, resp.Status.GeneratedSecret)
			require.NoError(t, bcrypt.CompareHashAndPassword([]byte(hashes.hashes[0]), []byte(wantSecret)))
			require.Equal(t, clientsecretstore.Owner{
				APIVersion: "config.supervisor.example.io/v1alpha1", Name: testClient, UID: testUID,
			}, hashes.owner)
			if !tt.spec.RevokeOldSecrets {
				require.Equal(t, stored, append([]string(nil), hashes.hashes[1:]...))
			}
		})
	}
}

func spec(generate, revoke bool) clientsecret.OIDCClientSecretRequestSpec {
	return clientsecret.OIDCClientSecretRequestSpec{GenerateNewSecret: generate, RevokeOldSecrets: revoke}
}
