// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package integration

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	authenticationv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/authentication/v1alpha1"
	identityv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/identity/v1alpha1"
	loginv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/login/v1alpha1"
	"github.com/sealworks/pinniped/test/harness"
	"github.com/sealworks/pinniped/test/oidcissuer"
	"github.com/sealworks/pinniped/test/testlib"
)

const audience = "workload1-4a2f"

// startIssuer starts a test OIDC issuer with a key for each algorithm (default
// ES256 and RS256) and a JWTAuthenticator that trusts it.
func startIssuer(
	t *testing.T, name string, claims authenticationv1alpha1.JWTTokenClaims, algs ...jose.SignatureAlgorithm,
) (*oidcissuer.Issuer, map[jose.SignatureAlgorithm]*oidcissuer.Key) {
	t.Helper()
	issuer, err := oidcissuer.Start("/" + name)
	require.NoError(t, err)
	t.Cleanup(issuer.Close)
	keys := map[jose.SignatureAlgorithm]*oidcissuer.Key{}
	if len(algs) == 0 {
		algs = []jose.SignatureAlgorithm{jose.ES256, jose.RS256}
	}
	for _, alg := range algs {
		keys[alg], err = issuer.AddKey("key-"+string(alg), alg)
		require.NoError(t, err)
	}
	createJWTAuthenticator(t, name, authenticationv1alpha1.JWTAuthenticatorSpec{
		Issuer:   issuer.URL,
		Audience: audience,
		Claims:   claims,
		TLS:      &authenticationv1alpha1.TLSSpec{CertificateAuthorityData: b64(issuer.CABundle())},
	})
	return issuer, keys
}

func sign(t *testing.T, key *oidcissuer.Key, claims oidcissuer.Claims) string {
	t.Helper()
	token, err := oidcissuer.Sign(key, claims)
	require.NoError(t, err)
	return token
}

func TestConciergeAPIDiscovery(t *testing.T) {
	c := startConcierge(t)
	ctx := context.Background()

	t.Run("readyz_includes_informer_sync", func(t *testing.T) {
		secret, err := cluster.Client().CoreV1().Secrets(testlib.ConciergeNamespace).Get(ctx,
			"pinniped-concierge-api-tls-serving-certificate", metav1.GetOptions{})
		require.NoError(t, err)
		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM(secret.Data["caCertificate"]))
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs: pool, ServerName: "pinniped-concierge-api.pinniped-concierge.svc", MinVersion: tls.VersionTLS13,
		}}}
		// The aggregator does not wait for readiness; the informers sync a moment later.
		var status int
		var body []byte
		require.Eventually(t, func() bool {
			resp, err := client.Get(fmt.Sprintf("https://127.0.0.1:%d/readyz?verbose", c.Port))
			if err != nil {
				return false
			}
			defer func() { _ = resp.Body.Close() }()
			status = resp.StatusCode
			body, err = io.ReadAll(resp.Body)
			return err == nil && status == http.StatusOK
		}, 30*time.Second, 100*time.Millisecond, "readyz: %d %s", status, body)
		require.Contains(t, string(body), "[+]concierge-informers-synced ok")
	})

	out, err := cluster.Kubectl(ctx, "api-resources", "--api-group=login.concierge.pinniped.dev")
	require.NoError(t, err)
	require.Contains(t, out, "tokencredentialrequests")
	out, err = cluster.Kubectl(ctx, "api-resources", "--api-group=identity.concierge.pinniped.dev")
	require.NoError(t, err)
	require.Contains(t, out, "whoamirequests")

	require.Eventually(t, func() bool {
		out, err = cluster.Kubectl(ctx, "explain", "tokencredentialrequest.spec")
		return err == nil
	}, 30*time.Second, 250*time.Millisecond, "kubectl explain: %v", err)
	require.Contains(t, out, "GROUP:      login.concierge.pinniped.dev")
	require.Contains(t, out, "token\t<string>")
	require.Contains(t, out, "authenticator\t<TypedLocalObjectReference> -required-")

	list, err := cluster.Kubectl(ctx, "get", "tokencredentialrequests", "-o", "json")
	require.NoError(t, err)
	require.Contains(t, list, `"items": []`)
}

