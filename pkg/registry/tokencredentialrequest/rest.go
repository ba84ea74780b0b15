// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package tokencredentialrequest is the REST storage of TokenCredentialRequest:
// it authenticates the token in the request with the named authenticator and
// answers with a short-lived client certificate the cluster trusts.
package tokencredentialrequest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	"github.com/sealworks/pinniped/pkg/authncache"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// CertificateTTL is how long an issued client certificate is valid. It is short
// because nothing can revoke it; clients come back for a new one.
const CertificateTTL = 5 * time.Minute

// failureMessage is the only thing a client learns when authentication fails, so
// that probing reveals nothing about authenticators, tokens or users.
const failureMessage = "authentication failed"

// credentialIDExtraKey is the one extra that Kubernetes authenticators add on
// their own; it identifies the token and is dropped, as a certificate cannot hold it.
const credentialIDExtraKey = "authentication.kubernetes.io/credential-id"

// TokenAuthenticator authenticates a token with the authenticator of a key.
type TokenAuthenticator interface {
	AuthenticateToken(ctx context.Context, key authncache.Key, token string) (user.Info, error)
}

// CertIssuer issues client certificates the cluster trusts.
type CertIssuer interface {
	IssueClientCert(username string, groups []string, ttl time.Duration) (*certauthority.PEMPair, error)
}

// REST serves TokenCredentialRequests. It stores nothing.
type REST struct {
	authenticator  TokenAuthenticator
	issuer         CertIssuer
	apiGroupSuffix string
	tableConvertor rest.TableConvertor
}

var (
	_ rest.Creater                  = (*REST)(nil)
	_ rest.Lister                   = (*REST)(nil)
	_ rest.Scoper                   = (*REST)(nil)
	_ rest.Storage                  = (*REST)(nil)
	_ rest.SingularNameProvider     = (*REST)(nil)
	_ rest.CategoriesProvider       = (*REST)(nil)
	_ rest.GroupVersionKindProvider = (*REST)(nil)
)

// NewREST returns the storage. apiGroupSuffix is the suffix the server serves, so
// that spec.authenticator.apiGroup can be mapped back to the cache's key.
func NewREST(authenticator TokenAuthenticator, issuer CertIssuer, apiGroupSuffix string) *REST {
	return &REST{
		authenticator:  authenticator,
		issuer:         issuer,
		apiGroupSuffix: apiGroupSuffix,
		tableConvertor: rest.NewDefaultTableConvertor(login.Resource("tokencredentialrequests")),
	}
}

// Create authenticates the request's token and, when it is accepted, returns a
// client certificate for its user. Every authentication failure is the same
// successful response with status.message "authentication failed"; the reason
// is logged with the token's sha256, never the token.
func (r *REST) Create(
	ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions,
) (runtime.Object, error) {
	req, err := validateRequest(ctx, obj, createValidation, options)
	if err != nil {
		return nil, err
	}
	tokenID := hashToken(req.Spec.Token)
	ref := req.Spec.Authenticator
	apiGroup := ""
	if ref.APIGroup != nil {
		apiGroup = *ref.APIGroup
	}
	// The reference comes from anonymous clients: it is logged, but never at a length
	// that lets a request fill the log.
	logger := klog.FromContext(ctx).WithValues("tokenID", tokenID, "authenticatorAPIGroup", limit(apiGroup),
		"authenticatorKind", limit(ref.Kind), "authenticatorName", limit(ref.Name))

	userInfo, err := r.authenticator.AuthenticateToken(ctx, r.cacheKey(req), req.Spec.Token)
	if err != nil {
		logger.Info("tokencredentialrequest authentication failed", "reason", err.Error())
		return failed(), nil
	}
	if err := checkUser(userInfo); err != nil {
		logger.Info("tokencredentialrequest unsupported user", "reason", err.Error(), "username", userInfo.GetName())
		return failed(), nil
	}

	cert, err := r.issuer.IssueClientCert(userInfo.GetName(), userInfo.GetGroups(), CertificateTTL)
	if err != nil {
		logger.Error(err, "tokencredentialrequest could not issue certificate", "username", userInfo.GetName())
		return failed(), nil
	}
	logger.Info("tokencredentialrequest authenticated user",
		"username", userInfo.GetName(), "groups", userInfo.GetGroups(), "notAfter", cert.NotAfter)
	return &login.TokenCredentialRequest{
		Status: login.TokenCredentialRequestStatus{
			Credential: &login.ClusterCredential{
				ExpirationTimestamp:   metav1.NewTime(cert.NotAfter),
				ClientCertificateData: string(cert.CertPEM),
				ClientKeyData:         string(cert.KeyPEM),
			},
		},
	}, nil
}

// cacheKey maps the request's authenticator reference to a cache key. A group
// that is not ours under the served suffix becomes a group no authenticator has,
// so the request fails like any other unknown authenticator.
func (r *REST) cacheKey(req *login.TokenCredentialRequest) authncache.Key {
	group := ""
	if ref := req.Spec.Authenticator.APIGroup; ref != nil {
		if unreplaced, ok := groupsuffix.Unreplace(*ref, r.apiGroupSuffix); ok {
			group = unreplaced
		}
	}
	return authncache.Key{APIGroup: group, Kind: req.Spec.Authenticator.Kind, Name: req.Spec.Authenticator.Name}
}

func validateRequest(
	ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions,
) (*login.TokenCredentialRequest, error) {
	req, ok := obj.(*login.TokenCredentialRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenCredentialRequest: %T", obj))
	}
	if namespace, ok := genericapirequest.NamespaceFrom(ctx); ok && namespace != "" {
		return nil, apierrors.NewBadRequest("a TokenCredentialRequest is cluster-scoped; no namespace may be given")
	}
	if options != nil && len(options.DryRun) > 0 {
		return nil, apierrors.NewInvalid(login.Kind("TokenCredentialRequest"), req.Name, field.ErrorList{
			field.NotSupported[string](field.NewPath("dryRun"), options.DryRun, nil),
		})
	}
	if req.Spec.Token == "" {
		return nil, apierrors.NewInvalid(login.Kind("TokenCredentialRequest"), req.Name, field.ErrorList{
			field.Required(field.NewPath("spec", "token", "value"), "token must be supplied"),
		})
	}
	if createValidation != nil {
		// Admission sees the request without its token: a webhook is no place for it.
		withoutToken := req.DeepCopy()
		withoutToken.Spec.Token = ""
		if err := createValidation(ctx, withoutToken); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// checkUser refuses what a client certificate cannot express: a certificate holds
// a username and groups, nothing more.
func checkUser(u user.Info) error {
	if u.GetName() == "" {
		return errors.New("empty username")
	}
	if u.GetUID() != "" {
		return errors.New("a UID cannot be carried in a certificate")
	}
	for key := range u.GetExtra() {
		if key != credentialIDExtraKey {
			return fmt.Errorf("extra %q cannot be carried in a certificate", key)
		}
	}
	return nil
}

func failed() *login.TokenCredentialRequest {
	message := failureMessage
	return &login.TokenCredentialRequest{Status: login.TokenCredentialRequestStatus{Message: &message}}
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// maxLoggedLength bounds client-supplied strings in log lines; Kubernetes names are
// at most 253 characters.
const maxLoggedLength = 253

func limit(s string) string {
	if len(s) <= maxLoggedLength {
		return s
	}
	return s[:maxLoggedLength] + "..."
}
