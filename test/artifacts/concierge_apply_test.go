// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package artifacts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sealworks/pinniped/test/harness"
)

// conciergeUser is who the Concierge's pods are to kube-apiserver.
const conciergeUser = "system:serviceaccount:pinniped-concierge:pinniped-concierge"

var conciergeGroups = []string{"system:serviceaccounts", "system:serviceaccounts:pinniped-concierge",
	"system:authenticated"}

// TestConciergeApplies applies the base to a real cluster the way a user does,
// then the optional CredentialIssuer, then checks what the RBAC allows.
func TestConciergeApplies(t *testing.T) {
	h := harness.Start(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	out, err := h.Kubectl(ctx, "apply", "-k", conciergeDir)
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 23, out)
	require.Contains(t, out, "deployment.apps/pinniped-concierge created\n")

	_, err = h.Kubectl(ctx, "wait", "--for=condition=established", "--timeout=60s",
		"crd/credentialissuers.config.concierge.pinniped.dev")
	require.NoError(t, err)
	out, err = h.Kubectl(ctx, "apply", "-k", conciergeDir+"/credentialissuer")
	require.NoError(t, err)
	require.Equal(t, "credentialissuer.config.concierge.pinniped.dev/pinniped-concierge-config created\n", out)

	t.Run("applying_again_changes_nothing", func(t *testing.T) {
		out, err := h.Kubectl(ctx, "apply", "-k", conciergeDir)
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			require.True(t, strings.HasSuffix(line, " unchanged"), line)
		}
	})

	t.Run("pod_passes_the_restricted_pod_security_standard", func(t *testing.T) {
		// The namespace enforces "restricted"; admission checks a pod, not a
		// Deployment, so a dry-run pod made from the template stands in for one.
		d, err := h.Client().AppsV1().Deployments("pinniped-concierge").Get(ctx, "pinniped-concierge",
			metav1.GetOptions{})
		require.NoError(t, err)
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "pinniped-concierge-", Labels: d.Spec.Template.Labels},
			Spec:       d.Spec.Template.Spec,
		}
		_, err = h.Client().CoreV1().Pods("pinniped-concierge").Create(ctx, pod,
			metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		require.NoError(t, err)
	})
	t.Run("rbac", func(t *testing.T) {
		checkAccess(ctx, t, h)
	})
	t.Run("controllers_work_as_the_service_account", func(t *testing.T) {
		runControllersAsConcierge(ctx, t, h)
	})
	t.Run("applying_again_keeps_the_ca_bundle", func(t *testing.T) {
		_, err := h.Kubectl(ctx, "apply", "-k", conciergeDir)
		require.NoError(t, err)
		out, err := h.Kubectl(ctx, "get", "apiservice", "v1alpha1.login.concierge.pinniped.dev",
			"-o", "jsonpath={.spec.caBundle}")
		require.NoError(t, err)
		require.NotEmpty(t, out)
	})
}

// access is one question to the authorizer.
type access struct {
	verb, group, resource, subresource, namespace, name string
	allowed                                             bool
}

