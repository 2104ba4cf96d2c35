package tz

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// roundTripOffsets generates a VTIMEZONE for loc over [from, to], resolves
// it through a Resolver under an alias and returns the first instant
// (checked at every change of loc and daily) where the offsets
// differ, or the zero time.
func roundTripOffsets(t testing.TB, name string, loc *time.Location, from, to time.Time) (time.Time, *ical.Component) {
	t.Helper()
	alias := "X-Generated " + strings.ReplaceAll(name, "/", " ")
	vtz, err := GenerateVTimezone(alias, loc, from, to)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	cal := ical.NewCalendar()
	cal.Children = []*ical.Component{vtz}
	got, err := NewResolver(cal).Location(alias)
	if err != nil {
		t.Fatalf("%s: resolving the generated VTIMEZONE: %v\n%s", name, err, encodeComponent(vtz))
	}
	check := func(at time.Time) bool { return offsetAt(at, got) == offsetAt(at, loc) }
	for at := from; at.Before(to); {
		_, end := at.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		if !end.After(at) {
			at = at.Add(time.Minute)
			continue
		}
		if !check(end.Add(-time.Second)) {
			return end.Add(-time.Second), vtz
		}
		if !check(end) {
			return end, vtz
		}
		at = end
	}
	for at := from; at.Before(to); at = at.Add(24 * time.Hour) {
		if !check(at) {
			return at, vtz
		}
	}
	return time.Time{}, vtz
}

// Every zone of the embedded database round-trips over 2020-2030 and a
// two-year range.
func TestGenerateVTimezoneEveryZone(t *testing.T) {
	idx, err := zoneIndex()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(idx))
	for _, f := range idx {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	ranges := [][2]time.Time{
		{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	if testing.Short() {
		ranges = ranges[1:]
	}
	failed := 0
	for _, name := range names {
		loc, ok, err := ianaLocation(name)
		if err != nil || !ok {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range ranges {
			if at, vtz := roundTripOffsets(t, name, loc, r[0], r[1]); !at.IsZero() && failed < 5 {
				failed++
				t.Errorf("%s %d-%d: offsets differ at %s\n%s", name, r[0].Year(), r[1].Year(), at.Format(time.RFC3339), encodeComponent(vtz))
			}
		}
	}
	if len(names) < 300 {
		t.Errorf("only %d zones", len(names))
	}
}
