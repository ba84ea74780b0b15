// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sealworks/pinniped/pkg/conciergeclient"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

func newLoginCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in and print a credential for kubectl (run by kubectl as an exec plugin)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newLoginStaticCommand(), newLoginOIDCCommand())
	return cmd
}

// conciergeFlags are the flags of both login commands that ask the Concierge for a
// cluster credential.
type conciergeFlags struct {
	enabled           bool
	authenticatorType string
	authenticatorName string
	endpoint          string
	caBundleData      string
	apiGroupSuffix    string
	namespace         string
}

func (c *conciergeFlags) register(flags *pflag.FlagSet) {
	flags.BoolVar(&c.enabled, "enable-concierge", false,
		"exchange the token for a cluster credential with the Concierge")
	flags.StringVar(&c.authenticatorType, "concierge-authenticator-type", "",
		"Concierge authenticator type (jwt or webhook)")
	flags.StringVar(&c.authenticatorName, "concierge-authenticator-name", "", "Concierge authenticator name")
	flags.StringVar(&c.endpoint, "concierge-endpoint", "", "API base URL of the Concierge")
	flags.StringVar(&c.caBundleData, "concierge-ca-bundle-data", "", "CA bundle of the Concierge endpoint (base64 PEM)")
	flags.StringVar(&c.apiGroupSuffix, "concierge-api-group-suffix", groupsuffix.Default, "Concierge API group suffix")
	flags.StringVar(&c.namespace, "concierge-namespace", "pinniped-concierge", "ignored")
	_ = flags.MarkHidden("concierge-namespace")
	_ = flags.MarkDeprecated("concierge-namespace", "it is ignored")
}

// client returns the Concierge client, or nil when the Concierge is not used.
func (c *conciergeFlags) client() (*conciergeclient.Client, error) {
	if !c.enabled {
		return nil, nil
	}
	caBundle, err := base64.StdEncoding.DecodeString(c.caBundleData)
	if err != nil {
		return nil, fmt.Errorf("invalid --concierge-ca-bundle-data: %w", err)
	}
	client, err := conciergeclient.New(conciergeclient.Config{
		Endpoint:          c.endpoint,
		CABundle:          caBundle,
		APIGroupSuffix:    c.apiGroupSuffix,
		AuthenticatorType: c.authenticatorType,
		AuthenticatorName: c.authenticatorName,
	})
	if err != nil {
		return nil, fmt.Errorf("invalid Concierge parameters: %w", err)
	}
	return client, nil
}

// configDir is where the caches live: $XDG_CONFIG_HOME/pinniped, else ~/.config/pinniped.
func configDir() string {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "pinniped")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".config", "pinniped")
}

var errConciergeExchange = errors.New("could not complete Concierge credential exchange")
