// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/certauthority"
)

// TestBootstrapCertificate checks that without any usable certificate the Supervisor
// still answers health checks, and refuses everything else.
func TestBootstrapCertificate(t *testing.T) {
	client := httpsClient(nil)
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // the bootstrap cert is meant to be untrusted
		ServerName:         "unknown.example.test",
	}
	base := fmt.Sprintf("https://unknown.example.test:%d", supervisor.Port)

	health := get(t, client, base+"/healthz")
	require.Equal(t, response{status: 200, body: "ok", dnsNames: []string{"pinniped-supervisor-bootstrap"},
		issuerCN: "pinniped-supervisor-bootstrap-ca"}, health)

	other := get(t, client, base+"/a/.well-known/openid-configuration")
	require.Equal(t, http.StatusInternalServerError, other.status)
	require.Equal(t, "pinniped supervisor has invalid TLS serving certificate configuration\n", other.body)
}

// TestTwoFederationDomains serves two issuers on different hosts at once, each with
// its own certificate, keys and identity providers.
func TestTwoFederationDomains(t *testing.T) {
	ca, err := certauthority.New("test-supervisor-ca", time.Hour)
	require.NoError(t, err)
	client := httpsClient(ca.Pool())
	issuerOne := fmt.Sprintf("https://fd-one.example.test:%d/a", supervisor.Port)
	issuerTwo := fmt.Sprintf("https://fd-two.example.test:%d/b/c", supervisor.Port)
	siblingOfTwo := fmt.Sprintf("https://FD-two.example.test:%d/sibling", supervisor.Port)

	createTLSSecret(t, ca, "tls-one", "fd-one.example.test")
	createTLSSecret(t, ca, "tls-two", "fd-two.example.test")
	createOIDCIdP(t, "okta", true)
	createLDAPIdP(t, "corp-ldap")
	createFD(t, "fd-one", configv1alpha1.FederationDomainSpec{
		Issuer:            issuerOne,
		TLS:               &configv1alpha1.FederationDomainTLSSpec{SecretName: "tls-one"},
		IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{idpRef("Okta", "OIDCIdentityProvider", "okta")},
	})
	createFD(t, "fd-two", configv1alpha1.FederationDomainSpec{
		Issuer: issuerTwo,
		TLS:    &configv1alpha1.FederationDomainTLSSpec{SecretName: "tls-two"},
		IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{
			idpRef("b-ldap", "LDAPIdentityProvider", "corp-ldap"),
			idpRef("a-okta", "OIDCIdentityProvider", "okta"),
		},
	})
	// A second issuer on fd-two's host keeps that host's certificate in use after
	// fd-two is deleted.
	createFD(t, "fd-two-sibling", configv1alpha1.FederationDomainSpec{
		Issuer:            siblingOfTwo,
		TLS:               &configv1alpha1.FederationDomainTLSSpec{SecretName: "tls-two"},
		IdentityProviders: []configv1alpha1.FederationDomainIdentityProvider{idpRef("Okta", "OIDCIdentityProvider", "okta")},
	})

	fdOne := waitForConditions(t, "fd-one", configv1alpha1.FederationDomainPhaseReady, readyConditions(issuerOne), true)
	fdTwo := waitForConditions(t, "fd-two", configv1alpha1.FederationDomainPhaseReady, readyConditions(issuerTwo), true)
	waitForConditions(t, "fd-two-sibling", configv1alpha1.FederationDomainPhaseReady,
		readyConditions(siblingOfTwo), true)

	t.Run("discovery_answers_for_both_with_the_certificate_of_their_host", func(t *testing.T) {
		for _, tt := range []struct{ issuer, host string }{
			{issuerOne, "fd-one.example.test"}, {issuerTwo, "fd-two.example.test"},
		} {
			got := get(t, client, tt.issuer+"/.well-known/openid-configuration")
			require.Equal(t, http.StatusOK, got.status)
			require.Equal(t, []string{tt.host}, got.dnsNames)
			require.JSONEq(t, discoveryJSON(tt.issuer), got.body)
		}
	})

	t.Run("identity_providers_are_listed_by_display_name", func(t *testing.T) {
		got := get(t, client, issuerOne+"/v1alpha1/pinniped_identity_providers")
		require.Equal(t, http.StatusOK, got.status)
		require.JSONEq(t, `{"pinniped_identity_providers":[
			{"name":"Okta","type":"oidc","flows":["browser_authcode","cli_password"]}],
			"pinniped_supported_identity_provider_types":`+supportedTypesJSON+`}`, got.body)

		got = get(t, client, issuerTwo+"/v1alpha1/pinniped_identity_providers")
		require.Equal(t, http.StatusOK, got.status)
		require.JSONEq(t, `{"pinniped_identity_providers":[
			{"name":"a-okta","type":"oidc","flows":["browser_authcode","cli_password"]},
			{"name":"b-ldap","type":"ldap","flows":["cli_password","browser_authcode"]}],
			"pinniped_supported_identity_provider_types":`+supportedTypesJSON+`}`, got.body)
	})

	t.Run("only_get_is_allowed_and_unknown_paths_are_not_found", func(t *testing.T) {
		got := do(t, client, http.MethodPost, issuerOne+"/.well-known/openid-configuration")
		require.Equal(t, http.StatusMethodNotAllowed, got.status)
		require.Equal(t, "Method not allowed (try GET)\n", got.body)
		require.Equal(t, http.StatusNotFound, get(t, client, issuerOne+"/nothing-here").status)
		require.Equal(t, http.StatusNotFound, get(t, client, issuerTwo+"/.well-known/openid-configuration/x").status)
	})

	t.Run("keys_are_created_and_jwks_served_for_both", func(t *testing.T) {
		for _, fd := range []*configv1alpha1.FederationDomain{fdOne, fdTwo} {
			checkKeySecrets(t, fd)
		}
		checkJWKSServed(t, client, issuerOne, "fd-one-jwks")
		checkJWKSServed(t, client, issuerTwo, "fd-two-jwks")
	})

	t.Run("deleted_key_secrets_are_recreated", func(t *testing.T) {
		secrets := cluster.Client().CoreV1().Secrets(namespace)
		ctx := context.Background()
		for _, name := range []string{"fd-one-jwks", "pinniped-oidc-provider-hmac-key-" + string(fdOne.UID)} {
			old, err := secrets.Get(ctx, name, metav1.GetOptions{})
			require.NoError(t, err)
			require.NoError(t, secrets.Delete(ctx, name, metav1.DeleteOptions{}))
			eventually(t, func() error {
				recreated, err := secrets.Get(ctx, name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if recreated.UID == old.UID {
					return fmt.Errorf("secret %s not recreated yet", name)
				}
				return nil
			})
		}
		checkKeySecrets(t, fdOne)
		checkJWKSServed(t, client, issuerOne, "fd-one-jwks")
	})

	t.Run("deleting_one_removes_only_its_endpoints", func(t *testing.T) {
		deleteFD(t, "fd-two")
		eventually(t, func() error {
			if got := get(t, client, issuerTwo+"/.well-known/openid-configuration"); got.status != http.StatusNotFound {
				return fmt.Errorf("status %d", got.status)
			}
			return nil
		})
		require.Equal(t, http.StatusNotFound, get(t, client, issuerTwo+"/jwks.json").status)
		require.Equal(t, http.StatusOK, get(t, client, siblingOfTwo+"/.well-known/openid-configuration").status)
		require.Equal(t, http.StatusOK, get(t, client, issuerOne+"/.well-known/openid-configuration").status)
	})
}

// checkKeySecrets checks that a FederationDomain's status names its four key Secrets and
// that each exists with its type and an owner reference to it.
func checkKeySecrets(t *testing.T, fd *configv1alpha1.FederationDomain) {
	t.Helper()
	uid := string(fd.UID)
	want := configv1alpha1.FederationDomainSecrets{
		JWKS:               corev1.LocalObjectReference{Name: fd.Name + "-jwks"},
		TokenSigningKey:    corev1.LocalObjectReference{Name: "pinniped-oidc-provider-hmac-key-" + uid},
		StateSigningKey:    corev1.LocalObjectReference{Name: "pinniped-oidc-provider-upstream-state-signature-key-" + uid},
		StateEncryptionKey: corev1.LocalObjectReference{Name: "pinniped-oidc-provider-upstream-state-encryption-key-" + uid},
	}
	eventually(t, func() error {
		got, err := supervisorClient(t).ConfigV1alpha1().FederationDomains(namespace).Get(context.Background(),
			fd.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got.Status.Secrets != want {
			return fmt.Errorf("status.secrets is %+v", got.Status.Secrets)
		}
		return nil
	})
	for name, secretType := range map[string]corev1.SecretType{
		want.JWKS.Name:               "secrets.pinniped.dev/federation-domain-jwks",
		want.TokenSigningKey.Name:    "secrets.pinniped.dev/federation-domain-token-signing-key",
		want.StateSigningKey.Name:    "secrets.pinniped.dev/federation-domain-state-signing-key",
		want.StateEncryptionKey.Name: "secrets.pinniped.dev/federation-domain-state-encryption-key",
	} {
		secret, err := cluster.Client().CoreV1().Secrets(namespace).Get(context.Background(), name, metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, secretType, secret.Type)
		require.Len(t, secret.OwnerReferences, 1)
		owner := secret.OwnerReferences[0]
		require.Equal(t, []string{"config.supervisor.pinniped.dev/v1alpha1", "FederationDomain", fd.Name, uid},
			[]string{owner.APIVersion, owner.Kind, owner.Name, string(owner.UID)})
		if secretType == "secrets.pinniped.dev/federation-domain-jwks" {
			require.ElementsMatch(t, []string{"activeJWK", "jwks"}, keysOf(secret.Data))
		} else {
			require.Len(t, secret.Data["key"], 32)
		}
	}
}

// checkJWKSServed checks that the issuer serves exactly the public key set of its
// current JWKS Secret, and that the set holds one ES256 signing key.
func checkJWKSServed(t *testing.T, client *http.Client, issuer, secretName string) {
	t.Helper()
	var body string
	eventually(t, func() error {
		secret, err := cluster.Client().CoreV1().Secrets(namespace).Get(context.Background(), secretName,
			metav1.GetOptions{})
		if err != nil {
			return err
		}
		got := get(t, client, issuer+"/jwks.json")
		if got.status != http.StatusOK || got.body != string(secret.Data["jwks"]) {
			return fmt.Errorf("jwks.json answered %d %q, the Secret holds %q", got.status, got.body, secret.Data["jwks"])
		}
		body = got.body
		return nil
	})
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &set))
	require.Len(t, set.Keys, 1)
	key := set.Keys[0]
	require.Equal(t, []any{"pinniped-supervisor-key", "ES256", "sig", "EC", "P-256", nil},
		[]any{key["kid"], key["alg"], key["use"], key["kty"], key["crv"], key["d"]})
}

