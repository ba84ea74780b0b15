// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/sealworks/pinniped/pkg/aggregatedapi"
	"github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret"
	clientsecretv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/clientsecret/v1alpha1"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	"github.com/sealworks/pinniped/pkg/generated/supervisor/openapi"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/registry/oidcclientsecretrequest"
	"github.com/sealworks/pinniped/pkg/supervisor/config"
)

// newAPIServer builds the Supervisor's aggregated API server, which serves
// OIDCClientSecretRequests behind kube-apiserver.
func newAPIServer(
	cfg *config.Config, opts Options, servingCert *servingcert.Provider, storage oidcclientsecretrequest.Options,
) (*genericapiserver.GenericAPIServer, error) {
	scheme, err := aggregatedapi.NewScheme(cfg.APIGroupSuffix,
		clientsecret.AddToScheme, clientsecretv1alpha1.AddToScheme)
	if err != nil {
		return nil, err
	}
	codecs := serializer.NewCodecFactory(scheme)
	group, _ := groupsuffix.Replace(clientsecret.GroupName, cfg.APIGroupSuffix)

	serverOpts := aggregatedapi.NewOptions(codecs.LegacyCodec())
	err = aggregatedapi.Place(serverOpts, aggregatedapi.Placement{
		Port: cfg.AggregatedAPIServerPort, BindAddress: opts.BindAddress, Kubeconfig: opts.Kubeconfig,
	})
	if err != nil {
		return nil, err
	}
	return aggregatedapi.New(aggregatedapi.Config{
		Name:               "pinniped-supervisor",
		Scheme:             scheme,
		Codecs:             codecs,
		OpenAPIDefinitions: openapi.GetOpenAPIDefinitions,
		Options:            serverOpts,
		ServingCert:        servingCert,
		APIGroups: []*genericapiserver.APIGroupInfo{
			aggregatedapi.APIGroup(group, scheme, codecs, map[string]rest.Storage{
				"oidcclientsecretrequests": oidcclientsecretrequest.NewREST(storage),
			}),
		},
	})
}
