// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonator

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

func TestProxyAuthorizer(t *testing.T) {
	anonymous := &user.DefaultInfo{Name: user.Anonymous, Groups: []string{user.AllUnauthenticated}}
	deny := authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
		return authorizer.DecisionDeny, "rbac says no", nil
	})
	a := &proxyAuthorizer{delegate: deny, loginGroup: "login.concierge.example.com"}
	for name, tc := range map[string]struct {
		attrs    authorizer.AttributesRecord
		decision authorizer.Decision
		reason   string
	}{
		"anonymous_credential_request_is_always_allowed": {
			attrs: authorizer.AttributesRecord{User: anonymous, Verb: "create", ResourceRequest: true,
				APIGroup: "login.concierge.example.com", Resource: "tokencredentialrequests"},
			decision: authorizer.DecisionAllow,
			reason:   "anyone may request a credential; " + decisionSuffix,
		},
		"credential_request_of_another_suffix_asks_the_cluster": {
			attrs: authorizer.AttributesRecord{User: anonymous, Verb: "create", ResourceRequest: true,
				APIGroup: "login.concierge.pinniped.dev", Resource: "tokencredentialrequests"},
			decision: authorizer.DecisionDeny,
			reason:   "rbac says no; " + decisionSuffix,
		},
		"other_requests_ask_the_cluster": {
			attrs: authorizer.AttributesRecord{User: anonymous, Verb: "list", ResourceRequest: true,
				Resource: "namespaces"},
			decision: authorizer.DecisionDeny,
			reason:   "rbac says no; " + decisionSuffix,
		},
		"empty_verb_is_denied": {
			attrs:    authorizer.AttributesRecord{User: anonymous, Path: "/"},
			decision: authorizer.DecisionDeny,
			reason:   "an empty verb is not allowed; " + decisionSuffix,
		},
	} {
		t.Run(name, func(t *testing.T) {
			decision, reason, err := a.Authorize(context.Background(), tc.attrs)
			require.NoError(t, err)
			require.Equal(t, tc.decision, decision)
			require.Equal(t, tc.reason, reason)
		})
	}
}