// TestConciergeJWTLogin is the main path: a JWT sent anonymously with kubectl
// returns a certificate, and the cluster's RBAC applies to it.
func TestConciergeJWTLogin(t *testing.T) {
	startConcierge(t)
	ctx := context.Background()
	issuer, keys := startIssuer(t, "login-issuer", authenticationv1alpha1.JWTTokenClaims{})
	// "view" is filled by kube-controller-manager's role aggregation, which the
	// harness does not run; a plain role shows the same thing.
	createClusterRole(t, "test-pod-reader", rbacv1.PolicyRule{
		APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"},
	})
	bindGroup(t, "test-pod-reader", "login-viewers")

	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
		t.Run(string(alg), func(t *testing.T) {
			token := sign(t, keys[alg], issuer.StandardClaims(audience, "pinny", []string{"login-viewers", "seals"}))
			tcr := writeFile(t, "tcr.yaml", fmt.Sprintf(`apiVersion: login.concierge.pinniped.dev/v1alpha1
kind: TokenCredentialRequest
spec:
  token: %s
  authenticator:
    apiGroup: authentication.concierge.pinniped.dev
    kind: JWTAuthenticator
    name: login-issuer
`, token))
			anonymous := anonymousKubeconfig(t)
			_, err := harness.Kubectl(ctx, anonymous, "get", "namespaces")
			require.ErrorContains(t, err, `User "system:anonymous" cannot list resource "namespaces"`)
			// Anonymous users may not read the OpenAPI schema kubectl validates with.
			out, err := harness.Kubectl(ctx, anonymous, "create", "--validate=false", "-f", tcr, "-o", "yaml")
			require.NoError(t, err)
			var resp loginv1alpha1.TokenCredentialRequest
			require.NoError(t, yaml.Unmarshal([]byte(out), &resp))
			require.Nil(t, resp.Status.Message)
			require.NotNil(t, resp.Status.Credential, out)
			require.NotContains(t, out, token, "the token is never echoed")

			cert := parseCert(t, resp.Status.Credential.ClientCertificateData)
			require.Equal(t, "pinny", cert.Subject.CommonName)
			require.ElementsMatch(t, []string{"login-viewers", "seals"}, cert.Subject.Organization)
			require.Equal(t, 10*time.Minute, cert.NotAfter.Sub(cert.NotBefore), "5 minutes, backdated 5 minutes")
			require.WithinDuration(t, time.Now().Add(5*time.Minute), resp.Status.Credential.ExpirationTimestamp.Time,
				30*time.Second)

			kubeconfig := certKubeconfig(t, resp.Status.Credential)
			canI := func(args ...string) string {
				out, _ := harness.Kubectl(ctx, kubeconfig, append([]string{"auth", "can-i"}, args...)...)
				return strings.TrimSpace(out)
			}
			require.Equal(t, "yes", canI("get", "pods"))
			require.Equal(t, "no", canI("create", "namespace"))

			whoami := writeFile(t, "whoami.yaml", "apiVersion: identity.concierge.pinniped.dev/v1alpha1\n"+
				"kind: WhoAmIRequest\n")
			out, err = harness.Kubectl(ctx, kubeconfig, "create", "--validate=false", "-f", whoami, "-o", "json")
			require.NoError(t, err)
			var who identityv1alpha1.WhoAmIRequest
			require.NoError(t, json.Unmarshal([]byte(out), &who))
			require.Equal(t, "pinny", who.Status.KubernetesUserInfo.User.Username)
			require.ElementsMatch(t, []string{"login-viewers", "seals", "system:authenticated"},
				who.Status.KubernetesUserInfo.User.Groups)
		})
	}
}

