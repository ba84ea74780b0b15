// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package groupsuffix

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplaceAndUnreplace(t *testing.T) {
	tests := []struct {
		name      string
		group     string
		suffix    string
		want      string
		wantOwned bool
	}{
		{"concierge_login", "login.concierge.pinniped.dev", "example.io", "login.concierge.example.io", true},
		{"supervisor_idp", "idp.supervisor.pinniped.dev", "auth.corp.example", "idp.supervisor.auth.corp.example", true},
		{"default_suffix_is_identity", "config.concierge.pinniped.dev", "pinniped.dev",
			"config.concierge.pinniped.dev", true},
		{"core_group_untouched", "", "example.io", "", false},
		{"foreign_group_untouched", "rbac.authorization.k8s.io", "example.io", "rbac.authorization.k8s.io", false},
		{"look_alike_untouched", "login.concierge.notpinniped.dev", "example.io", "login.concierge.notpinniped.dev", false},
		{"bare_suffix_untouched", "pinniped.dev", "example.io", "pinniped.dev", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, owned := Replace(tt.group, tt.suffix)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantOwned, owned)
			if !owned {
				return
			}
			back, ok := Unreplace(got, tt.suffix)
			require.True(t, ok)
			require.Equal(t, tt.group, back)
		})
	}
}

func TestUnreplaceForeign(t *testing.T) {
	tests := []struct{ name, group, suffix string }{
		{"other_suffix", "login.concierge.pinniped.dev", "example.io"},
		{"look_alike", "login.concierge.notexample.io", "example.io"},
		{"core", "", "example.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Unreplace(tt.group, tt.suffix)
			require.False(t, ok)
			require.Equal(t, tt.group, got)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct{ suffix, wantErr string }{
		{suffix: "pinniped.dev"},
		{suffix: "auth.corp.example"},
		{suffix: "example", wantErr: `invalid API group suffix "example": ` +
			"must have at least two DNS labels, like example.com"},
		{suffix: "", wantErr: `invalid API group suffix "": ` +
			`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', ` +
			`and must start and end with an alphanumeric character (e.g. 'example.com', ` +
			`regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{suffix: "Example.IO", wantErr: `invalid API group suffix "Example.IO": ` +
			`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', ` +
			`and must start and end with an alphanumeric character (e.g. 'example.com', ` +
			`regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
	}
	for _, tt := range tests {
		t.Run(tt.suffix, func(t *testing.T) {
			err := Validate(tt.suffix)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
}

const jwtAuthenticatorCRD = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.23.0
  name: jwtauthenticators.authentication.concierge.pinniped.dev
spec:
  group: authentication.concierge.pinniped.dev
  names:
    categories:
    - pinniped
    kind: JWTAuthenticator
    listKind: JWTAuthenticatorList
    plural: jwtauthenticators
    singular: jwtauthenticator
  scope: Cluster
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: refers to login.concierge.pinniped.dev in prose, which stays
`

func TestRenderCRD(t *testing.T) {
	t.Run("renames_group_and_name_only", func(t *testing.T) {
		out, err := RenderCRD([]byte(jwtAuthenticatorCRD), "example.io")
		require.NoError(t, err)
		require.Equal(t, `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.23.0
  name: jwtauthenticators.authentication.concierge.example.io
spec:
  group: authentication.concierge.example.io
  names:
    categories:
    - pinniped
    kind: JWTAuthenticator
    listKind: JWTAuthenticatorList
    plural: jwtauthenticators
    singular: jwtauthenticator
  scope: Cluster
  versions:
  - name: v1alpha1
    schema:
      openAPIV3Schema:
        description: refers to login.concierge.pinniped.dev in prose, which stays
        type: object
    served: true
    storage: true
`, string(out))
	})

	tests := []struct{ name, manifest, suffix, wantErr string }{
		{"bad_suffix", jwtAuthenticatorCRD, "nodots", `invalid API group suffix "nodots": ` +
			"must have at least two DNS labels, like example.com"},
		{"not_a_crd", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "example.io",
			`manifest is a "ConfigMap", not a CustomResourceDefinition`},
		{"foreign_group", "kind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n" +
			"spec:\n  group: example.com\n  names:\n    plural: widgets\n", "example.io",
			`CRD "widgets.example.com" is not a CRD of a pinniped.dev group`},
		{"not_yaml", "{", "example.io", "could not parse CRD manifest: " +
			"error converting YAML to JSON: yaml: line 1: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RenderCRD([]byte(tt.manifest), tt.suffix)
			require.EqualError(t, err, tt.wantErr)
		})
	}
}
