// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"

	"github.com/sealworks/pinniped/pkg/execcredcache"
)

type loginStaticFlags struct {
	token           string
	tokenEnv        string
	credentialCache string
	concierge       conciergeFlags
}

func newLoginStaticCommand() *cobra.Command {
	var f loginStaticFlags
	cmd := &cobra.Command{
		Use:   "static [--token TOKEN] [--token-env TOKEN_ENV]",
		Short: "Print a credential for kubectl from a static token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoginStatic(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	cmd.Flags().StringVar(&f.token, "token", "", "static token to present")
	cmd.Flags().StringVar(&f.tokenEnv, "token-env", "", "environment variable holding the static token")
	cmd.Flags().StringVar(&f.credentialCache, "credential-cache",
		filepath.Join(configDir(), "credentials.yaml"), "path to the credential cache (\"\" disables it)")
	f.concierge.register(cmd.Flags())
	return cmd
}

func runLoginStatic(ctx context.Context, out io.Writer, f loginStaticFlags) error {
	log := newLogger()
	concierge, err := f.concierge.client()
	if err != nil {
		return err
	}
	token, err := staticToken(f.token, f.tokenEnv)
	if err != nil {
		return err
	}
	info := readExecInfo()

	var cache *execcredcache.Cache
	key := execcredcache.Key(os.Args[1:], &token, info.cluster)
	if f.credentialCache != "" {
		cache = execcredcache.New(f.credentialCache, log)
		if cred := cache.Get(key); cred != nil {
			log.V(1).Info("using the cached credential")
			return printExecCredential(out, execCredential(cred.Status, info.apiVersion, time.Now()))
		}
	}

	status := &clientauthv1beta1.ExecCredentialStatus{Token: token}
	if concierge != nil {
		status, err = concierge.ExchangeToken(ctx, token)
		if err != nil {
			return fmt.Errorf("%w: %w", errConciergeExchange, err)
		}
		// Only a Concierge credential is worth caching: the token itself is at hand.
		if cache != nil {
			cache.Put(key, &clientauthv1beta1.ExecCredential{Status: status})
		}
	}
	return printExecCredential(out, execCredential(status, info.apiVersion, time.Now()))
}

// staticToken reads the token from exactly one of --token and --token-env.
func staticToken(token, tokenEnv string) (string, error) {
	switch {
	case token != "" && tokenEnv != "":
		return "", errors.New("--token and --token-env are mutually exclusive")
	case token != "":
		return token, nil
	case tokenEnv != "":
		value := os.Getenv(tokenEnv)
		if value == "" {
			return "", fmt.Errorf("--token-env variable %q is empty or not set", tokenEnv)
		}
		return value, nil
	default:
		return "", errors.New("one of --token or --token-env must be set")
	}
}
