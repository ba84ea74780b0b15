// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package groupsuffix maps Pinniped API group names between the default suffix
// (pinniped.dev) and the suffix an installation chose, e.g.
// login.concierge.pinniped.dev <-> login.concierge.example.io.
package groupsuffix

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Default is the API group suffix of every Pinniped group unless configured otherwise.
const Default = "pinniped.dev"

// defaultWithDot is matched instead of Default so that a group such as
// "notpinniped.dev" is never taken for one of ours.
const defaultWithDot = "." + Default

// Replace returns the group for the given suffix: a group ending in ".pinniped.dev"
// gets the new suffix instead. It reports false for a group that is not Pinniped's
// (for example "apps" or "rbac.authorization.k8s.io"), which is returned unchanged.
func Replace(group, suffix string) (string, bool) {
	if !strings.HasSuffix(group, defaultWithDot) {
		return group, false
	}
	return strings.TrimSuffix(group, Default) + suffix, true
}

// Unreplace maps a group of the given suffix back to its default name. It reports
// false when the group does not end in "."+suffix, and returns it unchanged.
func Unreplace(group, suffix string) (string, bool) {
	if !strings.HasSuffix(group, "."+suffix) {
		return group, false
	}
	return strings.TrimSuffix(group, suffix) + Default, true
}

// Validate checks that a suffix can form API group names: a DNS-1123 subdomain
// with at least two labels, as a group name made from it must be one too.
func Validate(suffix string) error {
	if errs := validation.IsDNS1123Subdomain(suffix); len(errs) > 0 {
		return fmt.Errorf("invalid API group suffix %q: %s", suffix, strings.Join(errs, "; "))
	}
	if !strings.Contains(suffix, ".") {
		return fmt.Errorf("invalid API group suffix %q: must have at least two DNS labels, like example.com", suffix)
	}
	return nil
}
