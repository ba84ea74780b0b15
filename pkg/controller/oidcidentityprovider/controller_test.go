// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package oidcidentityprovider_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	idpv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/idp/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/conditions"
	"github.com/sealworks/pinniped/pkg/upstream/oidc"
)

const (
	msgSecretValid   = "loaded client credentials"
	msgParamsValid   = "additionalAuthorizeParameters names are allowed"
	msgTLSConfigured = "spec.tls is valid: using configured CA bundle"
	msgDiscovered    = "discovered issuer configuration"
	msgReady         = "the OIDCIdentityProvider is ready"
	msgNotReady      = "the OIDCIdentityProvider is not ready: see other conditions for details"
)

var (
	secretValid   = conditions.True(idpv1alpha1.ConditionClientCredentialsSecretValid, msgSecretValid)
	paramsValid   = conditions.True(idpv1alpha1.ConditionAdditionalAuthorizeParametersValid, msgParamsValid)
	tlsConfigured = conditions.True(idpv1alpha1.ConditionTLSConfigurationValid, msgTLSConfigured)
	discovered    = conditions.True(idpv1alpha1.ConditionOIDCDiscoverySucceeded, msgDiscovered)
	ready         = conditions.True(conditions.TypeReady, msgReady)
	notReady      = conditions.False(conditions.TypeReady, conditions.ReasonNotReady, msgNotReady)
)

func TestController(t *testing.T) {
	env := startController(t)
	env.createSecret(t, "good", idpv1alpha1.OIDCIdentityProviderSecretType,
		map[string]string{"clientID": clientID, "clientSecret": clientSecret})
	env.createSecret(t, "opaque", corev1.SecretTypeOpaque,
		map[string]string{"clientID": clientID, "clientSecret": clientSecret})
	env.createSecret(t, "no-secret-key", idpv1alpha1.OIDCIdentityProviderSecretType,
		map[string]string{"clientID": clientID})
	closedPort := freePort(t)
	unreachableIssuer := "https://127.0.0.1:" + strconv.Itoa(closedPort) + "/dex"

	tests := []struct {
		name   string
		secret string
		change func(*idpv1alpha1.OIDCIdentityProviderSpec)
		phase  idpv1alpha1.OIDCIdentityProviderPhase
		want   []metav1.Condition
	}{
		{
			name:   "ready",
			secret: "good",
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseReady,
			want:   []metav1.Condition{secretValid, paramsValid, tlsConfigured, discovered, ready},
		},
		{
			name:   "missing_secret",
			secret: "nothere",
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{conditions.False(idpv1alpha1.ConditionClientCredentialsSecretValid,
				idpv1alpha1.ReasonSecretNotFound, `secret "nothere" not found`),
				paramsValid, tlsConfigured, discovered, notReady},
		},
		{
			name:   "secret_of_wrong_type",
			secret: "opaque",
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{conditions.False(idpv1alpha1.ConditionClientCredentialsSecretValid,
				idpv1alpha1.ReasonSecretWrongType, `referenced Secret "opaque" has type "Opaque", `+
					`but it must be "secrets.pinniped.dev/oidc-client"`),
				paramsValid, tlsConfigured, discovered, notReady},
		},
		{
			name:   "secret_missing_keys",
			secret: "no-secret-key",
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{conditions.False(idpv1alpha1.ConditionClientCredentialsSecretValid,
				idpv1alpha1.ReasonSecretMissingKeys, `referenced Secret "no-secret-key" lacks the required keys `+
					`["clientSecret"]`),
				paramsValid, tlsConfigured, discovered, notReady},
		},
		{
			name:   "disallowed_parameter_names",
			secret: "good",
			change: func(s *idpv1alpha1.OIDCIdentityProviderSpec) {
				s.AuthorizationConfig.AdditionalAuthorizeParameters = []idpv1alpha1.Parameter{
					{Name: "prompt", Value: "consent"}, {Name: "hd", Value: "example.com"},
					{Name: "client_id", Value: "x"}, {Name: "hd", Value: "again"},
				}
			},
			phase: idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{secretValid, conditions.False(
				idpv1alpha1.ConditionAdditionalAuthorizeParametersValid, idpv1alpha1.ReasonDisallowedParameterName,
				"these additionalAuthorizeParameters names are set by the Supervisor and cannot be configured: "+
					"hd, client_id"),
				tlsConfigured, discovered, notReady},
		},
		{
			name:   "unreachable_issuer",
			secret: "good",
			change: func(s *idpv1alpha1.OIDCIdentityProviderSpec) { s.Issuer = unreachableIssuer },
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{secretValid, paramsValid, tlsConfigured, conditions.False(
				idpv1alpha1.ConditionOIDCDiscoverySucceeded, idpv1alpha1.ReasonUnreachable, fmt.Sprintf(
					`could not perform OIDC discovery of %[1]q: upstream issuer unreachable: could not get %[2]q: `+
						`Get %[2]q: dial tcp 127.0.0.1:%[3]d: connect: connection refused`,
					unreachableIssuer, unreachableIssuer+"/.well-known/openid-configuration", closedPort)),
				notReady},
		},
		{
			name:   "invalid_response",
			secret: "good",
			change: func(s *idpv1alpha1.OIDCIdentityProviderSpec) { s.Issuer += "/" },
			phase:  idpv1alpha1.OIDCIdentityProviderPhaseError,
			want: []metav1.Condition{secretValid, paramsValid, tlsConfigured, conditions.False(
				idpv1alpha1.ConditionOIDCDiscoverySucceeded, idpv1alpha1.ReasonInvalidResponse, fmt.Sprintf(
					`could not perform OIDC discovery of "%[1]s/": upstream issuer returned an invalid discovery `+
						`document: the discovery document names issuer %[1]q instead of "%[1]s/"`, env.dex.Issuer)),
				notReady},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := strings.ReplaceAll(tt.name, "_", "-")
			spec := idpv1alpha1.OIDCIdentityProviderSpec{
				Issuer: env.dex.Issuer,
				TLS:    env.inlineCA(),
				AuthorizationConfig: idpv1alpha1.OIDCAuthorizationConfig{
					AdditionalScopes: []string{"email", "groups"}, AllowPasswordGrant: true,
				},
				Claims: idpv1alpha1.OIDCClaims{Username: "email", Groups: "groups"},
				Client: idpv1alpha1.OIDCClient{SecretName: tt.secret},
			}
			if tt.change != nil {
				tt.change(&spec)
			}
			env.createIDP(t, name, spec)
			env.waitForStatus(t, name, tt.phase, tt.want)
			if tt.phase != idpv1alpha1.OIDCIdentityProviderPhaseReady {
				require.Nil(t, env.cache.Get(name))
				return
			}
			env.requireStable(t, name)
			provider := env.cache.Get(name)
			require.NotNil(t, provider)
			result, err := provider.PasswordGrant(context.Background(), userEmail, userPassword)
			require.NoError(t, err)
			require.Equal(t, userEmail, result.Identity.Username)
			require.Equal(t, []string{"seals"}, result.Identity.Groups)
		})
	}
	// Every object was deleted by its subtest's cleanup.
	require.Eventually(t, func() bool { return len(env.cache.List()) == 0 }, 30*time.Second, 20*time.Millisecond)
}

