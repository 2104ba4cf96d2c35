package backend_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

func cal(lines ...string) []byte {
	all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}, lines...)
	return []byte(strings.Join(append(all, "END:VCALENDAR", ""), "\r\n"))
}

func comp(name string, lines ...string) []string {
	return append(append([]string{"BEGIN:" + name}, lines...), "END:"+name)
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMakeIndex(t *testing.T) {
	const slack = backend.FloatingSlack
	cases := []struct {
		name string
		data []byte
		want backend.Index
	}{
		{"event with DTEND", cal(comp("VEVENT", "UID:a", "DTSTART:20260310T100000Z", "DTEND:20260310T110000Z")...),
			backend.Index{UID: "a", Component: "VEVENT", First: at("2026-03-10T10:00:00Z"), Last: at("2026-03-10T11:00:00Z")}},
		{"event without end lasts no time", cal(comp("VEVENT", "UID:a", "DTSTART:20260310T100000Z")...),
			backend.Index{UID: "a", Component: "VEVENT", First: at("2026-03-10T10:00:00Z"), Last: at("2026-03-10T10:00:00Z")}},
		{"zoned with DURATION", cal(comp("VEVENT", "UID:z", "DTSTART;TZID=America/New_York:20260310T100000", "DURATION:PT90M")...),
			backend.Index{UID: "z", Component: "VEVENT", First: at("2026-03-10T14:00:00Z"), Last: at("2026-03-10T15:30:00Z")}},
		{"Windows zone name", cal(comp("VEVENT", "UID:win", "DTSTART;TZID=W. Europe Standard Time:20260310T100000", "DURATION:PT1H")...),
			backend.Index{UID: "win", Component: "VEVENT", First: at("2026-03-10T09:00:00Z"), Last: at("2026-03-10T10:00:00Z")}},
		{"zone defined by VTIMEZONE", cal(append(
			[]string{"BEGIN:VTIMEZONE", "TZID:Office Time", "BEGIN:STANDARD", "DTSTART:19700101T000000",
				"TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD", "END:VTIMEZONE"},
			comp("VEVENT", "UID:vtz", "DTSTART;TZID=Office Time:20260310T100000", "DURATION:PT1H")...)...),
			backend.Index{UID: "vtz", Component: "VEVENT", First: at("2026-03-10T04:30:00Z"), Last: at("2026-03-10T05:30:00Z")}},
		{"COUNT", cal(comp("VEVENT", "UID:c", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5")...),
			backend.Index{UID: "c", Component: "VEVENT", First: at("2026-01-05T09:00:00Z"), Last: at("2026-01-09T10:00:00Z")}},
		{"UNTIL with EXDATE of the last", cal(comp("VEVENT", "UID:u", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z",
			"RRULE:FREQ=DAILY;UNTIL=20260109T090000Z", "EXDATE:20260109T090000Z")...),
			backend.Index{UID: "u", Component: "VEVENT", First: at("2026-01-05T09:00:00Z"), Last: at("2026-01-08T10:00:00Z")}},
		{"unbounded", cal(comp("VEVENT", "UID:w", "DTSTART:20250101T120000Z", "DTEND:20250101T130000Z", "RRULE:FREQ=WEEKLY")...),
			backend.Index{UID: "w", Component: "VEVENT", First: at("2025-01-01T12:00:00Z"), Unbounded: true}},
		{"RDATE after the rule", cal(comp("VEVENT", "UID:r", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z",
			"RRULE:FREQ=DAILY;COUNT=2", "RDATE:20260415T090000Z,20260416T090000Z")...),
			backend.Index{UID: "r", Component: "VEVENT", First: at("2026-01-05T09:00:00Z"), Last: at("2026-04-16T10:00:00Z")}},
		{"override moved before the master", cal(append(
			comp("VEVENT", "UID:o", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=3"),
			comp("VEVENT", "UID:o", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20251220T090000Z", "DTEND:20251220T100000Z")...)...),
			backend.Index{UID: "o", Component: "VEVENT", First: at("2025-12-20T09:00:00Z"), Last: at("2026-01-07T10:00:00Z")}},
		{"all-day widened", cal(comp("VEVENT", "UID:d", "DTSTART;VALUE=DATE:20260401", "DTEND;VALUE=DATE:20260403")...),
			backend.Index{UID: "d", Component: "VEVENT", First: at("2026-04-01T00:00:00Z").Add(-slack), Last: at("2026-04-03T00:00:00Z").Add(slack)}},
		{"floating widened", cal(comp("VEVENT", "UID:f", "DTSTART:20260501T100000", "DTEND:20260501T110000")...),
			backend.Index{UID: "f", Component: "VEVENT", First: at("2026-05-01T10:00:00Z").Add(-slack), Last: at("2026-05-01T11:00:00Z").Add(slack)}},
		{"floating unbounded", cal(comp("VEVENT", "UID:fu", "DTSTART:20260501T100000", "RRULE:FREQ=DAILY")...),
			backend.Index{UID: "fu", Component: "VEVENT", First: at("2026-05-01T10:00:00Z").Add(-slack), Unbounded: true}},
		{"todo without dates", cal(comp("VTODO", "UID:t", "SUMMARY:x")...),
			backend.Index{UID: "t", Component: "VTODO"}},
		{"todo with DUE only", cal(comp("VTODO", "UID:t", "DUE:20260601T120000Z")...),
			backend.Index{UID: "t", Component: "VTODO", First: at("2026-06-01T12:00:00Z"), Last: at("2026-06-01T12:00:00Z")}},
		{"todo with DTSTART and DUE", cal(comp("VTODO", "UID:t", "DTSTART:20260601T080000Z", "DUE:20260601T120000Z")...),
			backend.Index{UID: "t", Component: "VTODO", First: at("2026-06-01T08:00:00Z"), Last: at("2026-06-01T12:00:00Z")}},
		{"journal", cal(comp("VJOURNAL", "UID:j", "DTSTART;VALUE=DATE:20260601")...),
			backend.Index{UID: "j", Component: "VJOURNAL", First: at("2026-06-01T00:00:00Z").Add(-slack), Last: at("2026-06-02T00:00:00Z").Add(slack)}},
		{"freebusy", cal(comp("VFREEBUSY", "UID:fb", "DTSTART:20260601T000000Z", "DTEND:20260608T000000Z")...),
			backend.Index{UID: "fb", Component: "VFREEBUSY", First: at("2026-06-01T00:00:00Z"), Last: at("2026-06-08T00:00:00Z")}},
		{"availability without end", cal(comp("VAVAILABILITY", "UID:av", "DTSTART:20260601T000000Z")...),
			backend.Index{UID: "av", Component: "VAVAILABILITY", First: at("2026-06-01T00:00:00Z"), Unbounded: true}},
		{"VTIMEZONE ignored, lower-case name", cal(append(comp("VTIMEZONE", "TZID:X"), comp("vevent", "UID:lc", "DTSTART:20260310T100000Z")...)...),
			backend.Index{UID: "lc", Component: "VEVENT", First: at("2026-03-10T10:00:00Z"), Last: at("2026-03-10T10:00:00Z")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := backend.MakeIndex(c.data)
			if err != nil {
				t.Fatalf("MakeIndex: %v", err)
			}
			if got.UID != c.want.UID || got.Component != c.want.Component || !got.First.Equal(c.want.First) ||
				!got.Last.Equal(c.want.Last) || got.Unbounded != c.want.Unbounded {
				t.Errorf("MakeIndex = %+v\nwant        %+v", got, c.want)
			}
			if !got.First.IsZero() && got.First.Location() != time.UTC {
				t.Errorf("First is not in UTC: %v", got.First)
			}
		})
	}
}

func TestMakeIndexLongRuleIsUnbounded(t *testing.T) {
	// Bounded, but far more steps than the expander walks: indexed as
	// unbounded from DTSTART rather than refused.
	data := cal(comp("VEVENT", "UID:s", "DTSTART:20260101T000000Z", "RRULE:FREQ=SECONDLY;COUNT=100000000")...)
	got, err := backend.MakeIndex(data)
	if err != nil {
		t.Fatalf("MakeIndex: %v", err)
	}
	if !got.Unbounded || !got.First.Equal(at("2026-01-01T00:00:00Z")) || !got.Last.IsZero() {
		t.Errorf("MakeIndex = %+v, want unbounded from 2026-01-01", got)
	}
}

func TestMakeIndexRejects(t *testing.T) {
	ev := func(lines ...string) []string { return comp("VEVENT", lines...) }
	cases := map[string][]byte{
		"empty":               nil,
		"garbage":             []byte("hello"),
		"two calendars":       append(cal(ev("UID:a")...), cal(ev("UID:a")...)...),
		"no components":       cal(),
		"only a timezone":     cal(comp("VTIMEZONE", "TZID:X")...),
		"METHOD":              cal(append([]string{"METHOD:PUBLISH"}, ev("UID:a", "DTSTART:20260101T000000Z")...)...),
		"no UID":              cal(ev("DTSTART:20260101T000000Z")...),
		"blank UID":           cal(ev("UID: ", "DTSTART:20260101T000000Z")...),
		"two UIDs":            cal(append(ev("UID:a"), ev("UID:b")...)...),
		"two types":           cal(append(ev("UID:a"), comp("VTODO", "UID:a")...)...),
		"unknown component":   cal(comp("VALARM", "UID:a")...),
		"two masters":         cal(append(ev("UID:a", "DTSTART:20260101T000000Z"), ev("UID:a", "DTSTART:20260102T000000Z")...)...),
		"unknown TZID":        cal(ev("UID:a", "DTSTART;TZID=Nowhere/Nothing:20260101T100000")...),
		"bad DTSTART":         cal(ev("UID:a", "DTSTART:2026-01-01")...),
		"bad RRULE":           cal(ev("UID:a", "DTSTART:20260101T000000Z", "RRULE:FREQ=SOMETIMES")...),
		"bad DURATION":        cal(ev("UID:a", "DTSTART:20260101T000000Z", "DURATION:an hour")...),
		"bad RDATE":           cal(ev("UID:a", "DTSTART:20260101T000000Z", "RDATE:tomorrow")...),
		"bad RECURRENCE-ID":   cal(ev("UID:a", "DTSTART:20260101T000000Z", "RECURRENCE-ID:x")...),
		"unterminated VEVENT": []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VCALENDAR\r\n"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := backend.MakeIndex(data)
			if !errors.Is(err, backend.ErrInvalidData) {
				t.Errorf("MakeIndex error = %v, want one matching ErrInvalidData", err)
			}
		})
	}
}

func TestMakeIndexContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := cal(comp("VEVENT", "UID:a", "DTSTART:20260101T000000Z", "RRULE:FREQ=DAILY;COUNT=50000")...)
	_, err := backend.MakeIndexContext(ctx, data)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("MakeIndexContext(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestIndexOverlaps(t *testing.T) {
	span := backend.Index{First: at("2026-03-10T10:00:00Z"), Last: at("2026-03-10T11:00:00Z")}
	instant := backend.Index{First: at("2026-03-10T10:00:00Z"), Last: at("2026-03-10T10:00:00Z")}
	open := backend.Index{First: at("2026-03-10T10:00:00Z"), Unbounded: true}
	none := backend.Index{}
	cases := []struct {
		name       string
		idx        backend.Index
		start, end string
		want       bool
	}{
		{"span inside", span, "2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z", true},
		{"span ends at start", span, "2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", false},
		{"span starts at end", span, "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", false},
		{"span covers", span, "2026-03-10T09:00:00Z", "2026-03-10T12:00:00Z", true},
		{"instant at start", instant, "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", true},
		{"instant at end", instant, "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", false},
		{"unbounded later", open, "2040-01-01T00:00:00Z", "2040-01-02T00:00:00Z", true},
		{"unbounded before", open, "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z", false},
		{"no time", none, "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z", true},
	}
	for _, c := range cases {
		if got := c.idx.Overlaps(at(c.start), at(c.end)); got != c.want {
			t.Errorf("%s: Overlaps = %v, want %v", c.name, got, c.want)
		}
	}
	if !span.Overlaps(at("2026-03-10T10:30:00Z"), time.Time{}) {
		t.Errorf("Overlaps with zero end (no end) = false")
	}
}
