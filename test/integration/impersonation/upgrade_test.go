// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonation

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestUpgradeThroughTheProxy: a protocol upgrade goes through the proxy's chain
// to kube-apiserver and back. Without a kubelet there is no exec or
// port-forward to reach, so a watch over WebSocket, which kube-apiserver serves
// itself, stands in for them: the same HTTP/1.1 upgrade path in the proxy.
func TestUpgradeThroughTheProxy(t *testing.T) {
	ctx := context.Background()
	cred := exchange(t, viewerToken)
	cert, err := tls.X509KeyPair([]byte(cred.ClientCertificateData), []byte(cred.ClientKeyData))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(proxyCA))

	location, err := url.Parse(strings.Replace(proxyEndpoint, "https://", "wss://", 1) +
		"/api/v1/namespaces/default/configmaps?watch=true&labelSelector=upgrade%3Dtest")
	require.NoError(t, err)
	origin, err := url.Parse("https://localhost")
	require.NoError(t, err)
	conn, err := websocket.DialConfig(&websocket.Config{
		Location: location, Origin: origin, Version: websocket.ProtocolVersionHybi13,
		TlsConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	require.NoError(t, err)
	defer conn.Close()

	configMaps := cluster.Client().CoreV1().ConfigMaps("default")
	_, err = configMaps.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: "proxy-upgrade-test", Labels: map[string]string{"upgrade": "test"},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = configMaps.Delete(context.Background(), "proxy-upgrade-test", metav1.DeleteOptions{}) })

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	var event string
	require.NoError(t, websocket.Message.Receive(conn, &event))
	require.Contains(t, event, `"type":"ADDED"`)
	require.Contains(t, event, `"name":"proxy-upgrade-test"`)
}
