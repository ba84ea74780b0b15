// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateEndpoint(t *testing.T) {
	proxy := func(req *http.Request) (*url.URL, error) {
		switch req.URL.Hostname() {
		case "proxied.example.com":
			return url.Parse("http://proxy.example.com:3128")
		case "broken.example.com":
			return nil, errors.New("invalid proxy address")
		}
		return nil, nil
	}
	tests := []struct {
		name, endpoint, wantReason, wantMessage string
		wantProxied                             bool
	}{
		{
			name: "valid", endpoint: "https://webhook.example.com/authenticate",
			wantReason: "Success", wantMessage: "spec.endpoint is a valid https URL",
		},
		{
			name: "valid_behind_a_proxy", endpoint: "https://proxied.example.com/authenticate",
			wantReason: "Success", wantMessage: "spec.endpoint is a valid https URL", wantProxied: true,
		},
		{
			name: "unparseable", endpoint: "https://webhook.example.com:port",
			wantReason: "InvalidEndpointURL",
			wantMessage: `spec.endpoint is not a valid URL: parse "https://webhook.example.com:port": ` +
				`invalid port ":port" after host`,
		},
		{
			name: "http", endpoint: "http://webhook.example.com",
			wantReason:  "InvalidEndpointURLScheme",
			wantMessage: `spec.endpoint "http://webhook.example.com" must use the https scheme`,
		},
		{
			name: "no_host", endpoint: "https:///authenticate",
			wantReason: "InvalidEndpointURL", wantMessage: `spec.endpoint "https:///authenticate" has no host`,
		},
		{
			name: "proxy_cannot_be_determined", endpoint: "https://broken.example.com/authenticate",
			wantReason:  "InvalidEndpointCannotDetermineProxy",
			wantMessage: "could not determine whether a proxy applies to spec.endpoint: invalid proxy address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, got := validateEndpoint(tt.endpoint, proxy)
			wantStatus := metav1.ConditionFalse
			if tt.wantReason == "Success" {
				wantStatus = metav1.ConditionTrue
			}
			require.Equal(t, metav1.Condition{Type: "EndpointURLValid", Status: wantStatus,
				Reason: tt.wantReason, Message: tt.wantMessage}, got)
			if wantStatus == metav1.ConditionFalse {
				require.Nil(t, ep)
				return
			}
			require.Equal(t, tt.endpoint, ep.url.String())
			require.Equal(t, tt.wantProxied, ep.proxied)
		})
	}
}

func TestProbe(t *testing.T) {
	server := newTokenReviewServer(t)
	other := newTokenReviewServer(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := listener.Addr().String()
	require.NoError(t, listener.Close())

	tests := []struct {
		name          string
		endpoint      string
		proxied       bool
		trust         *tokenReviewServer
		wantStatus    metav1.ConditionStatus
		wantReason    string
		wantMessage   string
		wantRetryable bool
	}{
		{
			name: "trusted", endpoint: server.endpoint, trust: server,
			wantStatus: "True", wantReason: "Success", wantMessage: "a TLS connection to spec.endpoint succeeded",
		},
		{
			name: "untrusted", endpoint: server.endpoint, trust: other,
			wantStatus: "False", wantReason: "UnableToDialServer",
			wantMessage: "could not dial spec.endpoint: tls: failed to verify certificate: x509: certificate " +
				`signed by unknown authority (possibly because of "x509: ECDSA verification failure" while ` +
				`trying to verify candidate authority certificate "test webhook CA")`,
		},
		{
			name: "refused", endpoint: "https://" + closed + "/authenticate", trust: server,
			wantStatus: "False", wantReason: "UnableToDialServer", wantRetryable: true,
			wantMessage: "could not dial spec.endpoint: dial tcp " + closed + ": connect: connection refused",
		},
		{
			name: "proxied_is_not_dialed", endpoint: "https://" + closed + "/authenticate", proxied: true,
			trust: server, wantStatus: "True", wantReason: "Success",
			wantMessage: "skipped dialing connection probe because HTTPS_PROXY is configured for use " +
				"with the specified host",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.endpoint)
			require.NoError(t, err)
			got, err := probe(context.Background(), &endpoint{url: u, proxied: tt.proxied}, tt.trust.ca.Pool())
			require.Equal(t, metav1.Condition{Type: "WebhookConnectionValid", Status: tt.wantStatus,
				Reason: tt.wantReason, Message: tt.wantMessage}, got)
			if tt.wantStatus == metav1.ConditionTrue {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Equal(t, tt.wantRetryable, retryable(err))
		})
	}
}
