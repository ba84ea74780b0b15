// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package supervisor

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
)

// waitForClientStatus waits until an OIDCClient has the phase, the secret count and,
// for each type in want, exactly that condition.
func waitForClientStatus(
	t *testing.T, name string, phase configv1alpha1.OIDCClientPhase, total int32, want map[string]condition,
) {
	t.Helper()
	eventually(t, func() error {
		client, err := supervisorClient(t).ConfigV1alpha1().OIDCClients(namespace).Get(context.Background(),
			name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		got := map[string]condition{}
		for _, c := range client.Status.Conditions {
			if c.ObservedGeneration != client.Generation {
				return fmt.Errorf("condition %s observed generation %d, not %d", c.Type, c.ObservedGeneration,
					client.Generation)
			}
			got[c.Type] = condition{Status: c.Status, Reason: c.Reason, Message: c.Message}
		}
		if client.Status.Phase != phase || client.Status.TotalClientSecrets != total {
			return fmt.Errorf("phase %q with %d secrets, not %q with %d; conditions %+v",
				client.Status.Phase, client.Status.TotalClientSecrets, phase, total, got)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("conditions are\n%+v\nnot\n%+v", got, want)
		}
		return nil
	})
}

func TestOIDCClientStatus(t *testing.T) {
	valid := map[string]condition{
		"AllowedGrantTypesValid": success(`"allowedGrantTypes" is valid`),
		"AllowedScopesValid":     success(`"allowedScopes" is valid`),
		"ClientSecretExists":     success("1 client secret(s) found"),
		"Ready":                  success("the OIDCClient is ready"),
	}
	notReadyClient := failure("NotReady", "the OIDCClient is not ready: see other conditions for details")

	t.Run("a_secret_makes_a_client_ready", func(t *testing.T) {
		client := createOIDCClient(t, "status-ready", minimalClientSpec())
		waitForClientStatus(t, client.Name, configv1alpha1.OIDCClientPhaseError, 0, map[string]condition{
			"AllowedGrantTypesValid": valid["AllowedGrantTypesValid"],
			"AllowedScopesValid":     valid["AllowedScopesValid"],
			"ClientSecretExists":     failure("NoClientSecretFound", "no client secret found"),
			"Ready":                  notReadyClient,
		})
		_, err := kubectlSecretRequest(t, namespace, client.Name, true, false)
		require.NoError(t, err)
		waitForClientStatus(t, client.Name, configv1alpha1.OIDCClientPhaseReady, 1, valid)

		// `kubectl get oidcclient` shows the count and the phase.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := cluster.Kubectl(ctx, "get", "oidcclient", client.Name, "-n", namespace, "--no-headers")
		require.NoError(t, err)
		require.Regexp(t, `^client.oauth.pinniped.dev-status-ready\s+1\s+Ready\s+`, strings.TrimSpace(out))
	})

	t.Run("cross_rules_are_reported", func(t *testing.T) {
		spec := minimalClientSpec()
		spec.AllowedScopes = append(spec.AllowedScopes, configv1alpha1.ScopeOfflineAccess,
			configv1alpha1.ScopeRequestAudience)
		client := createOIDCClient(t, "status-cross-rules", spec)
		waitForClientStatus(t, client.Name, configv1alpha1.OIDCClientPhaseError, 0, map[string]condition{
			"AllowedGrantTypesValid": failure("MissingRequiredValue",
				`"refresh_token" must be included in "allowedGrantTypes" when "offline_access" is included `+
					`in "allowedScopes"; "urn:ietf:params:oauth:grant-type:token-exchange" must be included in `+
					`"allowedGrantTypes" when "pinniped:request-audience" is included in "allowedScopes"`),
			"AllowedScopesValid": failure("MissingRequiredValue",
				`"username" must be included in "allowedScopes" when "pinniped:request-audience" is included `+
					`in "allowedScopes"; "groups" must be included in "allowedScopes" when `+
					`"pinniped:request-audience" is included in "allowedScopes"`),
			"ClientSecretExists": failure("NoClientSecretFound", "no client secret found"),
			"Ready":              notReadyClient,
		})
	})
}
