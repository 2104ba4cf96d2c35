package backendtest

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// rangeObject is one object of the time-range calendar, with what the
// suite expects of it.
type rangeObject struct {
	name string
	data []byte
}

func rangeObjects() []rangeObject {
	return []rangeObject{
		{"single.ics", event("single", "20260310T100000Z", "20260310T110000Z")},
		{"bounded.ics", event("bounded", "20260105T090000Z", "20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5")},
		{"until.ics", event("until", "20260201T090000Z", "20260201T093000Z", "RRULE:FREQ=WEEKLY;UNTIL=20260215T090000Z")},
		{"unbounded.ics", event("unbounded", "20250101T120000Z", "20250101T130000Z", "RRULE:FREQ=WEEKLY")},
		{"rdate.ics", event("rdate", "20260105T090000Z", "20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=2", "RDATE:20260415T090000Z")},
		{"override.ics", ics(append(
			eventLines("override", "20260105T090000Z", "20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=3"),
			eventLines("override", "20260520T090000Z", "20260520T100000Z", "RECURRENCE-ID:20260106T090000Z")...)...)},
		{"allday.ics", ics("BEGIN:VEVENT", "UID:allday", "DTSTAMP:20260101T000000Z",
			"DTSTART;VALUE=DATE:20260401", "DTEND;VALUE=DATE:20260402", "END:VEVENT")},
		{"floating.ics", event("floating", "20260501T100000", "20260501T110000")},
		{"zoned.ics", ics("BEGIN:VEVENT", "UID:zoned", "DTSTAMP:20260101T000000Z",
			"DTSTART;TZID=Europe/Berlin:20260701T100000", "DURATION:PT1H", "END:VEVENT")},
		{"todo-nodates.ics", ics("BEGIN:VTODO", "UID:todo-nodates", "DTSTAMP:20260101T000000Z", "SUMMARY:whenever", "END:VTODO")},
		{"todo-due.ics", ics("BEGIN:VTODO", "UID:todo-due", "DTSTAMP:20260101T000000Z", "DUE:20260601T120000Z", "END:VTODO")},
		{"todo-start.ics", ics("BEGIN:VTODO", "UID:todo-start", "DTSTAMP:20260101T000000Z",
			"DTSTART:20260801T080000Z", "DURATION:PT2H", "END:VTODO")},
	}
}

