// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package impersonator is the Concierge's impersonation proxy: an HTTPS server
// whose k8s.io/apiserver handler chain authenticates and authorizes the caller,
// and whose only handler forwards the request to kube-apiserver as the proxy's
// own ServiceAccount, impersonating the caller.
package impersonator

import (
	"encoding/json"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/klog/v2"
)

// OriginalUserExtraKey is the extra that carries, as JSON, the user who called
// the proxy, so that kube-apiserver's audit log shows who stood behind an
// impersonated request (the same user, or the one who used kubectl --as).
const OriginalUserExtraKey = "original-user-info.impersonation-proxy.concierge.pinniped.dev"

// flushInterval bounds how long a streamed response (a watch, logs -f) may sit
// in the proxy's buffer.
const flushInterval = 200 * time.Millisecond

// NewForwarder returns the handler that sends an authenticated, authorized
// request on to kube-apiserver at target. transport carries the proxy's own
// credential; upgradeTransport is the same over HTTP/1.1 only, since
// exec, attach and port-forward switch protocols, which HTTP/2 cannot.
func NewForwarder(target *url.URL, transport, upgradeTransport http.RoundTripper) http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { rewrite(pr, target) },
		Transport:     byUpgrade{normal: transport, upgrade: upgradeTransport},
		FlushInterval: flushInterval,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			klog.ErrorS(err, "could not forward request to kube-apiserver", "path", r.URL.Path)
			http.Error(w, "could not reach the cluster", http.StatusBadGateway)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler chain has consumed the caller's credentials and any nested
		// impersonation; what is left would be forwarded with our own rights.
		for name := range r.Header {
			if strings.HasPrefix(strings.ToLower(name), "impersonate-") {
				http.Error(w, "impersonation headers are not allowed here", http.StatusForbidden)
				return
			}
		}
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "invalid authorization header", http.StatusInternalServerError)
			return
		}
		if _, ok := request.UserFrom(r.Context()); !ok {
			http.Error(w, "no user in the request", http.StatusInternalServerError)
			return
		}
		rp.ServeHTTP(w, r)
	})
}

// rewrite points the request at kube-apiserver and names the user to act as.
func rewrite(pr *httputil.ProxyRequest, target *url.URL) {
	pr.SetURL(target)
	u, _ := request.UserFrom(pr.In.Context())
	out := pr.Out.Header
	out.Set("Impersonate-User", u.GetName())
	for _, g := range u.GetGroups() {
		out.Add("Impersonate-Group", g)
	}
	if uid := u.GetUID(); uid != "" {
		out.Set("Impersonate-Uid", uid)
	}
	for key, values := range u.GetExtra() {
		for _, v := range values {
			out.Add("Impersonate-Extra-"+url.PathEscape(key), v)
		}
	}
	if original := originalUser(pr.In, u); original != "" {
		out.Set("Impersonate-Extra-"+url.PathEscape(OriginalUserExtraKey), original)
	}
}

// originalUser is the JSON of the user the caller authenticated as, read from
// the audit event that the handler chain filled before impersonation.
func originalUser(r *http.Request, fallback user.Info) string {
	info := authenticationv1.UserInfo{
		Username: fallback.GetName(), UID: fallback.GetUID(), Groups: fallback.GetGroups(),
	}
	if ac := audit.AuditContextFrom(r.Context()); ac != nil && ac.Enabled() {
		info = ac.GetEventUser()
	}
	// Without this the extra could hold a copy of itself, growing with each hop.
	delete(info.Extra, OriginalUserExtraKey)
	encoded, err := json.Marshal(info)
	if err != nil {
		return ""
	}
	return string(encoded)
}

// byUpgrade sends protocol upgrades over HTTP/1.1 and the rest over the
// (HTTP/2) normal transport.
type byUpgrade struct{ normal, upgrade http.RoundTripper }

func (b byUpgrade) RoundTrip(r *http.Request) (*http.Response, error) {
	if httpstream.IsUpgradeRequest(r) {
		return b.upgrade.RoundTrip(r)
	}
	return b.normal.RoundTrip(r)
}
