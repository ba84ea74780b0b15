// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package artifacts

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/utils/ptr"

	"github.com/sealworks/pinniped/pkg/concierge/config"
)

func TestConciergeDeployment(t *testing.T) {
	var d appsv1.Deployment
	renderConcierge(t).find(t, "Deployment", "pinniped-concierge", "pinniped-concierge", &d)

	require.Equal(t, ptr.To[int32](2), d.Spec.Replicas)
	require.Equal(t, map[string]string{"app": "pinniped-concierge"}, d.Spec.Selector.MatchLabels)
	pod := d.Spec.Template.Spec
	require.Equal(t, map[string]string{"app": "pinniped-concierge", "deployment.pinniped.dev": "concierge"},
		d.Spec.Template.Labels)
	require.Equal(t, "pinniped-concierge", pod.ServiceAccountName)
	require.Equal(t, ptr.To(true), pod.AutomountServiceAccountToken)
	require.Equal(t, &corev1.PodSecurityContext{
		RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532), RunAsGroup: ptr.To[int64](65532),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}, pod.SecurityContext)

	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	require.Equal(t, "ghcr.io/sealworks/pinniped-server:latest", c.Image)
	require.Equal(t, []string{"pinniped-concierge", "--config=/etc/config/pinniped.yaml"}, c.Command)
	require.Equal(t, &corev1.SecurityContext{
		ReadOnlyRootFilesystem: ptr.To(true), AllowPrivilegeEscalation: ptr.To(false), RunAsNonRoot: ptr.To(true),
		Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}, c.SecurityContext)
	want := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi"),
	}
	require.Equal(t, corev1.ResourceRequirements{Requests: want, Limits: want}, c.Resources)
	healthz := corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path: "/healthz", Port: intstr.FromInt32(10250), Scheme: corev1.URISchemeHTTPS,
	}}
	require.Equal(t, healthz, c.LivenessProbe.ProbeHandler)
	// Ready only once the informers synced, so a new replica knows the authenticators.
	readyz := corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path: "/readyz", Port: intstr.FromInt32(10250), Scheme: corev1.URISchemeHTTPS,
	}}
	require.Equal(t, readyz, c.ReadinessProbe.ProbeHandler)
	require.Equal(t, []corev1.VolumeMount{
		{Name: "config", MountPath: "/etc/config", ReadOnly: true},
		{Name: "podinfo", MountPath: "/etc/podinfo", ReadOnly: true},
		{Name: "tmp", MountPath: "/tmp"},
	}, c.VolumeMounts)

	var podinfo []string
	for _, v := range pod.Volumes {
		if v.DownwardAPI != nil {
			for _, item := range v.DownwardAPI.Items {
				podinfo = append(podinfo, item.Path+"="+item.FieldRef.FieldPath)
			}
		}
	}
	require.Equal(t, []string{"labels=metadata.labels", "name=metadata.name", "namespace=metadata.namespace"}, podinfo)
	require.Equal(t, []corev1.Toleration{
		{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists,
			Effect: corev1.TaintEffectNoSchedule},
		{Key: "node-role.kubernetes.io/master", Operator: corev1.TolerationOpExists,
			Effect: corev1.TaintEffectNoSchedule},
		{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
	}, pod.Tolerations)
	anti := pod.Affinity.PodAntiAffinity
	require.Empty(t, anti.RequiredDuringSchedulingIgnoredDuringExecution, "anti-affinity must be soft")
	require.Len(t, anti.PreferredDuringSchedulingIgnoredDuringExecution, 1)
	require.Equal(t, "kubernetes.io/hostname", anti.PreferredDuringSchedulingIgnoredDuringExecution[0].
		PodAffinityTerm.TopologyKey)
}

func TestConciergeServiceAndAPIServices(t *testing.T) {
	objects := renderConcierge(t)
	var svc corev1.Service
	objects.find(t, "Service", "pinniped-concierge", "pinniped-concierge-api", &svc)
	require.Equal(t, map[string]string{"deployment.pinniped.dev": "concierge"}, svc.Spec.Selector)
	require.Equal(t, []corev1.ServicePort{{
		Name: "https", Protocol: corev1.ProtocolTCP, Port: 443, TargetPort: intstr.FromInt32(10250),
	}}, svc.Spec.Ports)

	for _, group := range []string{"login.concierge.pinniped.dev", "identity.concierge.pinniped.dev"} {
		var api apiregistrationv1.APIService
		objects.find(t, "APIService", "", "v1alpha1."+group, &api)
		require.Equal(t, apiregistrationv1.APIServiceSpec{
			Group: group, Version: "v1alpha1", GroupPriorityMinimum: 9900, VersionPriority: 15,
			Service: &apiregistrationv1.ServiceReference{
				Name: "pinniped-concierge-api", Namespace: "pinniped-concierge", Port: ptr.To[int32](443),
			},
		}, api.Spec)
	}
}

func TestConciergeConfigMapIsAValidConfig(t *testing.T) {
	var cm corev1.ConfigMap
	renderConcierge(t).find(t, "ConfigMap", "pinniped-concierge", "pinniped-concierge-config", &cm)
	cfg, err := config.Parse([]byte(cm.Data["pinniped.yaml"]))
	require.NoError(t, err)
	require.Equal(t, "pinniped.dev", cfg.APIGroupSuffix)
	require.Equal(t, config.Names{
		ServingCertificateSecret: "pinniped-concierge-api-tls-serving-certificate",
		CredentialIssuer:         "pinniped-concierge-config",
		APIService:               "pinniped-concierge-api",
		// The defaults, which match the objects of the artifacts.
		ImpersonationSignerSecret:   "pinniped-concierge-impersonation-proxy-signer-ca-certificate",
		ImpersonationCASecret:       "pinniped-concierge-impersonation-proxy-ca-certificate",
		ImpersonationServiceAccount: "pinniped-concierge-impersonation-proxy",
	}, cfg.Names)
	require.Equal(t, config.ServingCertificate{DurationSeconds: 2592000, RenewBeforeSeconds: 2160000},
		cfg.API.ServingCertificate)
}

func TestConciergePreAuthnRole(t *testing.T) {
	objects := renderConcierge(t)
	var role rbacv1.ClusterRole
	objects.find(t, "ClusterRole", "", "pinniped-concierge-pre-authn-apis", &role)
	require.Equal(t, []rbacv1.PolicyRule{
		{APIGroups: []string{"login.concierge.pinniped.dev"}, Resources: []string{"tokencredentialrequests"},
			Verbs: []string{"create", "list"}},
		{APIGroups: []string{"identity.concierge.pinniped.dev"}, Resources: []string{"whoamirequests"},
			Verbs: []string{"create", "list"}},
	}, role.Rules)
	var binding rbacv1.ClusterRoleBinding
	objects.find(t, "ClusterRoleBinding", "", "pinniped-concierge-pre-authn-apis", &binding)
	require.Equal(t, []rbacv1.Subject{
		{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:authenticated"},
		{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:unauthenticated"},
	}, binding.Subjects)
}
