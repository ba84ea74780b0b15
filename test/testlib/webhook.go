// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// TokenReviewServer is a TokenReview webhook over TLS on loopback that accepts a
// fixed set of static tokens, standing in for a company's webhook authenticator.
type TokenReviewServer struct {
	// URL is the webhook endpoint.
	URL string
	// CA verifies the server's certificate.
	CA *certauthority.CA

	users  map[string]authenticationv1beta1.UserInfo
	server *http.Server
}

// StartTokenReviewServer serves TokenReviews, accepting each token of users for its user.
func StartTokenReviewServer(users map[string]authenticationv1beta1.UserInfo) (*TokenReviewServer, error) {
	ca, err := certauthority.New("tokenreview-test-ca", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	serving, err := ca.IssueServerCert(nil, []net.IP{net.IPv4(127, 0, 0, 1)}, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(serving.CertPEM, serving.KeyPEM)
	if err != nil {
		return nil, fmt.Errorf("could not load serving cert: %w", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("could not listen: %w", err)
	}
	s := &TokenReviewServer{URL: "https://" + listener.Addr().String() + "/authenticate", CA: ca, users: users}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authenticate", s.review)
	s.server = &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = s.server.ServeTLS(listener, "", "") }()
	return s, nil
}

// Close stops the server.
func (s *TokenReviewServer) Close() { _ = s.server.Close() }

func (s *TokenReviewServer) review(w http.ResponseWriter, r *http.Request) {
	var review authenticationv1beta1.TokenReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(w, "not a TokenReview", http.StatusBadRequest)
		return
	}
	review.Status = authenticationv1beta1.TokenReviewStatus{}
	for token, u := range s.users {
		if subtle.ConstantTimeCompare([]byte(token), []byte(review.Spec.Token)) == 1 {
			review.Status = authenticationv1beta1.TokenReviewStatus{Authenticated: true, User: u}
		}
	}
	review.Spec = authenticationv1beta1.TokenReviewSpec{}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}
