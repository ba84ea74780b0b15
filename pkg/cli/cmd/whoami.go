// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	identityv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/identity/v1alpha1"
	identityclient "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned/typed/identity/v1alpha1"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

type whoamiFlags struct {
	output            string
	kubeconfig        string
	kubeconfigContext string
	apiGroupSuffix    string
	timeout           time.Duration
}

func newWhoamiCommand() *cobra.Command {
	var f whoamiFlags
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Print who the current kubeconfig context authenticates as",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runWhoami(cmd.Context(), cmd.OutOrStdout(), f) },
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "one of: text|yaml|json")
	cmd.Flags().StringVar(&f.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG)")
	cmd.Flags().StringVar(&f.kubeconfigContext, "kubeconfig-context", "", "kubeconfig context (default current)")
	cmd.Flags().StringVar(&f.apiGroupSuffix, "api-group-suffix", groupsuffix.Default, "Concierge API group suffix")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 0, "timeout of the request (0 means none)")
	return cmd
}

func runWhoami(ctx context.Context, out io.Writer, f whoamiFlags) error {
	if f.output != "text" && f.output != "yaml" && f.output != "json" {
		return fmt.Errorf("invalid output format %q: expected text, yaml or json", f.output)
	}
	if err := groupsuffix.Validate(f.apiGroupSuffix); err != nil {
		return fmt.Errorf("invalid API group suffix: %w", err)
	}
	clientConfig := loadKubeconfig(f.kubeconfig, f.kubeconfigContext)
	restConfig, err := clientConfig.ClientConfig()
	if err != nil {
		return fmt.Errorf("could not load kubeconfig: %w", err)
	}
	client, err := identityclient.NewForConfig(groupsuffix.WithSuffix(restConfig, f.apiGroupSuffix))
	if err != nil {
		return fmt.Errorf("could not build the Concierge client: %w", err)
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	who, err := client.WhoAmIRequests().Create(ctx, &identityv1alpha1.WhoAmIRequest{},
		metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("could not complete WhoAmIRequest (is the Concierge installed?): %w", err)
	}
	who.APIVersion = identityv1alpha1.SchemeGroupVersion.String()
	who.Kind = "WhoAmIRequest"

	switch f.output {
	case "json":
		data, err := json.MarshalIndent(who, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(data))
		return err
	case "yaml":
		data, err := yaml.Marshal(who)
		if err != nil {
			return err
		}
		_, err = out.Write(data)
		return err
	}
	raw, err := clientConfig.RawConfig()
	if err != nil {
		return fmt.Errorf("could not load kubeconfig: %w", err)
	}
	contextName := f.kubeconfigContext
	if contextName == "" {
		contextName = raw.CurrentContext
	}
	clusterName := ""
	if kubeContext, ok := raw.Contexts[contextName]; ok {
		clusterName = kubeContext.Cluster
	}
	user := who.Status.KubernetesUserInfo.User
	_, err = fmt.Fprintf(out,
		"Current cluster info:\n\nName: %s\nURL: %s\n\nCurrent user info:\n\nUsername: %s\nGroups: %s\n",
		clusterName, restConfig.Host, user.Username, strings.Join(user.Groups, ", "))
	return err
}

// loadKubeconfig loads a kubeconfig as kubectl does: the explicit path, else
// $KUBECONFIG, else ~/.kube/config; the explicit context, else the current one.
func loadKubeconfig(path, contextName string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: contextName})
}
