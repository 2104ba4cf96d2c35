package freebusy

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestComputeLeavesObjectsAlone checks that the reused memory of
// pruneOverridesInto never aliases a calendar's own list of components:
// after Compute (whose half-year window prunes the overrides of some series), every
// calendar still has exactly the children it had, and a second Compute
// gives the same answer.
func TestComputeLeavesObjectsAlone(t *testing.T) {
	var objects []Object // only the series, so that they follow each other
	for i, o := range benchObjects(t, 3000) {
		if i%5 == 0 {
			objects = append(objects, o)
		}
	}
	before := make([][]*ical.Component, len(objects))
	for i, o := range objects {
		before[i] = append([]*ical.Component(nil), o.Calendar.Children...)
	}
	// Half a year: some series keep all their overrides, others not.
	q := Query{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		Addresses: []string{"mailto:alice@example.com"}}
	first, err := Compute(context.Background(), q, objects)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range objects {
		if len(o.Calendar.Children) != len(before[i]) {
			t.Fatalf("object %d: %d children, had %d", i, len(o.Calendar.Children), len(before[i]))
		}
		for j, c := range o.Calendar.Children {
			if c != before[i][j] {
				t.Fatalf("object %d: child %d replaced", i, j)
			}
		}
	}
	second, err := Compute(context.Background(), q, objects)
	if err != nil || len(first.Periods) == 0 || len(second.Periods) != len(first.Periods) {
		t.Fatalf("%d then %d periods, %v", len(first.Periods), len(second.Periods), err)
	}
	for i := range first.Periods {
		if first.Periods[i] != second.Periods[i] {
			t.Fatalf("period %d: %v then %v", i, first.Periods[i], second.Periods[i])
		}
	}
}

// TestComputeChecksOnlyWhatTheRangeNeeds pins the documented choice that
// objects and overrides far from the range are neither expanded nor
// validated: the same bad override is a problem when the range reaches
// it and none when it does not, while the series itself counts in both.
func TestComputeChecksOnlyWhatTheRangeNeeds(t *testing.T) {
	cal := calendar(t, `BEGIN:VEVENT
UID:series
DTSTAMP:20251201T000000Z
DTSTART:20260105T100000Z
DTEND:20260105T110000Z
RRULE:FREQ=WEEKLY
END:VEVENT
BEGIN:VEVENT
UID:series
DTSTAMP:20251201T000000Z
RECURRENCE-ID:20260601T100000Z
DTSTART;TZID=Nowhere/Land:20260601T120000
DTEND;TZID=Nowhere/Land:20260601T130000
END:VEVENT`)
	for _, tc := range []struct {
		name       string
		start, end time.Time
		problems   int
	}{
		{"january", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC), 0},
		{"june", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(context.Background(), Query{Start: tc.start, End: tc.end}, []Object{{Calendar: cal}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) != tc.problems {
				t.Errorf("%d problems (%v), want %d", len(res.Problems), res.Problems, tc.problems)
			}
			if tc.problems == 0 && len(res.Periods) != 1 {
				t.Errorf("periods %v, want the one weekly instance", res.Periods)
			}
		})
	}
}
