// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package server runs the Concierge: its aggregated API server
// (TokenCredentialRequest, WhoAmIRequest) and the controllers that feed it.
package server

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/aggregatedapi"
	"github.com/sealworks/pinniped/pkg/apis/concierge/identity"
	identityv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/identity/v1alpha1"
	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/concierge/config"
	"github.com/sealworks/pinniped/pkg/generated/concierge/openapi"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/registry/tokencredentialrequest"
	"github.com/sealworks/pinniped/pkg/registry/whoamirequest"
	"github.com/sealworks/pinniped/pkg/serverenv"
)

// Options are the Concierge's command-line settings.
type Options struct {
	// ConfigPath is the configuration file (pinniped.yaml).
	ConfigPath string
	// Kubeconfig, when set, is used instead of the in-cluster configuration, so the
	// Concierge can run as a plain process next to a cluster.
	Kubeconfig string
	// BindAddress is the address the aggregated API listens on.
	BindAddress string
	// DownwardAPIPath is where the pod's namespace file is mounted.
	DownwardAPIPath string
}

// Run starts the Concierge and blocks until ctx is done or the server fails.
func Run(ctx context.Context, opts Options) error {
	cfg, err := config.FromPath(opts.ConfigPath)
	if err != nil {
		return err
	}
	namespace, err := serverenv.Namespace(cfg.Namespace, opts.DownwardAPIPath)
	if err != nil {
		return err
	}
	kubeConfig, err := serverenv.RESTConfig(opts.Kubeconfig)
	if err != nil {
		return err
	}
	if err := serverenv.SetLogLevel(cfg.LogLevel); err != nil {
		return err
	}
	klog.InfoS("starting concierge", "namespace", namespace, "apiGroupSuffix", cfg.APIGroupSuffix,
		"port", cfg.AggregatedAPIServerPort)

	cache := authncache.New()
	signers := signers{
		cluster:       certauthority.NewDynamic("concierge-signing-ca"),
		impersonation: certauthority.NewDynamic("impersonation-proxy-signing-ca"),
	}
	ctrl, err := newControllers(kubeConfig, cfg, namespace, cache, signers, opts.BindAddress)
	if err != nil {
		return err
	}

	server, err := newAPIServer(cfg, opts, ctrl.servingCert, cache,
		issuer{signers: signers, proxyRunning: ctrl.proxyRunning})
	if err != nil {
		return err
	}
	if err := server.AddReadyzChecks(healthz.NamedCheck("concierge-informers-synced", ctrl.readyCheck)); err != nil {
		return fmt.Errorf("could not add readiness check: %w", err)
	}
	server.AddPostStartHookOrDie("start-controllers", func(hookCtx genericapiserver.PostStartHookContext) error {
		go ctrl.run(hookCtx)
		return nil
	})
	return server.PrepareRun().RunWithContext(ctx)
}

func newAPIServer(
	cfg *config.Config, opts Options, servingCert servingCertProvider,
	cache *authncache.Cache, signer tokencredentialrequest.CertIssuer,
) (*genericapiserver.GenericAPIServer, error) {
	scheme, err := aggregatedapi.NewScheme(cfg.APIGroupSuffix,
		login.AddToScheme, loginv1alpha1.AddToScheme, identity.AddToScheme, identityv1alpha1.AddToScheme)
	if err != nil {
		return nil, err
	}
	codecs := serializer.NewCodecFactory(scheme)
	loginGroup, _ := groupsuffix.Replace(login.GroupName, cfg.APIGroupSuffix)
	identityGroup, _ := groupsuffix.Replace(identity.GroupName, cfg.APIGroupSuffix)

	serverOpts := aggregatedapi.NewOptions(codecs.LegacyCodec())
	err = aggregatedapi.Place(serverOpts, aggregatedapi.Placement{
		Port: cfg.AggregatedAPIServerPort, BindAddress: opts.BindAddress, Kubeconfig: opts.Kubeconfig,
	})
	if err != nil {
		return nil, err
	}

	tcr := tokencredentialrequest.NewREST(cache, signer, cfg.APIGroupSuffix)
	return aggregatedapi.New(aggregatedapi.Config{
		Name:               "pinniped-concierge",
		Scheme:             scheme,
		Codecs:             codecs,
		OpenAPIDefinitions: openapi.GetOpenAPIDefinitions,
		Options:            serverOpts,
		ServingCert:        servingCert,
		APIGroups: []*genericapiserver.APIGroupInfo{
			aggregatedapi.APIGroup(loginGroup, scheme, codecs,
				map[string]rest.Storage{"tokencredentialrequests": tcr}),
			aggregatedapi.APIGroup(identityGroup, scheme, codecs,
				map[string]rest.Storage{"whoamirequests": whoamirequest.NewREST()}),
		},
	})
}
