// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package groupsuffix

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"
)

func TestWithSuffix(t *testing.T) {
	var gotPath, gotBody string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		body, _ := io.ReadAll(r.Body)
		gotBody = string(body)
		w.Header().Set("Content-Type", "application/json")
		// A watch stream of two events, as the server sends them.
		_, _ = io.WriteString(w, `{"type":"ADDED","object":{"apiVersion":"login.concierge.example.io/v1alpha1",`+
			`"kind":"TokenCredentialRequest","metadata":{"generation":12345678901234567}}}`+"\n"+
			`{"type":"ADDED","object":{"apiVersion":"v1","kind":"Secret"}}`+"\n")
	}))
	defer server.Close()

	config := WithSuffix(&rest.Config{Host: server.URL}, "example.io")
	client, err := rest.HTTPClientFor(config)
	require.NoError(t, err)
	path := "/apis/login.concierge.pinniped.dev/v1alpha1/tokencredentialrequests"
	req, err := http.NewRequest(http.MethodPost, server.URL+path,
		strings.NewReader(`{"apiVersion":"login.concierge.pinniped.dev/v1alpha1","kind":"TokenCredentialRequest",`+
			`"spec":{"token":"t","authenticator":{"apiGroup":"authentication.concierge.pinniped.dev",`+
			`"kind":"JWTAuthenticator","name":"a"}}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	require.Equal(t, "/apis/login.concierge.example.io/v1alpha1/tokencredentialrequests", gotPath)
	require.JSONEq(t, `{"apiVersion":"login.concierge.example.io/v1alpha1","kind":"TokenCredentialRequest",`+
		`"spec":{"token":"t","authenticator":{"apiGroup":"authentication.concierge.example.io",`+
		`"kind":"JWTAuthenticator","name":"a"}}}`, gotBody)
	require.Equal(t, `{"object":{"apiVersion":"login.concierge.pinniped.dev/v1alpha1","kind":"TokenCredentialRequest",`+
		`"metadata":{"generation":12345678901234567}},"type":"ADDED"}`+"\n"+
		`{"type":"ADDED","object":{"apiVersion":"v1","kind":"Secret"}}`+"\n", string(body))
}

func TestWithDefaultSuffixChangesNothing(t *testing.T) {
	config := &rest.Config{Host: "https://example.com"}
	require.Equal(t, config, WithSuffix(config, Default))
	require.NotSame(t, config, WithSuffix(config, Default))
}