func keysOf(data map[string][]byte) []string {
	var keys []string
	for k := range data {
		keys = append(keys, k)
	}
	return keys
}

const supportedTypesJSON = `[{"type":"activedirectory"},{"type":"github"},{"type":"ldap"},{"type":"oidc"}]`

// discoveryJSON is the discovery document an issuer must serve.
func discoveryJSON(issuer string) string {
	return fmt.Sprintf(`{
		"issuer": %[1]q,
		"authorization_endpoint": "%[2]s/oauth2/authorize",
		"token_endpoint": "%[2]s/oauth2/token",
		"jwks_uri": "%[2]s/jwks.json",
		"response_types_supported": ["code"],
		"response_modes_supported": ["query", "form_post"],
		"subject_types_supported": ["public"],
		"id_token_signing_alg_values_supported": ["ES256"],
		"token_endpoint_auth_methods_supported": ["client_secret_basic"],
		"scopes_supported": ["openid", "offline_access", "pinniped:request-audience", "username", "groups"],
		"claims_supported": ["username", "groups", "additionalClaims"],
		"code_challenge_methods_supported": ["S256"],
		"discovery.supervisor.pinniped.dev/v1alpha1": {
			"pinniped_identity_providers_endpoint": "%[2]s/v1alpha1/pinniped_identity_providers"
		}
	}`, issuer, issuer)
}

