// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/apis/apiserver"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit/policy"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericfilters "k8s.io/apiserver/pkg/server/filters"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/kubernetes"
)

// decisionSuffix is added to every authorization reason, so a denial says who
// made it.
const decisionSuffix = "decision made by impersonation-proxy.concierge.pinniped.dev"

// Config is what the proxy needs to run.
type Config struct {
	// BindAddress and Port are where the proxy listens.
	BindAddress net.IP
	Port        int
	// ServingCert is the proxy's serving certificate.
	ServingCert dynamiccertificates.CertKeyContentProvider
	// ClientCA verifies client certificates: the proxy's signer CA and the
	// cluster's client CA together.
	ClientCA dynamiccertificates.CAContentProvider
	// Kube is used for TokenReviews and SubjectAccessReviews of callers; it runs
	// as the Concierge.
	Kube kubernetes.Interface
	// LoginGroup is the TokenCredentialRequest API group (with the suffix), the
	// one API anonymous callers may always use.
	LoginGroup string
	// Forwarder is the handler behind authentication and authorization.
	Forwarder http.Handler
}

// New builds the proxy's server; run it with PrepareRun().RunWithContext.
func New(c Config) (*genericapiserver.GenericAPIServer, error) {
	// The chain's own answers (401, 403, 429) are Status objects.
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	codecs := serializer.NewCodecFactory(scheme)
	config := genericapiserver.NewConfig(codecs)
	config.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()

	serving := genericoptions.NewSecureServingOptions().WithLoopback()
	serving.BindAddress, serving.BindPort = c.BindAddress, c.Port
	serving.ServerCert.GeneratedCert = c.ServingCert
	// Any kubectl may connect, so the default TLS 1.2+ profile, not TLS 1.3 only.
	serving.MinTLSVersion = "VersionTLS12"
	if err := serving.ApplyTo(&config.SecureServing, &config.LoopbackClientConfig); err != nil {
		return nil, fmt.Errorf("could not configure the proxy's listener: %w", err)
	}

	// 1. Who is calling: a client certificate from either CA, a token the
	// cluster accepts (TokenReview), or nobody.
	authn, _, err := authenticatorfactory.DelegatingAuthenticatorConfig{
		Anonymous:                          &apiserver.AnonymousAuthConfig{Enabled: true},
		TokenAccessReviewClient:            c.Kube.AuthenticationV1(),
		TokenAccessReviewTimeout:           10 * time.Second,
		WebhookRetryBackoff:                genericoptions.DefaultAuthWebhookRetryBackoff(),
		CacheTTL:                           10 * time.Second,
		ClientCertificateCAContentProvider: c.ClientCA,
	}.New()
	if err != nil {
		return nil, fmt.Errorf("could not build the proxy's authenticator: %w", err)
	}
	config.Authentication.Authenticator = authn
	// The listener asks for client certificates of these CAs.
	if err := config.Authentication.ApplyClientCert(c.ClientCA, config.SecureServing); err != nil {
		return nil, fmt.Errorf("could not configure client certificates: %w", err)
	}

	// 2. May the caller do it: the cluster's RBAC decides (SubjectAccessReview),
	// for the request itself and for any kubectl --as.
	authz, err := authorizerfactory.DelegatingAuthorizerConfig{
		SubjectAccessReviewClient: c.Kube.AuthorizationV1(),
		AllowCacheTTL:             10 * time.Second,
		DenyCacheTTL:              10 * time.Second,
		WebhookRetryBackoff:       genericoptions.DefaultAuthWebhookRetryBackoff(),
	}.New()
	if err != nil {
		return nil, fmt.Errorf("could not build the proxy's authorizer: %w", err)
	}
	config.Authorization.Authorizer = &proxyAuthorizer{delegate: authz, loginGroup: c.LoginGroup}

	// 3. The audit event is where the forwarder finds the caller's own identity
	// after nested impersonation replaced it; the events go nowhere.
	config.AuditBackend = discardAudit{}
	config.AuditPolicyRuleEvaluator = policy.NewFakePolicyRuleEvaluator(auditinternal.LevelMetadata, nil)

	config.LongRunningFunc = genericfilters.BasicLongRunningRequestCheck(
		sets.NewString("watch", "proxy"), sets.NewString("attach", "exec", "proxy", "log", "portforward"))
	// Everything reaching the proxy goes on to kube-apiserver; none of the generic
	// server's own paths are served.
	config.BuildHandlerChainFunc = func(_ http.Handler, cfg *genericapiserver.Config) http.Handler {
		return genericapiserver.DefaultBuildHandlerChain(c.Forwarder, cfg)
	}

	server, err := config.Complete(nil).New("impersonation-proxy", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, fmt.Errorf("could not build the impersonation proxy: %w", err)
	}
	return server, nil
}

// proxyAuthorizer lets anyone ask for a credential and otherwise asks the
// cluster.
type proxyAuthorizer struct {
	delegate   authorizer.Authorizer
	loginGroup string
}

func (p *proxyAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (
	authorizer.Decision, string, error,
) {
	if a.GetVerb() == "" {
		return authorizer.DecisionDeny, "an empty verb is not allowed; " + decisionSuffix, nil
	}
	// A caller without a credential gets one here, even where the cluster does
	// not let anonymous users in at all.
	if a.IsResourceRequest() && a.GetAPIGroup() == p.loginGroup &&
		a.GetResource() == "tokencredentialrequests" && a.GetVerb() == "create" {
		return authorizer.DecisionAllow, "anyone may request a credential; " + decisionSuffix, nil
	}
	decision, reason, err := p.delegate.Authorize(ctx, a)
	return decision, reason + "; " + decisionSuffix, err
}

// ConditionsAwareAuthorize is Authorize; the proxy decides without conditions.
func (p *proxyAuthorizer) ConditionsAwareAuthorize(ctx context.Context, a authorizer.Attributes,
) authorizer.ConditionsAwareDecision {
	return authorizer.ConditionsAwareDecisionFromParts(p.Authorize(ctx, a))
}

// EvaluateConditions fails closed: no decision of the proxy has conditions.
func (p *proxyAuthorizer) EvaluateConditions(context.Context, authorizer.ConditionsAwareDecision,
	authorizer.ConditionsData,
) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, "", authorizer.ErrorConditionEvaluationNotSupported
}

// discardAudit is an audit backend that keeps nothing.
type discardAudit struct{}

func (discardAudit) ProcessEvents(...*auditinternal.Event) bool { return true }
func (discardAudit) Run(<-chan struct{}) error                  { return nil }
func (discardAudit) Shutdown()                                  {}
func (discardAudit) String() string                             { return "discard" }