// TestCAFixUp checks that a CA bundle in a ConfigMap is watched: a missing ConfigMap, then
// a wrong CA, then the right one.
func TestCAFixUp(t *testing.T) {
	env := startController(t)
	ctx := context.Background()
	const name, configMap = "dex", "dex-ca"
	env.createSecret(t, "good", idpv1alpha1.OIDCIdentityProviderSecretType,
		map[string]string{"clientID": clientID, "clientSecret": clientSecret})
	env.createIDP(t, name, idpv1alpha1.OIDCIdentityProviderSpec{
		Issuer: env.dex.Issuer,
		TLS: &idpv1alpha1.TLSSpec{CertificateAuthorityDataSource: &idpv1alpha1.CertificateAuthorityDataSourceSpec{
			Kind: idpv1alpha1.CertificateAuthorityDataSourceKindConfigMap, Name: configMap, Key: "ca.crt",
		}},
		Client: idpv1alpha1.OIDCClient{SecretName: "good"},
	})
	tlsPrefix := "spec.tls.certificateAuthorityDataSource is invalid: "
	env.waitForStatus(t, name, idpv1alpha1.OIDCIdentityProviderPhaseError, []metav1.Condition{
		secretValid, paramsValid, notReady,
		conditions.False(idpv1alpha1.ConditionTLSConfigurationValid, idpv1alpha1.ReasonInvalidTLSConfig,
			tlsPrefix+`could not get ConfigMap "dex-ca" in namespace "supervisor": configmap "dex-ca" not found`),
		conditions.Unknown(idpv1alpha1.ConditionOIDCDiscoverySucceeded),
	})

	otherCA, err := certauthority.New("other", time.Hour)
	require.NoError(t, err)
	_, err = env.kube.CoreV1().ConfigMaps(namespace).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: configMap, Namespace: namespace},
		Data:       map[string]string{"ca.crt": string(otherCA.Bundle())},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	wellKnown := env.dex.Issuer + "/.well-known/openid-configuration"
	env.waitForStatus(t, name, idpv1alpha1.OIDCIdentityProviderPhaseError, []metav1.Condition{
		secretValid, paramsValid, tlsConfigured, notReady,
		conditions.False(idpv1alpha1.ConditionOIDCDiscoverySucceeded, idpv1alpha1.ReasonUnreachable, fmt.Sprintf(
			`could not perform OIDC discovery of %q: upstream issuer unreachable: could not get %[2]q: Get %[2]q: `+
				`tls: failed to verify certificate: x509: certificate signed by unknown authority`,
			env.dex.Issuer, wellKnown)),
	})
	require.Nil(t, env.cache.Get(name))

	env.updateConfigMap(t, configMap, map[string]string{"ca.crt": string(env.dex.CABundle)})
	env.waitForStatus(t, name, idpv1alpha1.OIDCIdentityProviderPhaseReady,
		[]metav1.Condition{secretValid, paramsValid, tlsConfigured, discovered, ready})
	require.Eventually(t, func() bool { return env.cache.Get(name) != nil }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, oidc.Scopes(nil), env.cache.Get(name).Config().Scopes)
}

// freePort returns a loopback port that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}
