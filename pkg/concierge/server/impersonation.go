// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/apis/concierge/login"
	"github.com/sealworks/pinniped/pkg/certauthority"
	"github.com/sealworks/pinniped/pkg/concierge/config"
	"github.com/sealworks/pinniped/pkg/controller/impersonationproxy"
	"github.com/sealworks/pinniped/pkg/controller/servingcert"
	conciergeclientset "github.com/sealworks/pinniped/pkg/generated/concierge/clientset/versioned"
	conciergeinformers "github.com/sealworks/pinniped/pkg/generated/concierge/informers/externalversions"
	"github.com/sealworks/pinniped/pkg/groupsuffix"
	"github.com/sealworks/pinniped/pkg/impersonator"
)

// impersonationProxy is the proxy's controller and the loops it depends on.
type impersonationProxy struct {
	runners []func(ctx context.Context)
	running func() bool
}

func newImpersonationProxy(
	kubeConfig *restclient.Config, cfg *config.Config, namespace, bindAddress string,
	kube kubernetes.Interface, pinniped conciergeclientset.Interface,
	pinnipedInformers conciergeinformers.SharedInformerFactory, ownNamespace kubeinformers.SharedInformerFactory,
	signer *certauthority.Dynamic,
) (*impersonationProxy, error) {
	// The cluster's client CA, which kube-apiserver publishes for aggregated
	// servers; certificates it signed are good at the proxy too.
	kubeClientCA, err := dynamiccertificates.NewDynamicCAFromConfigMapController("kube-client-ca",
		"kube-system", "extension-apiserver-authentication", "client-ca-file", kube)
	if err != nil {
		return nil, fmt.Errorf("could not build the cluster client CA loader: %w", err)
	}
	token := impersonator.NewToken(kube, namespace, cfg.Names.ImpersonationServiceAccount)
	forwarder, err := newForwarder(kubeConfig, token)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP("0.0.0.0")
	if bindAddress != "" {
		ip = net.ParseIP(bindAddress)
	}
	loginGroup, _ := groupsuffix.Replace(login.GroupName, cfg.APIGroupSuffix)
	serving := servingcert.NewProvider("impersonation-proxy-serving-cert")
	runner := &proxyRunner{config: impersonator.Config{
		BindAddress: ip,
		Port:        cfg.ImpersonationProxyServerPort,
		ServingCert: serving,
		ClientCA:    dynamiccertificates.NewUnionCAContentProvider(impersonator.SignerCA{CA: signer}, kubeClientCA),
		Kube:        kube,
		LoginGroup:  loginGroup,
		Forwarder:   forwarder,
	}}
	controller, err := impersonationproxy.New(impersonationproxy.Options{
		CredentialIssuer:    cfg.Names.CredentialIssuer,
		Namespace:           namespace,
		CASecretName:        cfg.Names.ImpersonationCASecret,
		LoadBalancerService: "pinniped-concierge-impersonation-proxy-load-balancer",
		ClusterIPService:    "pinniped-concierge-impersonation-proxy-cluster-ip",
		PodSelector:         map[string]string{"deployment.pinniped.dev": "concierge"},
		Labels:              map[string]string{"app": "pinniped-concierge"},
		Port:                int32(cfg.ImpersonationProxyServerPort), //nolint:gosec // validated to 1024-65535
		ServingCert:         serving,
		Runner:              runner,
	}, pinniped, kube, pinnipedInformers.Config().V1alpha1().CredentialIssuers(),
		ownNamespace.Core().V1().Secrets(), ownNamespace.Core().V1().Services())
	if err != nil {
		return nil, fmt.Errorf("could not build impersonation proxy controller: %w", err)
	}
	runner.exited = controller.Enqueue

	runCA := func(ctx context.Context) {
		if err := kubeClientCA.RunOnce(ctx); err != nil {
			klog.ErrorS(err, "could not load the cluster client CA; retrying in the background")
		}
		kubeClientCA.Run(ctx, 1)
	}
	runController := func(ctx context.Context) {
		runner.setContext(ctx)
		controller.Run(ctx)
	}
	return &impersonationProxy{
		runners: []func(context.Context){runCA, token.Run, runController},
		running: runner.running,
	}, nil
}

// newForwarder sends requests to the cluster as the proxy's ServiceAccount: with
// HTTP/2 normally, and with HTTP/1.1 for protocol upgrades.
func newForwarder(kubeConfig *restclient.Config, token *impersonator.Token) (http.Handler, error) {
	base := restclient.AnonymousClientConfig(kubeConfig)
	base.WrapTransport = token.WrapTransport
	target, err := url.Parse(base.Host)
	if err != nil {
		return nil, fmt.Errorf("could not parse the cluster URL %q: %w", base.Host, err)
	}
	transport, err := restclient.TransportFor(base)
	if err != nil {
		return nil, fmt.Errorf("could not build the proxy's transport: %w", err)
	}
	upgradeConfig := restclient.CopyConfig(base)
	upgradeConfig.NextProtos = []string{"http/1.1"}
	upgradeTransport, err := restclient.TransportFor(upgradeConfig)
	if err != nil {
		return nil, fmt.Errorf("could not build the proxy's upgrade transport: %w", err)
	}
	return impersonator.NewForwarder(target, transport, upgradeTransport), nil
}

// proxyRunner runs the proxy's server while the controller wants it.
type proxyRunner struct {
	config impersonator.Config
	// exited is told when the server stops by itself, so the controller restarts it.
	exited func()

	mu     sync.Mutex
	parent context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func (p *proxyRunner) setContext(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.parent = ctx
}

// Start builds and runs the server unless it runs already.
func (p *proxyRunner) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil || p.parent == nil {
		return
	}
	server, err := impersonator.New(p.config)
	if err != nil {
		klog.ErrorS(err, "could not build the impersonation proxy")
		return
	}
	ctx, cancel := context.WithCancel(p.parent)
	done := make(chan struct{})
	p.cancel, p.done = cancel, done
	klog.InfoS("starting impersonation proxy", "port", p.config.Port)
	go func() {
		defer close(done)
		err := server.PrepareRun().RunWithContext(ctx)
		klog.InfoS("impersonation proxy stopped", "error", err)
		p.mu.Lock()
		stoppedByUs := p.done != done
		if !stoppedByUs {
			p.cancel, p.done = nil, nil
		}
		p.mu.Unlock()
		cancel()
		if !stoppedByUs && ctx.Err() == nil {
			// Retried after a pause, so a busy port does not spin.
			time.AfterFunc(time.Second, p.exited)
		}
	}()
}

// running reports whether the server was started and has not stopped.
func (p *proxyRunner) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancel != nil
}

// Stop stops the server and waits until its port is free.
func (p *proxyRunner) Stop() {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.cancel, p.done = nil, nil
	p.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}
