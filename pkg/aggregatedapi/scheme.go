// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package aggregatedapi

import (
	"fmt"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/sealworks/pinniped/pkg/groupsuffix"
)

// NewScheme returns a scheme holding the types that each addToScheme registers,
// with every Pinniped group renamed for the API group suffix. The Go types do not
// change with the suffix, so conversions and defaults registered by type keep
// working; only the group names the server announces and accepts do.
func NewScheme(suffix string, addToScheme ...func(*runtime.Scheme) error) (*runtime.Scheme, error) {
	if err := groupsuffix.Validate(suffix); err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	for _, add := range addToScheme {
		// Register into a scratch scheme first to learn the kinds, then again under
		// the renamed groups.
		scratch := runtime.NewScheme()
		if err := add(scratch); err != nil {
			return nil, fmt.Errorf("could not build scheme: %w", err)
		}
		// The conversion and defaulting functions are keyed by Go type, not group.
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("could not build scheme: %w", err)
		}
		for gvk, goType := range scratch.AllKnownTypes() {
			group, ours := groupsuffix.Replace(gvk.Group, suffix)
			if !ours {
				continue
			}
			renamed := schema.GroupVersionKind{Group: group, Version: gvk.Version, Kind: gvk.Kind}
			if obj, ok := reflect.New(goType).Interface().(runtime.Object); ok {
				scheme.AddKnownTypeWithName(renamed, obj)
			}
			if gvk.Version != runtime.APIVersionInternal {
				metav1.AddToGroupVersion(scheme, renamed.GroupVersion())
			}
		}
	}

	// What every API server needs for its discovery and status responses.
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	metav1.AddToGroupVersion(scheme, unversioned)
	scheme.AddUnversionedTypes(unversioned,
		&metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{},
		&metav1.APIGroup{}, &metav1.APIResourceList{})
	return scheme, nil
}
