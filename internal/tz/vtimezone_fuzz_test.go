package tz

import (
	"errors"
	"sort"
	"testing"
	"time"
)

// FuzzGenerateVTimezone generates VTIMEZONEs for any zone of the embedded
// database over any range: either a typed error, or a VTIMEZONE that the
// Resolver reads back to the same offsets over the range.
func FuzzGenerateVTimezone(f *testing.F) {
	idx, err := zoneIndex()
	if err != nil {
		f.Fatal(err)
	}
	names := make([]string, 0, len(idx))
	for _, z := range idx {
		names = append(names, z.Name)
	}
	sort.Strings(names)
	f.Add(uint16(0), int16(2026), uint8(1))
	f.Add(uint16(100), int16(1900), uint8(200))
	f.Add(uint16(300), int16(2100), uint8(3))
	f.Add(uint16(7), int16(0), uint8(0))
	f.Add(uint16(42), int16(9998), uint8(5))
	f.Fuzz(func(t *testing.T, zone uint16, year int16, span uint8) {
		name := names[int(zone)%len(names)]
		loc, ok, err := ianaLocation(name)
		if err != nil || !ok {
			t.Fatalf("%s: %v", name, err)
		}
		from := time.Date(int(year), 6, 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(int(span), 0, 0)
		if _, err := GenerateVTimezone(name, loc, from, to); err != nil {
			if !errors.Is(err, ErrVTimezoneGeneration) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if from.Year() < 1800 || span > 20 {
			return // valid, but too slow to compare in a fuzz loop
		}
		if to.Year() > 2190 && !fixedOffset(loc, from, to) {
			return // the Resolver expands VTIMEZONE onsets up to 2200 only
		}
		if at, vtz := roundTripOffsets(t, name, loc, from, to); !at.IsZero() {
			t.Fatalf("%s %s..%s: offsets differ at %s\n%s", name, from.Format("2006"), to.Format("2006"), at.Format(time.RFC3339), encodeComponent(vtz))
		}
	})
}

// fixedOffset reports whether loc keeps one offset from the year before
// from to the end of to's year.
func fixedOffset(loc *time.Location, from, to time.Time) bool {
	start := time.Date(from.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	_, end := start.In(loc).ZoneBounds()
	return end.IsZero() || end.Year() > to.Year()
}
