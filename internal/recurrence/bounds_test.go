package recurrence

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

func TestBounds(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse("20060102T150405Z", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name        string
		lines       []string
		first, last time.Time
		unbounded   bool
	}{
		{"single", []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z"},
			utc("20260105T090000Z"), utc("20260105T100000Z"), false},
		{"count-52", []string{"DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=52"},
			utc("20260105T090000Z"), utc("20261228T100000Z"), false},
		{"until", []string{"DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;UNTIL=20260110T090000Z"},
			utc("20260105T090000Z"), utc("20260110T100000Z"), false},
		{"exdate-last", []string{"DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260107T090000Z"},
			utc("20260105T090000Z"), utc("20260106T100000Z"), false},
		{"rdate-later", []string{"DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3", "RDATE;VALUE=PERIOD:20270101T000000Z/PT5H"},
			utc("20260105T090000Z"), utc("20270101T050000Z"), false},
		{"forever", []string{"DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY"},
			utc("20260105T090000Z"), utc("20260105T100000Z"), true},
		{"all-day", []string{"DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=YEARLY;COUNT=2"},
			utc("20260105T000000Z"), utc("20270106T000000Z"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal, comps := event(t, tc.lines...)
			first, last, unbounded, err := Bounds(context.Background(), comps, tz.NewResolver(cal), time.UTC, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !first.Equal(tc.first) || !last.Equal(tc.last) || unbounded != tc.unbounded {
				t.Fatalf("got %s %s %v; want %s %s %v", first, last, unbounded, tc.first, tc.last, tc.unbounded)
			}
		})
	}
}

func TestBoundsOverridesMoveTheEnds(t *testing.T) {
	cal := decodeFile(t, "testdata/expand/overrides-exdate-rdate.ics")
	first, last, unbounded, err := Bounds(context.Background(), objectComponents(cal), tz.NewResolver(cal), time.UTC, Limits{})
	if err != nil || unbounded {
		t.Fatal(err, unbounded)
	}
	// First: DTSTART; last: the override moved to March 1st.
	if first != time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) || last != time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC) {
		t.Fatalf("got %s .. %s", first, last)
	}
}

func TestExpandErrors(t *testing.T) {
	res := tz.NewResolver(nil)
	_, one := event(t, "DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY")
	_, other := event(t, "DTSTART:20260106T090000Z")
	two := append(one[:1:1], other...)
	noop := func(Instance) bool { return true }
	cases := map[string]struct {
		err  error
		call func() error
	}{
		"two masters": {ErrInvalid, func() error {
			return Expand(context.Background(), two, res, time.UTC, jan2026, feb2026, Limits{}, noop)
		}},
		"window reversed": {ErrInvalid, func() error {
			return Expand(context.Background(), one, res, time.UTC, feb2026, jan2026, Limits{}, noop)
		}},
		"window too long": {ErrLimit, func() error {
			return Expand(context.Background(), one, res, time.UTC, jan2026, jan2026.AddDate(0, 0, 11), Limits{MaxWindow: 10 * 24 * time.Hour}, noop)
		}},
		"instances": {ErrLimit, func() error {
			return Expand(context.Background(), one, res, time.UTC, jan2026, feb2026, Limits{MaxInstances: 3}, noop)
		}},
		"steps": {ErrLimit, func() error {
			_, c := event(t, "DTSTART:20000105T090000Z", "RRULE:FREQ=DAILY;BYHOUR=9;COUNT=100000")
			return Expand(context.Background(), c, res, time.UTC, jan2026, feb2026, Limits{MaxSteps: 1000}, noop)
		}},
		"bad rrule": {ErrInvalid, func() error {
			_, c := event(t, "DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;BYHOUR=25")
			return Expand(context.Background(), c, res, time.UTC, jan2026, feb2026, Limits{}, noop)
		}},
		"count and until": {ErrInvalid, func() error {
			_, c := event(t, "DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260110T000000Z")
			return Expand(context.Background(), c, res, time.UTC, jan2026, feb2026, Limits{}, noop)
		}},
		"unknown tzid": {tz.ErrUnknownTZID, func() error {
			_, c := event(t, "DTSTART;TZID=Nowhere/Special:20260105T090000")
			return Expand(context.Background(), c, res, time.UTC, jan2026, feb2026, Limits{}, noop)
		}},
		"bad duration": {ErrInvalid, func() error {
			_, c := event(t, "DTSTART:20260105T090000Z", "DURATION:1H")
			return Expand(context.Background(), c, res, time.UTC, jan2026, feb2026, Limits{}, noop)
		}},
	}
	for name, tc := range cases {
		if err := tc.call(); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
}

func TestExpandStopsWhenYieldReturnsFalse(t *testing.T) {
	cal, comps := event(t, "DTSTART:20260101T090000Z", "RRULE:FREQ=DAILY")
	n := 0
	err := Expand(context.Background(), comps, tz.NewResolver(cal), time.UTC, jan2026, feb2026, Limits{},
		func(Instance) bool { n++; return n < 3 })
	if err != nil || n != 3 {
		t.Fatalf("%d instances, %v", n, err)
	}
}

// An override's RECURRENCE-ID may be written in another zone, or in UTC,
// than the master's DTSTART: instances are matched by instant.
func TestOverrideMatchedByInstant(t *testing.T) {
	cal, comps := event(t, "DTSTART;TZID=Europe/Berlin:20260105T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3")
	_, ov := event(t, "RECURRENCE-ID;TZID=America/New_York:20260106T030000", "DTSTART:20260106T120000Z", "DURATION:PT1H")
	_, ov2 := event(t, "RECURRENCE-ID:20260107T080000Z", "DTSTART:20260107T130000Z", "DURATION:PT1H")
	all := append(append(comps, ov...), ov2...)
	var got []string
	err := Expand(context.Background(), all, tz.NewResolver(cal), time.UTC, jan2026, feb2026, Limits{},
		func(in Instance) bool { got = append(got, formatInstance(in)); return true })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2026-01-05T09:00:00+01:00 2026-01-05T10:00:00+01:00 rid=2026-01-05T08:00:00Z",
		"2026-01-06T12:00:00Z 2026-01-06T13:00:00Z rid=2026-01-06T08:00:00Z override",
		"2026-01-07T13:00:00Z 2026-01-07T14:00:00Z rid=2026-01-07T08:00:00Z override",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %q\nwant %q", got[i], want[i])
		}
	}
}
