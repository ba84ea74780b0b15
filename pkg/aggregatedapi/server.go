// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package aggregatedapi builds a k8s.io/apiserver generic server that runs behind
// kube-apiserver's aggregation layer without storage of its own: authentication
// and authorization are delegated to the cluster, resources are served from
// in-process REST storage. The Concierge and the Supervisor both use it.
package aggregatedapi

import (
	"fmt"
	"net"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/features"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	openapicommon "k8s.io/kube-openapi/pkg/common"
)

// Config is what a component supplies to build its aggregated API server.
type Config struct {
	// Name identifies the server in logs and health checks, e.g. "pinniped-concierge".
	Name string
	// Scheme and Codecs know every type the server serves.
	Scheme *runtime.Scheme
	Codecs serializer.CodecFactory
	// OpenAPIDefinitions are the generated definitions of the served types.
	OpenAPIDefinitions openapicommon.GetOpenAPIDefinitions
	// Options are the parsed command-line options (see NewOptions).
	Options *genericoptions.RecommendedOptions
	// ServingCert supplies the serving certificate, typically a controller-managed
	// Secret; the server reloads it whenever it changes.
	ServingCert dynamiccertificates.CertKeyContentProvider
	// APIGroups are installed in order once the server is built.
	APIGroups []*genericapiserver.APIGroupInfo
}

// NewOptions returns the recommended options of an aggregated API server without
// etcd. Callers add them to their flags and may change the port and bind address.
func NewOptions(codec runtime.Codec) *genericoptions.RecommendedOptions {
	opts := genericoptions.NewRecommendedOptions("", codec)
	// Nothing is stored: every resource is virtual.
	opts.Etcd = nil
	opts.SecureServing.BindPort = 10250
	// Only kube-apiserver's aggregator and health probes talk to this port; both
	// speak TLS 1.3, so nothing older is offered.
	opts.SecureServing.MinTLSVersion = "VersionTLS13"
	// kube-apiserver already applies priority and fairness to every request before
	// its aggregator proxies it here; queueing it a second time adds latency and
	// CPU, and the informers it needs cost memory. The max-in-flight limits of the
	// generic server still bound concurrency.
	opts.Features.EnablePriorityAndFairness = false
	return opts
}

// Placement says where a server listens and which cluster it delegates to.
type Placement struct {
	// Port is the HTTPS port.
	Port int
	// BindAddress is the IP to listen on; empty keeps every interface.
	BindAddress string
	// Kubeconfig, when set, names the cluster for delegated authentication,
	// authorization and admission instead of the in-cluster configuration, so the
	// server can run as a plain process next to a cluster.
	Kubeconfig string
}

// Place applies p to the options.
func Place(opts *genericoptions.RecommendedOptions, p Placement) error {
	opts.SecureServing.BindPort = p.Port
	if p.BindAddress != "" {
		ip := net.ParseIP(p.BindAddress)
		if ip == nil {
			return fmt.Errorf("invalid bind address %q", p.BindAddress)
		}
		opts.SecureServing.BindAddress = ip
	}
	if p.Kubeconfig != "" {
		opts.Authentication.RemoteKubeConfigFile = p.Kubeconfig
		opts.Authorization.RemoteKubeConfigFile = p.Kubeconfig
		opts.CoreAPI.CoreAPIKubeconfigPath = p.Kubeconfig
	}
	return nil
}

// APIGroup serves storage as version v1alpha1 of group.
func APIGroup(
	group string, scheme *runtime.Scheme, codecs serializer.CodecFactory, storage map[string]rest.Storage,
) *genericapiserver.APIGroupInfo {
	info := genericapiserver.NewDefaultAPIGroupInfo(group, scheme, metav1.ParameterCodec, codecs)
	info.VersionedResourcesStorageMap["v1alpha1"] = storage
	return &info
}

// New builds the server and installs its API groups. It does not start it.
func New(c Config) (*genericapiserver.GenericAPIServer, error) {
	// The only TCP client of an aggregated server is kube-apiserver's aggregator,
	// authenticated by its front-proxy certificate; the user it names in request
	// headers is often anonymous (every TokenCredentialRequest is). The mitigation
	// would close the aggregator's connection after each such request, making every
	// request pay a new TLS handshake, so it is off here. kube-apiserver applies it
	// to the actual anonymous clients in front.
	err := utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{
		string(features.UnauthenticatedHTTP2DOSMitigation): false,
	})
	if err != nil {
		return nil, fmt.Errorf("could not configure feature gates: %w", err)
	}
	c.Options.SecureServing.ServerCert.GeneratedCert = c.ServingCert
	if errs := c.Options.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("invalid server options: %v", errs)
	}

	config := genericapiserver.NewRecommendedConfig(c.Codecs)
	config.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()
	namer := openapinamer.NewDefinitionNamer(c.Scheme)
	config.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(c.OpenAPIDefinitions, namer)
	config.OpenAPIConfig.Info.Title = c.Name
	config.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(c.OpenAPIDefinitions, namer)
	config.OpenAPIV3Config.Info.Title = c.Name
	if err := c.Options.ApplyTo(config); err != nil {
		return nil, fmt.Errorf("could not apply server options: %w", err)
	}

	server, err := config.Complete().New(c.Name, genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, fmt.Errorf("could not build API server: %w", err)
	}
	for _, group := range c.APIGroups {
		if err := server.InstallAPIGroup(group); err != nil {
			return nil, fmt.Errorf("could not install API group %s: %w", group.PrioritizedVersions[0].Group, err)
		}
	}
	return server, nil
}
