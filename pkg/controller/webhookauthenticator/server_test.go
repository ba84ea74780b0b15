// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package webhookauthenticator

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// goodToken is the only token the test webhook accepts.
const goodToken = "pinny:correct-horse"

// tokenReviewServer is a TokenReview webhook on loopback, over TLS with its own CA.
type tokenReviewServer struct {
	server   *httptest.Server
	ca       *certauthority.CA
	endpoint string
	reviews  atomic.Int32
}

// newTokenReviewServer starts a webhook that stops when the test ends. It accepts only
// v1beta1 TokenReviews POSTed to /authenticate.
func newTokenReviewServer(t *testing.T) *tokenReviewServer {
	t.Helper()
	ca, err := certauthority.New("test webhook CA", time.Hour)
	require.NoError(t, err)
	pair, err := ca.IssueServerCert([]string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, time.Hour)
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	require.NoError(t, err)

	s := &tokenReviewServer{ca: ca}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authenticate", s.serveTokenReview)
	s.server = httptest.NewUnstartedServer(mux)
	s.server.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.server.StartTLS()
	t.Cleanup(s.server.Close)
	s.endpoint = s.server.URL + "/authenticate"
	return s
}

func (s *tokenReviewServer) caData() string {
	return base64.StdEncoding.EncodeToString(s.ca.Bundle())
}

func (s *tokenReviewServer) serveTokenReview(w http.ResponseWriter, r *http.Request) {
	s.reviews.Add(1)
	var review authenticationv1beta1.TokenReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil ||
		review.APIVersion != "authentication.k8s.io/v1beta1" || review.Kind != "TokenReview" {
		http.Error(w, "not a v1beta1 TokenReview", http.StatusBadRequest)
		return
	}
	review.Status = authenticationv1beta1.TokenReviewStatus{}
	if review.Spec.Token == goodToken && len(review.Spec.Audiences) == 0 {
		review.Status = authenticationv1beta1.TokenReviewStatus{
			Authenticated: true,
			User:          authenticationv1beta1.UserInfo{Username: "pinny", Groups: []string{"seals"}},
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}
