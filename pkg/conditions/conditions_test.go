// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package conditions

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var (
	earlier = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	// now has sub-second precision on purpose: Merge must round it.
	now        = metav1.NewTime(time.Date(2026, 1, 2, 4, 0, 0, 123456789, time.UTC))
	nowRounded = metav1.NewTime(time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC))
)

func TestMerge(t *testing.T) {
	tests := []struct {
		name     string
		existing []metav1.Condition
		desired  []metav1.Condition
		want     []metav1.Condition
	}{
		{
			name:    "first_sync_sets_time_and_generation_and_sorts",
			desired: []metav1.Condition{True("B", "b ok"), False("A", "Bad", "a failed")},
			want: []metav1.Condition{
				{Type: "A", Status: "False", Reason: "Bad", Message: "a failed", ObservedGeneration: 7,
					LastTransitionTime: nowRounded},
				{Type: "B", Status: "True", Reason: "Success", Message: "b ok", ObservedGeneration: 7,
					LastTransitionTime: nowRounded},
			},
		},
		{
			name: "unchanged_status_keeps_time_even_when_message_changes",
			existing: []metav1.Condition{
				{Type: "A", Status: "False", Reason: "Bad", Message: "old", ObservedGeneration: 6,
					LastTransitionTime: earlier},
			},
			desired: []metav1.Condition{False("A", "Worse", "new")},
			want: []metav1.Condition{
				{Type: "A", Status: "False", Reason: "Worse", Message: "new", ObservedGeneration: 7,
					LastTransitionTime: earlier},
			},
		},
		{
			name: "changed_status_moves_time",
			existing: []metav1.Condition{
				{Type: "A", Status: "False", Reason: "Bad", Message: "a failed", LastTransitionTime: earlier},
			},
			desired: []metav1.Condition{True("A", "a ok")},
			want: []metav1.Condition{
				{Type: "A", Status: "True", Reason: "Success", Message: "a ok", ObservedGeneration: 7,
					LastTransitionTime: nowRounded},
			},
		},
		{
			name: "conditions_no_longer_reported_are_dropped",
			existing: []metav1.Condition{
				{Type: "Gone", Status: "True", Reason: "Success", LastTransitionTime: earlier},
				{Type: "A", Status: "Unknown", Reason: ReasonUnableToValidate, LastTransitionTime: earlier},
			},
			desired: []metav1.Condition{Unknown("A")},
			want: []metav1.Condition{
				{Type: "A", Status: "Unknown", Reason: "UnableToValidate",
					Message: "unable to validate; see other conditions for details", ObservedGeneration: 7,
					LastTransitionTime: earlier},
			},
		},
		{
			name:     "existing_without_time_gets_one",
			existing: []metav1.Condition{{Type: "A", Status: "True", Reason: "Success"}},
			desired:  []metav1.Condition{True("A", "a ok")},
			want: []metav1.Condition{
				{Type: "A", Status: "True", Reason: "Success", Message: "a ok", ObservedGeneration: 7,
					LastTransitionTime: nowRounded},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.existing, tt.desired, 7, now)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestMergeDoesNotModifyInputs(t *testing.T) {
	desired := []metav1.Condition{True("B", "b"), True("A", "a")}
	Merge(nil, desired, 3, now)
	require.Equal(t, []metav1.Condition{True("B", "b"), True("A", "a")}, desired)
}

func TestWithReady(t *testing.T) {
	tests := []struct {
		name  string
		input []metav1.Condition
		want  metav1.Condition
	}{
		{
			name:  "all_true",
			input: []metav1.Condition{True("A", "a"), True("B", "b")},
			want:  metav1.Condition{Type: "Ready", Status: "True", Reason: "Success", Message: "the Widget is ready"},
		},
		{
			name:  "one_false",
			input: []metav1.Condition{True("A", "a"), False("B", "Bad", "b")},
			want: metav1.Condition{Type: "Ready", Status: "False", Reason: "NotReady",
				Message: "the Widget is not ready: see other conditions for details"},
		},
		{
			name:  "one_unknown",
			input: []metav1.Condition{True("A", "a"), Unknown("B")},
			want: metav1.Condition{Type: "Ready", Status: "False", Reason: "NotReady",
				Message: "the Widget is not ready: see other conditions for details"},
		},
		{
			name:  "stale_ready_is_replaced_not_counted",
			input: []metav1.Condition{True("A", "a"), False("Ready", "NotReady", "old")},
			want:  metav1.Condition{Type: "Ready", Status: "True", Reason: "Success", Message: "the Widget is ready"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WithReady(tt.input, "Widget")
			var want []metav1.Condition
			for _, c := range tt.input {
				if c.Type != "Ready" {
					want = append(want, c)
				}
			}
			require.Equal(t, append(want, tt.want), got)
		})
	}
}

func TestPhaseOf(t *testing.T) {
	tests := []struct {
		name  string
		input []metav1.Condition
		want  Phase
	}{
		{name: "none_is_pending", want: PhasePending},
		{name: "all_true_is_ready", input: []metav1.Condition{True("A", ""), True("B", "")}, want: PhaseReady},
		{name: "unknown_is_pending", input: []metav1.Condition{Unknown("A"), True("B", "")}, want: PhasePending},
		{name: "only_ready_is_pending", input: []metav1.Condition{True("Ready", "")}, want: PhasePending},
		{
			name:  "ready_condition_is_ignored",
			input: []metav1.Condition{True("A", ""), False("Ready", "NotReady", "")},
			want:  PhaseReady,
		},
		{
			name:  "false_wins_over_unknown",
			input: []metav1.Condition{Unknown("A"), False("B", "Bad", ""), True("C", "")},
			want:  PhaseError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, PhaseOf(tt.input))
		})
	}
}

func TestEqual(t *testing.T) {
	base := Merge(nil, []metav1.Condition{True("A", "a"), False("B", "Bad", "b")}, 2, now)
	tests := []struct {
		name   string
		change func([]metav1.Condition) []metav1.Condition
		want   bool
	}{
		{name: "identical", change: func(c []metav1.Condition) []metav1.Condition { return c }, want: true},
		{
			name: "only_transition_time_differs",
			change: func(c []metav1.Condition) []metav1.Condition {
				c[0].LastTransitionTime = earlier
				return c
			},
			want: true,
		},
		{
			name:   "message_differs",
			change: func(c []metav1.Condition) []metav1.Condition { c[1].Message = "x"; return c },
		},
		{
			name:   "reason_differs",
			change: func(c []metav1.Condition) []metav1.Condition { c[1].Reason = "x"; return c },
		},
		{
			name:   "status_differs",
			change: func(c []metav1.Condition) []metav1.Condition { c[0].Status = "Unknown"; return c },
		},
		{
			name:   "generation_differs",
			change: func(c []metav1.Condition) []metav1.Condition { c[0].ObservedGeneration = 3; return c },
		},
		{
			name:   "length_differs",
			change: func(c []metav1.Condition) []metav1.Condition { return c[:1] },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := tt.change(append([]metav1.Condition(nil), base...))
			require.Equal(t, tt.want, Equal(base, other))
		})
	}
}
