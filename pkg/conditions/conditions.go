// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package conditions holds the status-condition conventions that every controller of
// both servers follows: the results of a sync are merged into an object's existing
// conditions so that lastTransitionTime moves only when a status really changes, every
// condition carries the object's generation, the list is sorted by type, and a summary
// Ready condition and a phase are derived from the others.
package conditions

import (
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Names shared by the status of every resource that reports conditions.
const (
	// TypeReady is the summary condition: True only when every other condition is True.
	TypeReady = "Ready"

	// ReasonSuccess is the reason of every True condition.
	ReasonSuccess = "Success"

	// ReasonNotReady is the reason of a False Ready condition.
	ReasonNotReady = "NotReady"

	// ReasonUnableToValidate is the reason of a check that was skipped because a check it
	// depends on did not pass.
	ReasonUnableToValidate = "UnableToValidate"

	// MessageUnableToValidate is the message that goes with ReasonUnableToValidate.
	MessageUnableToValidate = "unable to validate; see other conditions for details"
)

// Phase is the one-word summary of a list of conditions. Each API declares its own
// phase type with the same values; convert with a plain type conversion.
type Phase string

const (
	// PhasePending means the checks have not all run yet: there are no conditions, or
	// some are Unknown while none is False.
	PhasePending Phase = "Pending"

	// PhaseReady means every condition is True.
	PhaseReady Phase = "Ready"

	// PhaseError means at least one condition is False.
	PhaseError Phase = "Error"
)

// True returns a passing condition of a type.
func True(conditionType, message string) metav1.Condition {
	return metav1.Condition{
		Type:    conditionType,
		Status:  metav1.ConditionTrue,
		Reason:  ReasonSuccess,
		Message: message,
	}
}

// False returns a failing condition of a type.
func False(conditionType, reason, message string) metav1.Condition {
	return metav1.Condition{
		Type:    conditionType,
		Status:  metav1.ConditionFalse,
		Reason:  reason,
		Message: message,
	}
}

// Unknown returns a condition of a type whose check was skipped because a check it
// depends on did not pass.
func Unknown(conditionType string) metav1.Condition {
	return metav1.Condition{
		Type:    conditionType,
		Status:  metav1.ConditionUnknown,
		Reason:  ReasonUnableToValidate,
		Message: MessageUnableToValidate,
	}
}

// AllTrue reports whether every condition in the list is True. An empty list is.
func AllTrue(conditions []metav1.Condition) bool {
	for _, c := range conditions {
		if c.Status != metav1.ConditionTrue {
			return false
		}
	}
	return true
}

// WithReady returns the conditions followed by a Ready condition that summarizes them.
// Any Ready condition already in the list is left out of the summary and replaced.
// The noun names the object in the Ready message, e.g. "JWTAuthenticator".
func WithReady(conditions []metav1.Condition, noun string) []metav1.Condition {
	out := make([]metav1.Condition, 0, len(conditions)+1)
	for _, c := range conditions {
		if c.Type != TypeReady {
			out = append(out, c)
		}
	}
	if AllTrue(out) {
		return append(out, True(TypeReady, "the "+noun+" is ready"))
	}
	return append(out, False(TypeReady, ReasonNotReady,
		"the "+noun+" is not ready: see other conditions for details"))
}

// PhaseOf summarizes conditions as a phase: Error when any is False, Pending when there
// are none or any is Unknown, Ready otherwise. A Ready condition in the list is ignored,
// since it only restates the others.
func PhaseOf(conditions []metav1.Condition) Phase {
	counted, unknown := 0, false
	for _, c := range conditions {
		if c.Type == TypeReady {
			continue
		}
		counted++
		switch c.Status {
		case metav1.ConditionTrue:
		case metav1.ConditionFalse:
			return PhaseError
		default:
			unknown = true
		}
	}
	if counted == 0 || unknown {
		return PhasePending
	}
	return PhaseReady
}

// Merge returns the conditions an object should carry after a sync: exactly the
// desired ones, sorted by type, each with the given generation as observedGeneration.
// A condition whose status is unchanged from the existing condition of its type keeps
// that lastTransitionTime; any other gets now. Existing conditions whose type is not
// desired are dropped, because a controller reports its complete set on every sync.
// Neither input is modified.
func Merge(existing, desired []metav1.Condition, generation int64, now metav1.Time) []metav1.Condition {
	// The API server stores times with second precision; rounding here keeps a merged
	// list equal to what a later read returns.
	now = now.Rfc3339Copy()
	previous := make(map[string]metav1.Condition, len(existing))
	for _, c := range existing {
		previous[c.Type] = c
	}
	merged := make([]metav1.Condition, 0, len(desired))
	for _, c := range desired {
		c.ObservedGeneration = generation
		c.LastTransitionTime = now
		if old, ok := previous[c.Type]; ok && old.Status == c.Status && !old.LastTransitionTime.IsZero() {
			c.LastTransitionTime = old.LastTransitionTime
		}
		merged = append(merged, c)
	}
	sort.SliceStable(merged, func(i, j int) bool { return merged[i].Type < merged[j].Type })
	return merged
}

// Equal reports whether two condition lists say the same thing, in the same order,
// ignoring lastTransitionTime, so that a controller can skip a status write that
// would change nothing.
func Equal(a, b []metav1.Condition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason ||
			x.Message != y.Message || x.ObservedGeneration != y.ObservedGeneration {
			return false
		}
	}
	return true
}