func runTimeRange(t *testing.T, newStore NewStore) {
	setup := func(t *testing.T) *fixture {
		f := newFixture(t, newStore)
		for _, o := range rangeObjects() {
			f.put(t, f.aliceCal+o.name, o.data)
		}
		// Noise in other calendars must never show up.
		f.put(t, f.bobCal+"single.ics", event("single", "20260310T100000Z", "20260310T110000Z"))
		other := f.newCalendar(t, f.alice, "other")
		f.put(t, other+"single2.ics", event("single2", "20260310T100000Z", "20260310T110000Z"))
		return f
	}
	// Objects with no time at all (a VTODO without DTSTART, DUE or
	// COMPLETED) overlap every range (RFC 4791 §9.9), and an unbounded
	// rule every range after its start.
	always := []string{"todo-nodates"}
	cases := []struct {
		name       string
		start, end string
		want       []string // must be among the candidates
		notWant    []string // must not: at least a day away from the range
	}{
		{"Single", "20260310T000000Z", "20260311T000000Z",
			[]string{"single", "unbounded"},
			[]string{"bounded", "until", "allday", "floating", "zoned", "todo-due", "todo-start"}},
		{"RecurringBoundedByCount", "20260107T000000Z", "20260108T000000Z",
			[]string{"bounded", "unbounded", "override"},
			[]string{"single", "until", "allday", "floating", "zoned", "todo-due", "todo-start"}},
		{"AfterCountEnds", "20260120T000000Z", "20260121T000000Z",
			[]string{"unbounded"},
			[]string{"bounded", "single", "until"}},
		{"RecurringBoundedByUntil", "20260215T000000Z", "20260216T000000Z",
			[]string{"until"},
			[]string{"bounded", "single"}},
		{"AfterUntilEnds", "20260301T000000Z", "20260302T000000Z",
			[]string{"unbounded"},
			[]string{"until", "bounded"}},
		{"BeforeUnboundedStarts", "20240101T000000Z", "20240201T000000Z",
			nil,
			[]string{"unbounded", "single", "bounded", "until", "rdate", "override", "allday", "floating", "zoned", "todo-due", "todo-start"}},
		{"UnboundedFarFuture", "20400101T000000Z", "20400201T000000Z",
			[]string{"unbounded"},
			[]string{"single", "bounded", "until", "rdate", "override", "allday", "floating", "zoned", "todo-due", "todo-start"}},
		{"RDATEExtendsLast", "20260415T080000Z", "20260415T100000Z",
			[]string{"rdate"},
			[]string{"bounded", "single"}},
		{"OverrideMovedLater", "20260520T000000Z", "20260521T000000Z",
			[]string{"override"},
			[]string{"bounded", "single", "rdate"}},
		{"AllDay", "20260401T120000Z", "20260401T130000Z",
			[]string{"allday"},
			[]string{"single", "floating"}},
		{"AllDayNotNextWeek", "20260408T000000Z", "20260409T000000Z",
			nil,
			[]string{"allday"}},
		{"FloatingFarWest", "20260501T213000Z", "20260501T220000Z", // 10:30 at UTC-11:30ish
			[]string{"floating"},
			[]string{"single", "allday"}},
		{"FloatingFarEast", "20260430T203000Z", "20260430T210000Z", // 10:30 at UTC+14
			[]string{"floating"},
			nil},
		{"FloatingNotDaysLater", "20260504T000000Z", "20260505T000000Z",
			nil,
			[]string{"floating"}},
		{"Zoned", "20260701T083000Z", "20260701T084500Z", // 10:30 in Berlin (CEST)
			[]string{"zoned"},
			[]string{"single", "floating"}},
		{"ZonedNotDaysLater", "20260704T000000Z", "20260705T000000Z",
			nil,
			[]string{"zoned"}},
		{"TodoDue", "20260601T113000Z", "20260601T123000Z",
			[]string{"todo-due"},
			[]string{"todo-start", "single"}},
		{"TodoStartDuration", "20260801T090000Z", "20260801T093000Z",
			[]string{"todo-start"},
			[]string{"todo-due", "single"}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			f := setup(t)
			start, end := utc(c.start), utc(c.end)
			objs, err := f.s.ObjectsInRange(f.ctx, f.aliceCal, start, end)
			noErr(t, "ObjectsInRange", err)
			got := map[string]bool{}
			for _, o := range objs {
				if !strings.HasPrefix(o.Path, f.aliceCal) {
					t.Errorf("ObjectsInRange returned %s, outside %s", o.Path, f.aliceCal)
				}
				if len(o.Data) == 0 || o.ETag == "" {
					t.Errorf("ObjectsInRange returned an incomplete object %s", o.Path)
				}
				got[o.UID] = true
			}
			for _, uid := range append(append([]string(nil), always...), c.want...) {
				if !got[uid] {
					t.Errorf("[%s, %s): %s missing from candidates %v", c.start, c.end, uid, keys(got))
				}
			}
			for _, uid := range c.notWant {
				if got[uid] {
					t.Errorf("[%s, %s): %s among candidates %v, but is days away", c.start, c.end, uid, keys(got))
				}
			}
		})
	}
	t.Run("IndexAsMakeIndex", func(t *testing.T) {
		f := setup(t)
		for _, o := range rangeObjects() {
			want, err := backend.MakeIndex(o.data)
			noErr(t, "MakeIndex("+o.name+")", err)
			sameIndex(t, o.name, f.get(t, f.aliceCal+o.name).Index, want)
		}
		u := f.get(t, f.aliceCal+"unbounded.ics")
		if !u.Unbounded || !u.Last.IsZero() || !u.First.Equal(utc("20250101T120000Z")) {
			t.Errorf("unbounded rule indexed as %+v, want First 2025-01-01T12:00Z, Unbounded, zero Last", u.Index)
		}
		b := f.get(t, f.aliceCal+"bounded.ics")
		if b.Unbounded || !b.First.Equal(utc("20260105T090000Z")) || !b.Last.Equal(utc("20260109T100000Z")) {
			t.Errorf("COUNT=5 rule indexed as %+v, want 2026-01-05T09:00Z to 2026-01-09T10:00Z", b.Index)
		}
		if n := f.get(t, f.aliceCal+"todo-nodates.ics"); !n.First.IsZero() || n.Component != "VTODO" {
			t.Errorf("VTODO without dates indexed as %+v, want zero First", n.Index)
		}
	})
	t.Run("AfterUpdateAndDelete", func(t *testing.T) {
		f := setup(t)
		in := func(uid, s, e string) bool {
			objs, err := f.s.ObjectsInRange(f.ctx, f.aliceCal, utc(s), utc(e))
			noErr(t, "ObjectsInRange", err)
			for _, o := range objs {
				if o.UID == uid {
					return true
				}
			}
			return false
		}
		f.put(t, f.aliceCal+"single.ics", event("single", "20261010T100000Z", "20261010T110000Z"))
		if in("single", "20260310T000000Z", "20260311T000000Z") || !in("single", "20261010T000000Z", "20261011T000000Z") {
			t.Errorf("ObjectsInRange does not follow a rescheduled object")
		}
		noErr(t, "DeleteObject", f.s.DeleteObject(f.ctx, f.aliceCal+"single.ics", ""))
		if in("single", "20261010T000000Z", "20261011T000000Z") {
			t.Errorf("ObjectsInRange returns a deleted object")
		}
	})
	t.Run("UnknownCalendar", func(t *testing.T) {
		f := newFixture(t, newStore)
		_, err := f.s.ObjectsInRange(f.ctx, f.alice.HomePath+"nope/", time.Unix(0, 0), time.Now())
		wantErr(t, "ObjectsInRange(unknown calendar)", err, backend.ErrNotFound)
	})
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
