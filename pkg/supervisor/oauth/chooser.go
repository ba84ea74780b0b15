// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oauth

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/sealworks/pinniped/pkg/supervisor/endpoints"
)

// chooserPage lists the identity providers as links back to the authorize endpoint.
var chooserPage = template.Must(template.New("chooser").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>Pinniped: choose an identity provider</title></head>
<body>
<h1>Log in with</h1>
<ul>
{{- range .}}
<li><a href="{{.URL}}">{{.Name}}</a></li>
{{- end}}
</ul>
</body>
</html>
`))

type chooserEntry struct {
	Name string
	URL  string
}

// chooseIDP shows a browser the identity providers of a FederationDomain. Each link
// repeats the authorization request with pinniped_idp_name set.
func (f *federationDomain) chooseIDP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed (try GET)", http.StatusMethodNotAllowed)
		return
	}
	params := r.URL.Query()
	entries := make([]chooserEntry, 0, len(f.idps))
	for _, idp := range f.idps {
		withIDP := url.Values{}
		for name, values := range params {
			withIDP[name] = values
		}
		withIDP.Set(ParamIDPName, idp.DisplayName)
		entries = append(entries, chooserEntry{
			Name: idp.DisplayName, URL: f.issuer + endpoints.AuthorizationPath + "?" + withIDP.Encode(),
		})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	_ = chooserPage.Execute(w, entries)
}
