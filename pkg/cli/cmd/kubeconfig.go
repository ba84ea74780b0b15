// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

const defaultInstallHint = "The pinniped CLI does not appear to be installed.  " +
	"See https://get.pinniped.dev/cli for more details"

type getKubeconfigFlags struct {
	concierge struct {
		disabled          bool
		apiGroupSuffix    string
		authenticatorName string
		authenticatorType string
		caBundlePaths     []string
		credentialIssuer  string
		endpoint          string
		mode              string
		// modeSet is whether --concierge-mode was given; without it the first
		// working strategy is used, so a cluster that has only the impersonation
		// proxy gets a kubeconfig for the proxy.
		modeSet   bool
		skipWait  bool
		namespace string
	}
	oidc struct {
		caBundlePaths     []string
		clientID          string
		issuer            string
		listenPort        uint16
		requestAudience   string
		scopes            []string
		sessionCache      string
		skipBrowser       bool
		skipListen        bool
		debugSessionCache bool
	}
	staticToken         string
	staticTokenEnv      string
	upstreamName        string
	upstreamType        string
	upstreamFlow        string
	credentialCache     string
	credentialCacheSet  bool
	generatedNameSuffix string
	installHint         string
	kubeconfig          string
	kubeconfigContext   string
	output              string
	pinnipedCLIPath     string
	skipValidation      bool
	timeout             time.Duration
}

