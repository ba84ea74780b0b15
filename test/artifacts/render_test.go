// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package artifacts checks the kustomize bases in artifacts/: that they render,
// hold what the servers expect, apply to a real cluster, and grant the servers
// what their code calls and no more.
package artifacts

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/sealworks/pinniped/test/harness"
)

const conciergeDir = "../../artifacts/concierge"

// rendered is the output of kubectl kustomize, one object per document.
type rendered []*unstructured.Unstructured

// renderConcierge runs kubectl kustomize on the Concierge base.
func renderConcierge(t *testing.T) rendered {
	t.Helper()
	return render(t, conciergeDir)
}

// render runs kubectl kustomize on a directory.
func render(t *testing.T, dir string) rendered {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// kustomize needs no cluster; the kubeconfig is never read.
	out, err := harness.Kubectl(ctx, os.DevNull, "kustomize", dir)
	require.NoError(t, err)

	var objects rendered
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewBufferString(out), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := decoder.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		objects = append(objects, obj)
	}
	return objects
}

// find returns the object of that kind and name, decoded into into.
func (r rendered) find(t *testing.T, kind, namespace, name string, into any) {
	t.Helper()
	for _, obj := range r {
		if obj.GetKind() == kind && obj.GetNamespace() == namespace && obj.GetName() == name {
			raw, err := yaml.Marshal(obj.Object)
			require.NoError(t, err)
			require.NoError(t, yaml.UnmarshalStrict(raw, into))
			return
		}
	}
	t.Fatalf("no %s %s/%s rendered", kind, namespace, name)
}

func TestConciergeRendersExactlyTheseObjects(t *testing.T) {
	var got []string
	for _, obj := range renderConcierge(t) {
		got = append(got, obj.GetKind()+" "+obj.GetNamespace()+"/"+obj.GetName())
	}
	sort.Strings(got)
	require.Equal(t, []string{
		"APIService /v1alpha1.identity.concierge.pinniped.dev",
		"APIService /v1alpha1.login.concierge.pinniped.dev",
		"ClusterRole /pinniped-concierge-aggregated-api-server",
		"ClusterRole /pinniped-concierge-impersonation-proxy",
		"ClusterRole /pinniped-concierge-pre-authn-apis",
		"ClusterRoleBinding /pinniped-concierge-aggregated-api-server",
		"ClusterRoleBinding /pinniped-concierge-auth-delegator",
		"ClusterRoleBinding /pinniped-concierge-impersonation-proxy",
		"ClusterRoleBinding /pinniped-concierge-pre-authn-apis",
		"ConfigMap pinniped-concierge/pinniped-concierge-config",
		"CustomResourceDefinition /credentialissuers.config.concierge.pinniped.dev",
		"CustomResourceDefinition /jwtauthenticators.authentication.concierge.pinniped.dev",
		"CustomResourceDefinition /webhookauthenticators.authentication.concierge.pinniped.dev",
		"Deployment pinniped-concierge/pinniped-concierge",
		"Namespace /pinniped-concierge",
		"Role kube-public/pinniped-concierge-cluster-info-reader",
		"Role pinniped-concierge/pinniped-concierge-aggregated-api-server",
		"RoleBinding kube-public/pinniped-concierge-cluster-info-reader",
		"RoleBinding kube-system/pinniped-concierge-extension-apiserver-authentication-reader",
		"RoleBinding pinniped-concierge/pinniped-concierge-aggregated-api-server",
		"Service pinniped-concierge/pinniped-concierge-api",
		"ServiceAccount pinniped-concierge/pinniped-concierge",
		"ServiceAccount pinniped-concierge/pinniped-concierge-impersonation-proxy",
	}, got)
}

// TestConciergeCRDsMatchGenerated guards the copies kustomize needs against
// drifting from the generated CRDs.
func TestConciergeCRDsMatchGenerated(t *testing.T) {
	generated, err := filepath.Glob("../../artifacts/crds/*.concierge.pinniped.dev_*.yaml")
	require.NoError(t, err)
	require.Len(t, generated, 3)
	copies, err := filepath.Glob(conciergeDir + "/crds/*.yaml")
	require.NoError(t, err)
	require.Len(t, copies, 3)
	for _, path := range generated {
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(conciergeDir, "crds", filepath.Base(path)))
		require.NoError(t, err, "run hack/update-codegen.sh")
		require.Equal(t, string(want), string(got), "%s differs from its copy; run hack/update-codegen.sh", path)
	}
}
