// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package sessiongc

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/sessionstore"
)

// sweep collects every expired Secret the informer knows of.
func (c *Controller) sweep(ctx context.Context) {
	secrets, err := c.secrets.Secrets(c.namespace).List(labels.Everything())
	if err != nil {
		klog.ErrorS(err, "could not list Secrets", "controller", controllerName)
		return
	}
	for _, secret := range secrets {
		if c.collectable(secret) {
			c.collect(ctx, secret)
		}
	}
}

// collect deletes one Secret if it has expired, after revoking its upstream token.
func (c *Controller) collect(ctx context.Context, secret *corev1.Secret) {
	kind := secret.Labels[sessionstore.TypeLabel]
	expiry, err := sessionstore.GarbageCollectAfter(secret)
	if err != nil {
		// Someone else's annotation we cannot read: deleting on a guess could lose
		// data, so it is left alone.
		klog.ErrorS(err, "could not read expiry, skipping", "controller", controllerName,
			"kind", kind, "secret", klog.KObj(secret))
		return
	}
	now := c.clock.Now()
	if now.Before(expiry) {
		return
	}

	if !c.revokeUpstream(ctx, secret, now.Sub(expiry)) {
		return
	}

	// The preconditions make sure the Secret is the one whose tokens were just
	// revoked: if it was updated meanwhile (say, an upstream refresh stored a new
	// token), the next sweep looks at the new version and revokes the new token.
	uid, resourceVersion := secret.UID, secret.ResourceVersion
	err = c.kube.CoreV1().Secrets(secret.Namespace).Delete(ctx, secret.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &resourceVersion},
	})
	switch {
	case err == nil:
		klog.InfoS("session garbage collected", "controller", controllerName,
			"kind", kind, "secret", klog.KObj(secret))
	case apierrors.IsNotFound(err):
	case apierrors.IsConflict(err):
		klog.V(2).InfoS("session changed before deletion, will look again", "controller", controllerName,
			"kind", kind, "secret", klog.KObj(secret))
	default:
		klog.ErrorS(err, "could not delete session, will retry", "controller", controllerName,
			"kind", kind, "secret", klog.KObj(secret))
	}
}

// revokeUpstream revokes the upstream token a session holds, if any, and says
// whether the session may now be deleted. The refresh token is preferred because
// revoking it ends the whole upstream grant; the access token is revoked only
// when the session holds nothing else.
func (c *Controller) revokeUpstream(ctx context.Context, secret *corev1.Secret, pastExpiry time.Duration) bool {
	kind := secret.Labels[sessionstore.TypeLabel]
	tokens, err := sessionstore.UpstreamTokensOf(secret)
	if err != nil {
		klog.ErrorS(err, "could not read session, deleting it without revocation", "controller", controllerName,
			"kind", kind, "secret", klog.KObj(secret))
		return true
	}
	if tokens == nil {
		return true
	}
	token, hint := tokens.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = tokens.AccessToken, "access_token"
	}

	err = c.revoker.Revoke(ctx, tokens.ProviderName, token, hint)
	logArgs := []any{"controller", controllerName, "kind", kind, "secret", klog.KObj(secret),
		"upstreamProvider", tokens.ProviderName, "tokenType", hint}
	switch {
	case err == nil:
		klog.InfoS("upstream token revoked", logArgs...)
		return true
	case errors.Is(err, ErrNotRetryable):
		klog.ErrorS(err, "could not revoke upstream token, deleting session anyway", logArgs...)
		return true
	case pastExpiry >= MaxRevocationDelay:
		klog.ErrorS(err, "could not revoke upstream token in time, deleting session anyway", logArgs...)
		return true
	default:
		klog.ErrorS(err, "could not revoke upstream token, will retry", logArgs...)
		return false
	}
}