// readyConditions are the conditions of a valid FederationDomain that lists its
// identity providers.
func readyConditions(issuer string) map[string]condition {
	return map[string]condition{
		"IdentityProvidersDisplayNamesUnique": success("the display names in .spec.identityProviders[] are unique"),
		"IdentityProvidersFound": success(
			"every identity provider in .spec.identityProviders[].objectRef was found"),
		"IdentityProvidersObjectRefAPIGroupSuffixValid": success(
			"every .spec.identityProviders[].objectRef.apiGroup is idp.supervisor.pinniped.dev"),
		"IdentityProvidersObjectRefKindValid": success(
			"every .spec.identityProviders[].objectRef.kind is a known identity provider kind"),
		"IssuerIsUnique": success("no other FederationDomain has the same issuer"),
		"IssuerURLValid": success("spec.issuer is a valid URL"),
		"OneTLSSecretPerIssuerHostname": success(
			"every FederationDomain with the same issuer host names the same TLS Secret"),
		"Ready": success("the FederationDomain is ready and its endpoints are available: " +
			"the discovery endpoint is " + issuer + "/.well-known/openid-configuration"),
		"TransformsExamplesPassed":   success("no transforms are given, so there are no examples to run"),
		"TransformsExpressionsValid": success("no transforms are given, so there are no expressions to compile"),
	}
}