func checkAccess(ctx context.Context, t *testing.T, h *harness.Harness) {
	const (
		ns        = "pinniped-concierge"
		authn     = "authentication.concierge.pinniped.dev"
		cfg       = "config.concierge.pinniped.dev"
		admission = "admissionregistration.k8s.io"
	)
	concierge := []access{
		// Generic API server: admission, flow control, delegated authn/authz.
		{verb: "watch", resource: "namespaces", allowed: true},
		{verb: "list", group: admission, resource: "validatingwebhookconfigurations", allowed: true},
		{verb: "watch", group: admission, resource: "mutatingwebhookconfigurations", allowed: true},
		{verb: "list", group: admission, resource: "validatingadmissionpolicies", allowed: true},
		{verb: "watch", group: admission, resource: "validatingadmissionpolicybindings", allowed: true},
		{verb: "list", group: admission, resource: "mutatingadmissionpolicies", allowed: true},
		{verb: "watch", group: admission, resource: "mutatingadmissionpolicybindings", allowed: true},
		{verb: "create", group: "authentication.k8s.io", resource: "tokenreviews", allowed: true},
		{verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews", allowed: true},
		{verb: "get", resource: "configmaps", namespace: "kube-system", name: "extension-apiserver-authentication",
			allowed: true},
		// Serving certificate.
		{verb: "patch", group: "apiregistration.k8s.io", resource: "apiservices",
			name: "v1alpha1.login.concierge.pinniped.dev", allowed: true},
		{verb: "watch", group: "apiregistration.k8s.io", resource: "apiservices", allowed: true},
		{verb: "create", resource: "secrets", namespace: ns, allowed: true},
		{verb: "delete", resource: "secrets", namespace: ns, allowed: true},
		{verb: "watch", resource: "configmaps", namespace: ns, allowed: true},
		// CredentialIssuer and cluster-info.
		{verb: "watch", resource: "configmaps", namespace: "kube-public", allowed: true},
		{verb: "create", group: cfg, resource: "credentialissuers", allowed: true},
		{verb: "update", group: cfg, resource: "credentialissuers", subresource: "status", allowed: true},
		// Authenticators.
		{verb: "watch", group: authn, resource: "jwtauthenticators", allowed: true},
		{verb: "update", group: authn, resource: "webhookauthenticators", subresource: "status", allowed: true},
		// Nothing more: no priority and fairness (off in the aggregated server), no
		// writes the code does not make.
		{verb: "list", group: "flowcontrol.apiserver.k8s.io", resource: "flowschemas"},
		{verb: "patch", group: "apiregistration.k8s.io", resource: "apiservices", name: "v1.apps"},
		{verb: "update", group: "apiregistration.k8s.io", resource: "apiservices"},
		{verb: "patch", group: authn, resource: "jwtauthenticators", subresource: "status"},
		{verb: "patch", group: cfg, resource: "credentialissuers", subresource: "status"},
		{verb: "patch", resource: "secrets", namespace: ns},
		{verb: "update", resource: "secrets", namespace: ns},
		{verb: "get", resource: "secrets", namespace: "kube-system"},
		{verb: "list", resource: "secrets", namespace: "default"},
		{verb: "create", resource: "configmaps", namespace: ns},
		{verb: "get", resource: "configmaps", namespace: "default"},
		{verb: "delete", group: "apiregistration.k8s.io", resource: "apiservices"},
		{verb: "create", group: "apiregistration.k8s.io", resource: "apiservices"},
		{verb: "update", group: cfg, resource: "credentialissuers"},
		{verb: "delete", group: cfg, resource: "credentialissuers"},
		{verb: "update", group: authn, resource: "jwtauthenticators"},
		{verb: "create", group: authn, resource: "webhookauthenticators"},
		{verb: "create", group: admission, resource: "validatingwebhookconfigurations"},
		{verb: "list", resource: "nodes", allowed: true},
		{verb: "create", resource: "services", namespace: ns, allowed: true},
		{verb: "watch", resource: "services", namespace: ns, allowed: true},
		{verb: "create", resource: "services", namespace: "default"},
		{verb: "create", resource: "serviceaccounts", subresource: "token", namespace: ns,
			name: "pinniped-concierge-impersonation-proxy", allowed: true},
		{verb: "create", resource: "serviceaccounts", subresource: "token", namespace: ns,
			name: "pinniped-concierge"},
		{verb: "get", resource: "nodes"},
		{verb: "list", resource: "pods", namespace: "kube-system"},
		{verb: "impersonate", resource: "users"},
	}
	anonymous := []access{
		{verb: "create", group: "login.concierge.pinniped.dev", resource: "tokencredentialrequests", allowed: true},
		{verb: "list", group: "login.concierge.pinniped.dev", resource: "tokencredentialrequests", allowed: true},
		{verb: "create", group: "identity.concierge.pinniped.dev", resource: "whoamirequests", allowed: true},
		{verb: "list", group: "identity.concierge.pinniped.dev", resource: "whoamirequests", allowed: true},
		{verb: "get", group: "login.concierge.pinniped.dev", resource: "tokencredentialrequests"},
		{verb: "delete", group: "identity.concierge.pinniped.dev", resource: "whoamirequests"},
		{verb: "list", group: authn, resource: "jwtauthenticators"},
	}
	// The impersonation proxy's account may impersonate and nothing else.
	proxy := []access{
		{verb: "impersonate", resource: "users", allowed: true},
		{verb: "impersonate", resource: "groups", allowed: true},
		{verb: "impersonate", resource: "serviceaccounts", namespace: "default", allowed: true},
		{verb: "impersonate", group: "authentication.k8s.io", resource: "uids", allowed: true},
		{verb: "impersonate", group: "authentication.k8s.io", resource: "userextras", subresource: "scopes",
			allowed: true},
		{verb: "get", resource: "pods", namespace: "default"},
		{verb: "list", resource: "secrets", namespace: ns},
		{verb: "create", group: "authentication.k8s.io", resource: "tokenreviews"},
	}
	proxyUser := "system:serviceaccount:pinniped-concierge:pinniped-concierge-impersonation-proxy"
	for _, a := range proxy {
		t.Run("proxy_"+a.verb+"_"+a.resource+a.subresource+"_"+a.namespace, func(t *testing.T) {
			require.Equal(t, a.allowed, allowed(ctx, t, h, proxyUser, conciergeGroups[:1], a))
		})
	}
	for _, a := range concierge {
		t.Run("concierge_"+a.verb+"_"+a.resource+a.subresource+"_"+a.namespace, func(t *testing.T) {
			require.Equal(t, a.allowed, allowed(ctx, t, h, conciergeUser, conciergeGroups, a))
		})
	}
	for _, a := range anonymous {
		t.Run("anonymous_"+a.verb+"_"+a.resource, func(t *testing.T) {
			require.Equal(t, a.allowed,
				allowed(ctx, t, h, "system:anonymous", []string{"system:unauthenticated"}, a))
		})
	}
}

func allowed(ctx context.Context, t *testing.T, h *harness.Harness, user string, groups []string, a access) bool {
	t.Helper()
	review, err := h.Client().AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: groups,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: a.verb, Group: a.group, Resource: a.resource, Subresource: a.subresource,
				Namespace: a.namespace, Name: a.name,
			},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	return review.Status.Allowed
}
