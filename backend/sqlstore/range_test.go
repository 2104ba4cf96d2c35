package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// TestObjectsInRangeSuperset stores objects of many shapes and checks, for
// many ranges with odd boundaries (sub-second, zero, reversed), that the
// candidates include every object whose index overlaps the range
// (backend.Index.Overlaps): rounding to whole seconds must never drop one.
func TestObjectsInRangeSuperset(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			stored := map[string]backend.Index{}
			for i := 0; i < 60; i++ {
				start := base.Add(time.Duration(rng.IntN(60*24*3600)) * time.Second)
				var extra []string
				switch i % 6 {
				case 1:
					extra = append(extra, "RRULE:FREQ=DAILY;COUNT=3")
				case 2:
					extra = append(extra, "RRULE:FREQ=WEEKLY")
				case 5: // spans of every class: up to 19 years
					extra = append(extra, []string{"RRULE:FREQ=MONTHLY;COUNT=2", "RRULE:FREQ=WEEKLY;COUNT=40",
						"RRULE:FREQ=YEARLY;COUNT=5", "RRULE:FREQ=YEARLY;COUNT=20"}[i/6%4])
				}
				data := event(fmt.Sprintf("u%02d", i), start.Format("20060102T150405Z"), extra...)
				if i%6 == 3 {
					data = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:" + fmt.Sprintf("u%02d", i) +
						"\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
				}
				if i%6 == 4 { // an instant
					data = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" + fmt.Sprintf("u%02d", i) +
						"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start.Format("20060102T150405Z") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
				}
				o, err := s.PutObject(ctx, fmt.Sprintf("%so%02d.ics", cal, i), data, nil)
				if err != nil {
					t.Fatal(err)
				}
				idx, err := backend.MakeIndex(data)
				if err != nil {
					t.Fatal(err)
				}
				if !sameIndex(o.Index, idx) {
					t.Errorf("%s: stored index %+v, MakeIndex %+v", o.Path, o.Index, idx)
				}
				stored[o.Path] = idx
			}
			classes := map[int]bool{}
			for _, idx := range stored {
				classes[spanClass(floorSeconds(idx.First), ceilSeconds(idx.Last))] = true
			}
			if len(classes) < 6 {
				t.Errorf("objects fall in span classes %v only", classes)
			}
			for q := 0; q < 300; q++ {
				start := base.Add(time.Duration(rng.Int64N(int64(20 * 365 * 24 * time.Hour))))
				if q%2 == 0 {
					start = base.Add(time.Duration(rng.Int64N(int64(70 * 24 * time.Hour))))
				}
				end := start.Add(time.Duration(rng.Int64N(int64(3 * 24 * time.Hour))))
				switch q % 10 {
				case 0:
					start = time.Time{}
				case 1:
					end = time.Time{}
				case 2: // exactly on an object's start
					for _, idx := range stored {
						if !idx.First.IsZero() {
							start, end = idx.First, idx.First.Add(time.Nanosecond)
							break
						}
					}
				}
				objs, err := s.ObjectsInRange(ctx, cal, start, end)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]bool{}
				for _, o := range objs {
					got[o.Path] = true
				}
				for path, idx := range stored {
					if idx.Overlaps(start, end) && !got[path] {
						t.Errorf("[%v, %v): %s (index %+v) missing from candidates", start, end, path, idx)
					}
				}
			}
		})
	}
}

func TestSpanClass(t *testing.T) {
	n := func(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }
	cases := []struct {
		first, last sql.NullInt64
		want        int
	}{
		{sql.NullInt64{}, sql.NullInt64{}, spanTimeless},
		{n(0), sql.NullInt64{}, spanOpen},
		{n(0), n(0), 0},
		{n(0), n(3600), 0},
		{n(0), n(3601), 1},
		{n(100), n(100 + 24*3600), 1},
		{n(0), n(8 * 24 * 3600), 3},
		{n(0), n(400 * 24 * 3600), 5},
		{n(0), n(11 * 366 * 24 * 3600), spanLong},
	}
	for _, c := range cases {
		if got := spanClass(c.first, c.last); got != c.want {
			t.Errorf("spanClass(%v, %v) = %d, want %d", c.first, c.last, got, c.want)
		}
	}
	for c := 1; c < spanClasses; c++ {
		if spanBound(c) <= spanBound(c-1) {
			t.Errorf("spanBound(%d) = %d, not above spanBound(%d)", c, spanBound(c), c-1)
		}
	}
}
