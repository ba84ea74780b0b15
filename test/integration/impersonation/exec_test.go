// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonation

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
	"k8s.io/utils/ptr"

	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/test/harness"
)

const standInOutput = "hello from the node stand-in"

// TestExecThroughTheProxy: `kubectl exec` through the proxy reaches a kubelet
// stand-in, a loopback server that a Node object names, over kube-apiserver's own
// exec path: proxy, kube-apiserver, then SPDY to the "kubelet".
func TestExecThroughTheProxy(t *testing.T) {
	ctx := context.Background()
	port := startKubeletStandIn(t)
	admin := cluster.Client()

	node, err := admin.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "stand-in"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.CoreV1().Nodes().Delete(context.Background(), "stand-in", metav1.DeleteOptions{}) })
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port) //nolint:gosec
	_, err = admin.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	require.NoError(t, err)

	_, err = admin.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Name: "stand-in"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	pod, err := admin.CoreV1().Pods("default").Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "stand-in"},
		Spec: corev1.PodSpec{
			NodeName: "stand-in", ServiceAccountName: "stand-in", AutomountServiceAccountToken: ptr.To(false),
			Containers: []corev1.Container{{Name: "c", Image: "example.com/none"}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	// There is no kubelet to say so; kubectl port-forward wants a running pod.
	pod.Status.Phase = corev1.PodRunning
	_, err = admin.CoreV1().Pods("default").UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	require.NoError(t, err)

	// The viewer may exec once the cluster's RBAC says so.
	_, err = cluster.Kubectl(ctx, "create", "role", "proxy-test-exec", "-n", "default",
		"--verb", "create,get", "--resource", "pods/exec,pods/portforward")
	require.NoError(t, err)
	_, err = cluster.Kubectl(ctx, "create", "rolebinding", "proxy-test-exec", "-n", "default",
		"--role", "proxy-test-exec", "--group", viewerGroup)
	require.NoError(t, err)

	kubeconfig := kubeconfigFor(t, viewerToken)
	out := kubectl(t, kubeconfig, "exec", "-n", "default", "stand-in", "-c", "c", "--", "echo", "hi")
	require.Equal(t, standInOutput+"\n", out)

	t.Run("port_forward", func(t *testing.T) { testPortForward(t, kubeconfig) })

	_, err = kubectlErr(kubeconfigFor(t, nobodyToken), "exec", "-n", "default", "stand-in", "--", "echo")
	// kubectl reads the pod first, which RBAC already refuses.
	require.ErrorContains(t, err, `User "nobody" cannot get resource "pods"`)
}

// startKubeletStandIn serves the kubelet's exec endpoint over TLS on loopback: it
// takes the SPDY streams kube-apiserver opens, writes a line on stdout and
// reports success.
func startKubeletStandIn(t *testing.T) int {
	t.Helper()
	ca, err := certauthority.New("kubelet stand-in", time.Hour)
	require.NoError(t, err)
	pair, err := ca.IssueServerCert(nil, []net.IP{net.IPv4(127, 0, 0, 1)}, time.Hour)
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	require.NoError(t, err)
	listener, err := tls.Listen("tcp", "127.0.0.1:0",
		&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/exec/", serveExec)
	mux.HandleFunc("/portForward/", servePortForward)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { _ = server.Close() })
	return listener.Addr().(*net.TCPAddr).Port
}

func serveExec(w http.ResponseWriter, r *http.Request) {
	if _, err := httpstream.Handshake(r, w, []string{"v4.channel.k8s.io"}); err != nil {
		return
	}
	query := r.URL.Query()
	want := 1 // the error stream
	for _, name := range []string{"input", "output", "error"} {
		if query.Get(name) == "1" {
			want++
		}
	}
	streams := make(chan httpstream.Stream, 8)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r,
		func(s httpstream.Stream, _ <-chan struct{}) error { streams <- s; return nil })
	if conn == nil {
		return
	}
	defer conn.Close()
	byType := map[string]httpstream.Stream{}
	timeout := time.After(10 * time.Second)
	for len(byType) < want {
		select {
		case s := <-streams:
			byType[s.Headers().Get(corev1.StreamType)] = s
		case <-timeout:
			return
		}
	}
	if stdout, ok := byType[corev1.StreamTypeStdout]; ok {
		_, _ = io.WriteString(stdout, standInOutput+"\n")
		_ = stdout.Close()
	}
	errStream := byType[corev1.StreamTypeError]
	_, _ = io.WriteString(errStream, `{"metadata":{},"status":"Success"}`)
	_ = errStream.Close()
	// Let the client read everything before the connection closes.
	time.Sleep(100 * time.Millisecond)
}

// testPortForward runs `kubectl port-forward` through the proxy and sends a line
// through it, which the stand-in echoes.
func testPortForward(t *testing.T, kubeconfig string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := harness.BinDir()
	require.NoError(t, err)
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "kubectl"), "--kubeconfig", kubeconfig,
		"port-forward", "-n", "default", "pod/stand-in", ":8080")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	defer func() {
		if t.Failed() {
			t.Logf("kubectl port-forward: %s", stderr.String())
		}
	}()
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })

	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	// "Forwarding from 127.0.0.1:<port> -> 8080"
	fields := strings.Fields(line)
	require.GreaterOrEqual(t, len(fields), 3, line)
	conn, err := net.Dial("tcp", fields[2])
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "ping through the proxy\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	echoed, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ping through the proxy\n", echoed)
}

// servePortForward echoes every data stream kube-apiserver opens.
func servePortForward(w http.ResponseWriter, r *http.Request) {
	if _, err := httpstream.Handshake(r, w, []string{"portforward.k8s.io"}); err != nil {
		return
	}
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r,
		func(s httpstream.Stream, _ <-chan struct{}) error {
			if s.Headers().Get(corev1.StreamType) == corev1.StreamTypeData {
				go func() { _, _ = io.Copy(s, s); _ = s.Close() }()
			}
			return nil
		})
	if conn == nil {
		return
	}
	defer conn.Close()
	<-conn.CloseChan()
}