func newGetKubeconfigCommand() *cobra.Command {
	var f getKubeconfigFlags
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print a kubeconfig that logs in to the current cluster with Pinniped",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.credentialCacheSet = cmd.Flags().Changed("credential-cache")
			f.concierge.modeSet = cmd.Flags().Changed("concierge-mode")
			return runGetKubeconfig(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	flags := cmd.Flags()
	c := &f.concierge
	flags.BoolVar(&c.disabled, "no-concierge", false, "write a kubeconfig that does not use the Concierge")
	flags.StringVar(&c.apiGroupSuffix, "concierge-api-group-suffix", groupsuffix.Default, "Concierge API group suffix")
	flags.StringVar(&c.authenticatorName, "concierge-authenticator-name", "",
		"Concierge authenticator name (default: autodiscover)")
	flags.StringVar(&c.authenticatorType, "concierge-authenticator-type", "",
		"Concierge authenticator type: webhook or jwt (default: autodiscover)")
	flags.StringSliceVar(&c.caBundlePaths, "concierge-ca-bundle", nil,
		"path to the Concierge endpoint's PEM CA bundle (default: autodiscover)")
	flags.StringVar(&c.credentialIssuer, "concierge-credential-issuer", "",
		"Concierge CredentialIssuer name (default: autodiscover)")
	flags.StringVar(&c.endpoint, "concierge-endpoint", "", "API base URL of the Concierge (default: autodiscover)")
	flags.StringVar(&c.mode, "concierge-mode", "TokenCredentialRequestAPI",
		"Concierge mode: TokenCredentialRequestAPI or ImpersonationProxy")
	flags.BoolVar(&c.skipWait, "concierge-skip-wait", false, "do not wait for a pending Concierge strategy")
	flags.StringVar(&c.namespace, "concierge-namespace", "pinniped-concierge", "ignored")
	_ = flags.MarkHidden("concierge-namespace")
	_ = flags.MarkDeprecated("concierge-namespace", "it is ignored")

	o := &f.oidc
	flags.StringSliceVar(&o.caBundlePaths, "oidc-ca-bundle", nil, "path to the issuer's PEM CA bundle (repeatable)")
	flags.StringVar(&o.clientID, "oidc-client-id", "pinniped-cli", "OpenID Connect client ID")
	flags.StringVar(&o.issuer, "oidc-issuer", "", "OpenID Connect issuer URL (default: autodiscover)")
	flags.Uint16Var(&o.listenPort, "oidc-listen-port", 0, "TCP port of the login callback listener")
	flags.StringVar(&o.requestAudience, "oidc-request-audience", "",
		"request a token with this audience (default: autodiscover)")
	flags.StringSliceVar(&o.scopes, "oidc-scopes", defaultScopes, "OpenID Connect scopes to request")
	flags.StringVar(&o.sessionCache, "oidc-session-cache", "", "path to the session cache")
	flags.BoolVar(&o.skipBrowser, "oidc-skip-browser", false, "print the login URL instead of opening a browser")
	flags.BoolVar(&o.skipListen, "oidc-skip-listen", false, "open no callback listener")
	flags.BoolVar(&o.debugSessionCache, "oidc-debug-session-cache", false, "log the session cache key")
	_ = flags.MarkHidden("oidc-skip-listen")
	_ = flags.MarkHidden("oidc-debug-session-cache")

	flags.StringVar(&f.staticToken, "static-token", "", "static token for `pinniped login static`")
	flags.StringVar(&f.staticTokenEnv, "static-token-env", "", "environment variable of the static token")
	flags.StringVar(&f.upstreamName, "upstream-identity-provider-name", "",
		"the Supervisor's upstream identity provider")
	flags.StringVar(&f.upstreamType, "upstream-identity-provider-type", "",
		"its type: oidc, ldap, activedirectory or github")
	flags.StringVar(&f.upstreamFlow, "upstream-identity-provider-flow", "",
		"login flow: browser_authcode or cli_password")
	flags.StringVar(&f.credentialCache, "credential-cache", "", "path to the credential cache")
	flags.StringVar(&f.generatedNameSuffix, "generated-name-suffix", "-pinniped",
		"suffix of the new cluster, user and context names")
	flags.StringVar(&f.installHint, "install-hint", defaultInstallHint, "what kubectl prints when the CLI is missing")
	flags.StringVar(&f.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG)")
	flags.StringVar(&f.kubeconfigContext, "kubeconfig-context", "", "kubeconfig context (default current)")
	flags.StringVarP(&f.output, "output", "o", "", "output file path (default stdout)")
	flags.StringVar(&f.pinnipedCLIPath, "pinniped-cli-path", "",
		"CLI path written into the kubeconfig (default: this binary)")
	flags.BoolVar(&f.skipValidation, "skip-validation", false,
		"do not check that the new kubeconfig reaches the cluster")
	flags.DurationVar(&f.timeout, "timeout", 10*time.Minute, "how long to wait for the Concierge and the validation")
	return cmd
}

// target is what the kubeconfig is being built for; discovery fills it in.
type target struct {
	server       string
	caBundle     []byte
	conciergeEnd string // the Concierge endpoint, when the Concierge is used
	authType     string // jwt or webhook
	authName     string
	oidcCABundle []byte
	scopes       []string
}

func runGetKubeconfig(ctx context.Context, out io.Writer, f getKubeconfigFlags) error {
	log := newLogger()
	if f.staticToken != "" && f.staticTokenEnv != "" {
		return errors.New("only one of --static-token and --static-token-env can be specified")
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	// 1. The current cluster.
	clientConfig := loadKubeconfig(f.kubeconfig, f.kubeconfigContext)
	raw, err := clientConfig.RawConfig()
	if err != nil {
		return fmt.Errorf("could not load kubeconfig: %w", err)
	}
	restConfig, err := clientConfig.ClientConfig()
	if err != nil {
		return fmt.Errorf("could not load kubeconfig: %w", err)
	}
	contextName := f.kubeconfigContext
	if contextName == "" {
		contextName = raw.CurrentContext
	}
	current, ok := raw.Contexts[contextName]
	if !ok {
		return fmt.Errorf("no such kubeconfig context %q", contextName)
	}
	cluster, ok := raw.Clusters[current.Cluster]
	if !ok {
		return fmt.Errorf("kubeconfig context %q names a missing cluster %q", contextName, current.Cluster)
	}
	t := &target{server: cluster.Server, scopes: f.oidc.scopes}
	if t.caBundle, err = clusterCA(cluster); err != nil {
		return err
	}
	for _, path := range f.oidc.caBundlePaths {
		pem, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("could not read --oidc-ca-bundle: %w", err)
		}
		t.oidcCABundle = appendPEM(t.oidcCABundle, pem)
	}

	// 2. The Concierge: its strategy and authenticator.
	if !f.concierge.disabled {
		if err := discoverConcierge(ctx, log, restConfig, &f, t); err != nil {
			return err
		}
	}

	// 3. The issuer and its identity providers.
	if f.oidc.issuer != "" && f.staticToken == "" && f.staticTokenEnv == "" {
		if err := discoverIssuer(ctx, log, &f, t); err != nil {
			return err
		}
	}

	// 4. The kubeconfig.
	args, err := execArgs(&f, t)
	if err != nil {
		return err
	}
	command := f.pinnipedCLIPath
	if command == "" {
		if command, err = os.Executable(); err != nil {
			return fmt.Errorf("could not find the path of this binary: %w", err)
		}
	}
	name := current.Cluster + f.generatedNameSuffix
	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters[name] = &clientcmdapi.Cluster{Server: t.server, CertificateAuthorityData: t.caBundle}
	kubeconfig.AuthInfos[name] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:         "client.authentication.k8s.io/v1beta1",
		Command:            command,
		Args:               args,
		Env:                []clientcmdapi.ExecEnvVar{},
		ProvideClusterInfo: true,
		InstallHint:        f.installHint,
		InteractiveMode:    clientcmdapi.IfAvailableExecInteractiveMode,
	}}
	kubeconfig.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: current.Namespace}
	kubeconfig.CurrentContext = name

	// 5. Check it reaches the cluster, then write it.
	if !f.skipValidation {
		if err := validateCluster(ctx, log, t.server, t.caBundle); err != nil {
			return err
		}
	}
	data, err := clientcmd.Write(*kubeconfig)
	if err != nil {
		return fmt.Errorf("could not encode the kubeconfig: %w", err)
	}
	if f.output != "" {
		return os.WriteFile(f.output, data, 0o600)
	}
	_, err = out.Write(data)
	return err
}

// clusterCA returns the PEM CA of a kubeconfig cluster, inline or from its file.
func clusterCA(cluster *clientcmdapi.Cluster) ([]byte, error) {
	if len(cluster.CertificateAuthorityData) > 0 || cluster.CertificateAuthority == "" {
		return cluster.CertificateAuthorityData, nil
	}
	data, err := os.ReadFile(cluster.CertificateAuthority)
	if err != nil {
		return nil, fmt.Errorf("could not read the cluster's CA file: %w", err)
	}
	return data, nil
}

func appendPEM(bundle, pem []byte) []byte {
	if len(bundle) > 0 && bundle[len(bundle)-1] != '\n' {
		bundle = append(bundle, '\n')
	}
	return append(bundle, pem...)
}

// conciergeRESTConfig is the admin's client for the Concierge's APIs, with short
// timeouts so a missing Concierge fails quickly.
func conciergeRESTConfig(config *rest.Config, suffix string) *rest.Config {
	config = rest.CopyConfig(config)
	config.Timeout = 20 * time.Second
	return groupsuffix.WithSuffix(config, suffix)
}
