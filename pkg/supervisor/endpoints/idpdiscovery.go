// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package endpoints

import (
	"encoding/json"
	"net/http"
	"sort"

	idpdiscoveryv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idpdiscovery/v1alpha1"
)

// supportedTypes are every identity provider type the Supervisor knows, in the order
// clients expect.
var supportedTypes = []idpdiscoveryv1alpha1.PinnipedSupportedIDPType{
	{Type: idpdiscoveryv1alpha1.IDPTypeActiveDirectory},
	{Type: idpdiscoveryv1alpha1.IDPTypeGitHub},
	{Type: idpdiscoveryv1alpha1.IDPTypeLDAP},
	{Type: idpdiscoveryv1alpha1.IDPTypeOIDC},
}

// Flows returns the login flows of an identity provider. The order matters: the CLI
// uses the first one when the user names none.
func Flows(idp IdentityProvider) []idpdiscoveryv1alpha1.IDPFlow {
	switch idp.Type {
	case idpdiscoveryv1alpha1.IDPTypeLDAP, idpdiscoveryv1alpha1.IDPTypeActiveDirectory:
		return []idpdiscoveryv1alpha1.IDPFlow{
			idpdiscoveryv1alpha1.IDPFlowCLIPassword, idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode,
		}
	case idpdiscoveryv1alpha1.IDPTypeOIDC:
		if idp.AllowPasswordGrant {
			return []idpdiscoveryv1alpha1.IDPFlow{
				idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode, idpdiscoveryv1alpha1.IDPFlowCLIPassword,
			}
		}
		return []idpdiscoveryv1alpha1.IDPFlow{idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode}
	default:
		return []idpdiscoveryv1alpha1.IDPFlow{idpdiscoveryv1alpha1.IDPFlowBrowserAuthcode}
	}
}

// newIDPDiscoveryHandler serves the identity providers of a FederationDomain, sorted by
// display name. The list changes only with a new set of FederationDomains, so it is
// encoded once.
func newIDPDiscoveryHandler(idps []IdentityProvider) http.Handler {
	response := idpdiscoveryv1alpha1.IDPDiscoveryResponse{
		PinnipedIDPs:              make([]idpdiscoveryv1alpha1.PinnipedIDP, 0, len(idps)),
		PinnipedSupportedIDPTypes: supportedTypes,
	}
	for _, idp := range idps {
		response.PinnipedIDPs = append(response.PinnipedIDPs,
			idpdiscoveryv1alpha1.PinnipedIDP{Name: idp.DisplayName, Type: idp.Type, Flows: Flows(idp)})
	}
	sort.Slice(response.PinnipedIDPs, func(i, j int) bool {
		return response.PinnipedIDPs[i].Name < response.PinnipedIDPs[j].Name
	})
	body, _ := json.Marshal(response) // cannot fail: only strings
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, body) })
}
