// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/utils/clock"
)

// DefaultCheckInterval is how often the controller looks at the Secret when no
// event arrives, so that a certificate is renewed on time even in a quiet cluster.
const DefaultCheckInterval = time.Minute

// Options say which objects the controller owns and how long certificates live.
// Nothing in them is specific to one server: the Concierge and the Supervisor each
// fill them with their own names.
type Options struct {
	// Namespace is the server's namespace: the Secret and the Service live there.
	Namespace string
	// SecretName names the Secret that holds the CA and the serving certificate.
	SecretName string
	// ServiceName is the Service in front of the server. The serving certificate is
	// valid for <ServiceName>.<Namespace>.svc and <ServiceName>.<Namespace>.svc.cluster.local,
	// the names kube-apiserver's aggregator checks.
	ServiceName string
	// APIServiceNames are the APIServices whose spec.caBundle must trust the CA,
	// e.g. "v1alpha1.login.concierge.pinniped.dev". They may be empty.
	APIServiceNames []string
	// Duration is how long the CA and the serving certificate are valid.
	Duration time.Duration
	// RenewBefore is the age at which the Secret is replaced by a fresh one. It must
	// be positive and not longer than Duration.
	RenewBefore time.Duration
	// Labels are put on the Secret when it is created.
	Labels map[string]string
	// CheckInterval is how often the Secret is checked without an event; zero means
	// DefaultCheckInterval.
	CheckInterval time.Duration
	// Clock decides the certificates' validity and when they are due; nil means the
	// real clock. Tests step a fake clock instead of sleeping.
	Clock clock.WithTicker
}

// Validate reports the first problem of the options.
func (o *Options) Validate() error {
	switch {
	case o.Namespace == "":
		return errors.New("servingcert: namespace is required")
	case o.SecretName == "":
		return errors.New("servingcert: secret name is required")
	case o.ServiceName == "":
		return errors.New("servingcert: service name is required")
	case o.RenewBefore <= 0:
		return fmt.Errorf("servingcert: renewBefore must be positive, got %s", o.RenewBefore)
	case o.Duration < o.RenewBefore:
		return fmt.Errorf("servingcert: duration (%s) must not be shorter than renewBefore (%s)",
			o.Duration, o.RenewBefore)
	case o.CheckInterval < 0:
		return fmt.Errorf("servingcert: checkInterval must not be negative, got %s", o.CheckInterval)
	}
	return nil
}

// dnsNames returns the names the serving certificate is issued for.
func (o *Options) dnsNames() []string {
	svc := o.ServiceName + "." + o.Namespace + ".svc"
	return []string{svc, svc + ".cluster.local"}
}

func (o *Options) withDefaults() Options {
	out := *o
	if out.CheckInterval == 0 {
		out.CheckInterval = DefaultCheckInterval
	}
	if out.Clock == nil {
		out.Clock = clock.RealClock{}
	}
	return out
}
