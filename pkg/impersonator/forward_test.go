// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonator

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"
)

// withUser plays the handler chain: it puts an authenticated user in the context.
func withUser(u user.Info, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(request.WithUser(r.Context(), u)))
	})
}

func startForwarder(t *testing.T, backend http.Handler, u user.Info) string {
	t.Helper()
	kas := httptest.NewServer(backend)
	t.Cleanup(kas.Close)
	target, err := url.Parse(kas.URL)
	require.NoError(t, err)
	proxy := httptest.NewServer(withUser(u, NewForwarder(target, http.DefaultTransport, http.DefaultTransport)))
	t.Cleanup(proxy.Close)
	return proxy.URL
}

func TestForwarderImpersonatesTheCaller(t *testing.T) {
	seen := make(chan http.Header, 1)
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		_, _ = io.WriteString(w, "ok")
	})
	caller := &user.DefaultInfo{Name: "vera", UID: "u-1", Groups: []string{"viewers", "system:authenticated"},
		Extra: map[string][]string{"example.com/team": {"seals"}}}
	proxy := startForwarder(t, backend, caller)

	resp, err := http.Get(proxy + "/api/v1/namespaces")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	h := <-seen
	require.Equal(t, "vera", h.Get("Impersonate-User"))
	require.Equal(t, "u-1", h.Get("Impersonate-Uid"))
	require.Equal(t, []string{"viewers", "system:authenticated"}, h.Values("Impersonate-Group"))
	require.Equal(t, []string{"seals"}, h.Values("Impersonate-Extra-Example.com%2fteam"))
	require.Empty(t, h.Get("X-Forwarded-For"))
	var original authenticationv1.UserInfo
	require.NoError(t, json.Unmarshal([]byte(h.Get("Impersonate-Extra-"+OriginalUserExtraKey)), &original))
	require.Equal(t, authenticationv1.UserInfo{Username: "vera", UID: "u-1",
		Groups: []string{"viewers", "system:authenticated"}}, original)
}

func TestForwarderRefusesWhatTheChainLeft(t *testing.T) {
	backend := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("request was forwarded") })
	proxy := startForwarder(t, backend, &user.DefaultInfo{Name: "vera"})
	for name, tc := range map[string]struct {
		header, value string
		status        int
	}{
		"impersonation_header": {"Impersonate-User", "admin", http.StatusForbidden},
		"impersonation_extra":  {"Impersonate-Extra-Scopes", "all", http.StatusForbidden},
		"authorization_header": {"Authorization", "Bearer token", http.StatusInternalServerError},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, proxy+"/api", nil)
			require.NoError(t, err)
			req.Header.Set(tc.header, tc.value)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

// TestForwarderPassesUpgrades: a protocol switch (as exec, attach and
// port-forward use) reaches the backend, and bytes flow both ways afterwards.
func TestForwarderPassesUpgrades(t *testing.T) {
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "vera", r.Header.Get("Impersonate-User"))
		require.Equal(t, "SPDY/3.1", r.Header.Get("Upgrade"))
		conn, buf, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		defer conn.Close()
		_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n")
		line, err := buf.ReadString('\n')
		require.NoError(t, err)
		_, _ = io.WriteString(conn, "echo: "+line)
	})
	proxy := startForwarder(t, backend, &user.DefaultInfo{Name: "vera"})

	conn, err := net.Dial("tcp", proxy[len("http://"):])
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /api/v1/namespaces/default/pods/p/exec?command=sh HTTP/1.1\r\n"+
		"Host: proxy\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n\r\n")
	require.NoError(t, err)
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	_, err = io.WriteString(conn, "hello\n")
	require.NoError(t, err)
	line, err := reader.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "echo: hello\n", line)
}
