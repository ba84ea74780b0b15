// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package groupsuffix

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// RenderCRD rewrites a CRD manifest of a Pinniped group for another suffix: the
// group and the CRD's name (<plural>.<group>) change; nothing else does. The rule
// that OIDCClient names start with "client.oauth.pinniped.dev-" is kept as is,
// because client IDs appear in issued tokens and do not follow the suffix.
func RenderCRD(manifest []byte, suffix string) ([]byte, error) {
	if err := Validate(suffix); err != nil {
		return nil, err
	}
	// Unstructured, so that every field of the input survives untouched.
	var crd unstructured.Unstructured
	if err := yaml.Unmarshal(manifest, &crd.Object); err != nil {
		return nil, fmt.Errorf("could not parse CRD manifest: %w", err)
	}
	if crd.GetKind() != "CustomResourceDefinition" {
		return nil, fmt.Errorf("manifest is a %q, not a CustomResourceDefinition", crd.GetKind())
	}
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	newGroup, ok := Replace(group, suffix)
	if !ok || plural == "" {
		return nil, fmt.Errorf("CRD %q is not a CRD of a %s group", crd.GetName(), Default)
	}
	if err := unstructured.SetNestedField(crd.Object, newGroup, "spec", "group"); err != nil {
		return nil, fmt.Errorf("could not set the group of CRD %q: %w", crd.GetName(), err)
	}
	crd.SetName(plural + "." + newGroup)

	out, err := yaml.Marshal(crd.Object)
	if err != nil {
		return nil, fmt.Errorf("could not encode CRD %q: %w", crd.GetName(), err)
	}
	return append([]byte("---\n"), out...), nil
}