// TestConciergeRefusesBadTokens: every bad token gets the same generic answer,
// and the log says why, naming the token by its hash.
func TestConciergeRefusesBadTokens(t *testing.T) {
	c := startConcierge(t)
	issuer, keys := startIssuer(t, "strict-issuer", authenticationv1alpha1.JWTTokenClaims{})
	good := func() oidcissuer.Claims { return issuer.StandardClaims(audience, "pinny", []string{"seals"}) }
	with := func(key string, value any) oidcissuer.Claims {
		c := good()
		c[key] = value
		return c
	}
	otherIssuer, err := oidcissuer.Start("/strict-issuer")
	require.NoError(t, err)
	defer otherIssuer.Close()
	strangerKey, err := otherIssuer.AddKey(keys[jose.ES256].ID, jose.ES256)
	require.NoError(t, err)
	unknownKid, err := otherIssuer.AddKey("never-published", jose.ES256)
	require.NoError(t, err)

	publicKeyPEM := publicKeyPEMOf(t, keys[jose.RS256])
	const noKeyVerifies = "oidc: verify token: failed to verify signature: " +
		"no signing key of the issuer verifies the token: "
	tests := []struct {
		name   string
		token  string
		kind   string
		authn  string
		reason string // the start of the reason in the Concierge's log
	}{
		{
			name:   "expired",
			token:  sign(t, keys[jose.ES256], with("exp", time.Now().Add(-time.Minute).Unix())),
			reason: "oidc: verify token: oidc: token is expired",
		},
		{
			name:   "nbf_in_future",
			token:  sign(t, keys[jose.ES256], with("nbf", time.Now().Add(10*time.Minute).Unix())),
			reason: "oidc: verify token: oidc: current time",
		},
		{
			name:   "wrong_audience",
			token:  sign(t, keys[jose.ES256], with("aud", []string{"workload2"})),
			reason: `oidc: verify token: oidc: expected audience \"workload1-4a2f\"`,
		},
		{
			name:   "wrong_issuer",
			token:  sign(t, keys[jose.ES256], with("iss", "https://evil.example.com")),
			reason: `token issuer \"https://evil.example.com\" is not the authenticator's issuer`,
		},
		{
			name:   "issuer_trailing_slash",
			token:  sign(t, keys[jose.ES256], with("iss", issuer.URL+"/")),
			reason: `token issuer \"` + issuer.URL + `/\" is not the authenticator's issuer`,
		},
		{
			name:   "hs256_with_public_key_as_secret",
			token:  hmacToken(t, good(), publicKeyPEM),
			reason: "oidc: verify token: oidc: id token signed with unsupported algorithm",
		},
		{
			name:   "alg_none",
			token:  unsignedToken(t, good()),
			reason: "oidc: verify token: oidc: id token signed with unsupported algorithm",
		},
		{
			name:   "signed_by_another_key_with_same_kid",
			token:  sign(t, strangerKey, good()),
			reason: noKeyVerifies + `the signature does not verify with key \"key-ES256\"`,
		},
		{
			name:   "unknown_kid",
			token:  sign(t, unknownKid, good()),
			reason: noKeyVerifies + `no key of the issuer's key set verifies key \"never-published\"`,
		},
		{name: "garbage", token: "not.a.jwt", reason: "token is not a JWT"},
		{name: "one_mebibyte", token: strings.Repeat("A", 1<<20), reason: "token is not a JWT"},
		{
			name:   "unknown_authenticator",
			token:  sign(t, keys[jose.ES256], good()),
			authn:  "no-such-authenticator",
			reason: "no such authenticator",
		},
		{
			name:   "wrong_kind",
			token:  sign(t, keys[jose.ES256], good()),
			kind:   "WebhookAuthenticator",
			reason: "no such authenticator",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, authn := "JWTAuthenticator", "strict-issuer"
			if tt.kind != "" {
				kind = tt.kind
			}
			if tt.authn != "" {
				authn = tt.authn
			}
			requireGenericFailure(t, exchange(t, tt.token, kind, authn))
			tokenID := sha256Hex(tt.token)
			require.Eventually(t, func() bool {
				log, _ := os.ReadFile(c.LogPath)
				return strings.Contains(string(log), `"tokencredentialrequest authentication failed" tokenID="`+tokenID+`"`)
			}, 5*time.Second, 50*time.Millisecond, "no log line names the token by its hash")
			log, _ := os.ReadFile(c.LogPath)
			require.NotContains(t, string(log), tt.token[:min(len(tt.token), 60)], "the token itself is logged")
			line := logLine(string(log), `tokenID="`+tokenID+`"`)
			require.Contains(t, line, `reason="`+tt.reason, "the log does not say why")
		})
	}

	t.Run("wrong_api_group", func(t *testing.T) {
		resp, err := anonymousClient(t).LoginV1alpha1().TokenCredentialRequests().Create(context.Background(),
			&loginv1alpha1.TokenCredentialRequest{Spec: loginv1alpha1.TokenCredentialRequestSpec{
				Token: sign(t, keys[jose.ES256], good()),
				Authenticator: corev1.TypedLocalObjectReference{
					APIGroup: ptr.To("authentication.concierge.example.io"), Kind: "JWTAuthenticator", Name: "strict-issuer",
				},
			}}, metav1.CreateOptions{})
		require.NoError(t, err)
		requireGenericFailure(t, resp)
	})

	t.Run("missing_token_is_422", func(t *testing.T) {
		_, err := anonymousClient(t).LoginV1alpha1().TokenCredentialRequests().Create(context.Background(),
			&loginv1alpha1.TokenCredentialRequest{Spec: loginv1alpha1.TokenCredentialRequestSpec{
				Authenticator: corev1.TypedLocalObjectReference{
					APIGroup: ptr.To(authenticationv1alpha1.GroupName), Kind: "JWTAuthenticator", Name: "strict-issuer",
				},
			}}, metav1.CreateOptions{})
		require.EqualError(t, err, `TokenCredentialRequest.login.concierge.pinniped.dev "" is invalid: `+
			`spec.token.value: Required value: token must be supplied`)
		var status apierrors.APIStatus
		require.ErrorAs(t, err, &status)
		require.Equal(t, int32(422), status.Status().Code)
	})

	t.Run("good_token_still_works", func(t *testing.T) {
		require.NotNil(t, exchange(t, sign(t, keys[jose.ES256], good()), "JWTAuthenticator", "strict-issuer").
			Status.Credential)
	})
}

func parseCert(t *testing.T, certPEM string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func publicKeyPEMOf(t *testing.T, key *oidcissuer.Key) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key.Private.Public())
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// hmacToken signs claims with HS256 using secret, the classic key-confusion attack.
func hmacToken(t *testing.T, claims oidcissuer.Claims, secret []byte) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "key-RS256"))
	require.NoError(t, err)
	return compact(t, signer, claims)
}

func signJSON(signer jose.Signer, claims oidcissuer.Claims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// unsignedToken builds a token with "alg": "none" and an empty signature.
func unsignedToken(t *testing.T, claims oidcissuer.Claims) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// logLine returns the last line of a log that contains marker.
func logLine(log, marker string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], marker) {
			return lines[i]
		}
	}
	return ""
}
