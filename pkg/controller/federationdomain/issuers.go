// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package federationdomain

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/supervisor/config/v1alpha1"
	"github.com/sealworks/pinniped/pkg/conditions"
)

// issuerSet holds what the issuer checks need to know about all FederationDomains.
type issuerSet struct {
	// parsed is each FederationDomain's issuer, or the reason it is invalid.
	parsed map[string]parsedIssuer
	// count is how many FederationDomains have each issuer key.
	count map[string]int
	// secrets is, per host, every TLS Secret name the FederationDomains on it give.
	secrets map[string]map[string]bool
}

type parsedIssuer struct {
	url *url.URL
	err error
}

// parseIssuers parses every issuer and counts issuers and TLS Secrets per host.
func parseIssuers(fds []*configv1alpha1.FederationDomain) *issuerSet {
	s := &issuerSet{
		parsed:  map[string]parsedIssuer{},
		count:   map[string]int{},
		secrets: map[string]map[string]bool{},
	}
	for _, fd := range fds {
		u, err := parseIssuer(fd.Spec.Issuer)
		s.parsed[fd.Name] = parsedIssuer{url: u, err: err}
		if err != nil {
			continue
		}
		s.count[issuerKey(u)]++
		host := strings.ToLower(u.Hostname())
		if s.secrets[host] == nil {
			s.secrets[host] = map[string]bool{}
		}
		s.secrets[host][tlsSecretName(fd)] = true
	}
	return s
}

// conditions returns the issuer conditions of one FederationDomain. When its issuer is
// invalid, uniqueness and the TLS Secret cannot be judged.
func (s *issuerSet) conditions(fd *configv1alpha1.FederationDomain) []metav1.Condition {
	p := s.parsed[fd.Name]
	if p.err != nil {
		return []metav1.Condition{
			conditions.False(configv1alpha1.ConditionIssuerURLValid, configv1alpha1.ReasonInvalidIssuerURL,
				"could not use spec.issuer: "+p.err.Error()),
			conditions.Unknown(configv1alpha1.ConditionIssuerIsUnique),
			conditions.Unknown(configv1alpha1.ConditionOneTLSSecretPerIssuerHostname),
		}
	}
	out := []metav1.Condition{conditions.True(configv1alpha1.ConditionIssuerURLValid, "spec.issuer is a valid URL")}
	if s.count[issuerKey(p.url)] > 1 {
		out = append(out, conditions.False(configv1alpha1.ConditionIssuerIsUnique,
			configv1alpha1.ReasonDuplicateIssuer,
			"more than one FederationDomain has the issuer "+fd.Spec.Issuer))
	} else {
		out = append(out, conditions.True(configv1alpha1.ConditionIssuerIsUnique,
			"no other FederationDomain has the same issuer"))
	}
	host := strings.ToLower(p.url.Hostname())
	if len(s.secrets[host]) > 1 {
		out = append(out, conditions.False(configv1alpha1.ConditionOneTLSSecretPerIssuerHostname,
			configv1alpha1.ReasonDifferentSecretRefsFound,
			fmt.Sprintf("FederationDomains with issuer host %q name different spec.tls.secretName values", host)))
	} else {
		out = append(out, conditions.True(configv1alpha1.ConditionOneTLSSecretPerIssuerHostname,
			"every FederationDomain with the same issuer host names the same TLS Secret"))
	}
	return out
}

// parseIssuer checks that an issuer is an https URL with a host and nothing a client
// could not append an endpoint path to.
func parseIssuer(issuer string) (*url.URL, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("could not parse issuer: %w", err)
	}
	switch {
	case u.Scheme != "https":
		return nil, errors.New(`issuer must have "https" scheme`)
	case u.Hostname() == "":
		return nil, errors.New("issuer must have a host")
	case u.User != nil:
		return nil, errors.New("issuer must not have username or password")
	case strings.HasSuffix(u.Path, "/"):
		return nil, errors.New("issuer must not have trailing slash in path")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("issuer must not have query")
	case u.Fragment != "" || strings.Contains(issuer, "#"):
		return nil, errors.New("issuer must not have fragment")
	}
	return u, nil
}

// issuerKey identifies an issuer for the uniqueness check: host names are not case
// sensitive, paths are.
func issuerKey(u *url.URL) string {
	return strings.ToLower(u.Host) + u.Path
}

// tlsSecretName is the TLS Secret a FederationDomain gives for its host. IP hosts get
// no SNI, so their Secret name is ignored and never conflicts.
func tlsSecretName(fd *configv1alpha1.FederationDomain) string {
	u, err := url.Parse(fd.Spec.Issuer)
	if err != nil || net.ParseIP(u.Hostname()) != nil || fd.Spec.TLS == nil {
		return ""
	}
	return fd.Spec.TLS.SecretName
}
