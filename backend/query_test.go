package backend_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

func decode(t *testing.T, data []byte) *ical.Calendar {
	t.Helper()
	c, err := ics.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// vcal wraps component filters in the VCALENDAR filter.
func vcal(comps ...caldav.CompFilter) caldav.CompFilter {
	return caldav.CompFilter{Name: "VCALENDAR", Comps: comps}
}

func TestMatchQuery(t *testing.T) {
	meeting := decode(t, cal(append(
		comp("VEVENT", "UID:m", "DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3",
			"SUMMARY:Budget\\, Q1 review", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com",
			"ATTENDEE;PARTSTAT=DECLINED;ROLE=OPT-PARTICIPANT:mailto:b@example.com", "DTSTAMP:20260101T120000Z",
			"BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM"),
		comp("VEVENT", "UID:m", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20260301T090000Z", "DURATION:PT1H", "SUMMARY:Moved")...)...))
	single := decode(t, cal(comp("VEVENT", "UID:x", "DTSTART:20260105T090000Z", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM")...))
	todo := decode(t, cal(comp("VTODO", "UID:t", "SUMMARY:someday")...))
	d := func(s string) time.Time { return at(s) }
	text := func(s string, negate bool) *caldav.TextMatch {
		return &caldav.TextMatch{Text: s, NegateCondition: negate}
	}
	cases := []struct {
		name   string
		filter caldav.CompFilter
		cal    *ical.Calendar
		want   bool
	}{
		{"any VEVENT", vcal(caldav.CompFilter{Name: "VEVENT"}), meeting, true},
		{"no VTODO", vcal(caldav.CompFilter{Name: "VTODO"}), meeting, false},
		{"VTODO not defined", vcal(caldav.CompFilter{Name: "VTODO", IsNotDefined: true}), meeting, true},
		{"other top level", caldav.CompFilter{Name: "VCARD"}, meeting, false},
		{"instance in range", vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-01-07T00:00:00Z"), End: d("2026-01-08T00:00:00Z")}), meeting, true},
		{"moved instance gone", vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-01-06T00:00:00Z"), End: d("2026-01-07T00:00:00Z")}), meeting, false},
		{"override where moved", vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-03-01T00:00:00Z"), End: d("2026-03-02T00:00:00Z")}), meeting, true},
		{"after the rule", vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-01-08T00:00:00Z"), End: d("2026-02-01T00:00:00Z")}), meeting, false},
		{"open end", vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-02-01T00:00:00Z")}), meeting, true},
		{"override text in its own range",
			vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-03-01T00:00:00Z"), End: d("2026-03-02T00:00:00Z"),
				Props: []caldav.PropFilter{{Name: "SUMMARY", TextMatch: text("moved", false)}}}), meeting, true},
		{"master text not in override's range",
			vcal(caldav.CompFilter{Name: "VEVENT", Start: d("2026-03-01T00:00:00Z"), End: d("2026-03-02T00:00:00Z"),
				Props: []caldav.PropFilter{{Name: "SUMMARY", TextMatch: text("budget", false)}}}), meeting, false},
		{"text case-insensitive and unescaped",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "summary", TextMatch: text("BUDGET, q1", false)}}}), meeting, true},
		{"text negated",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "SUMMARY", TextMatch: text("zzz", true)}}}), meeting, true},
		{"second ATTENDEE",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "ATTENDEE", TextMatch: text("B@EXAMPLE.COM", false)}}}), meeting, true},
		{"param filter on second ATTENDEE",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "ATTENDEE",
				ParamFilter: []caldav.ParamFilter{{Name: "PARTSTAT", TextMatch: text("declined", false)}, {Name: "ROLE"}}}}}), meeting, true},
		{"param not defined",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "ATTENDEE",
				ParamFilter: []caldav.ParamFilter{{Name: "PARTSTAT", TextMatch: text("DECLINED", false)}, {Name: "ROLE", IsNotDefined: true}}}}}), meeting, false},
		{"property not defined", vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "LOCATION", IsNotDefined: true}}}), meeting, true},
		{"property defined everywhere", vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "UID", IsNotDefined: true}}}), meeting, false},
		{"property missing from the override", vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "ATTENDEE", IsNotDefined: true}}}), meeting, true},
		{"missing property", vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "LOCATION"}}}), meeting, false},
		{"property time range",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "DTSTAMP", Start: d("2026-01-01T12:00:00Z"), End: d("2026-01-01T13:00:00Z")}}}), meeting, true},
		{"property time range excludes end",
			vcal(caldav.CompFilter{Name: "VEVENT", Props: []caldav.PropFilter{{Name: "DTSTAMP", Start: d("2026-01-01T11:00:00Z"), End: d("2026-01-01T12:00:00Z")}}}), meeting, false},
		{"VALARM present", vcal(caldav.CompFilter{Name: "VEVENT", Comps: []caldav.CompFilter{{Name: "VALARM"}}}), meeting, true},
		{"VALARM not defined in the override", vcal(caldav.CompFilter{Name: "VEVENT", Comps: []caldav.CompFilter{{Name: "VALARM", IsNotDefined: true}}}), meeting, true},
		{"VALARM defined", vcal(caldav.CompFilter{Name: "VEVENT", Comps: []caldav.CompFilter{{Name: "VALARM", IsNotDefined: true}}}), single, false},
		{"undated VTODO in any range", vcal(caldav.CompFilter{Name: "VTODO", Start: d("1999-01-01T00:00:00Z"), End: d("1999-01-02T00:00:00Z")}), todo, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := backend.MatchQuery(context.Background(), c.filter, c.cal)
			if err != nil {
				t.Fatalf("MatchQuery: %v", err)
			}
			if got != c.want {
				t.Errorf("MatchQuery = %v, want %v", got, c.want)
			}
		})
	}
}

func TestMatchQueryCostlyRule(t *testing.T) {
	// A SECONDLY rule from 1900 cannot be walked to 2026 within the limits:
	// it counts as matching, and deciding so is quick.
	c := decode(t, cal(comp("VEVENT", "UID:s", "DTSTART:19000101T000000Z", "RRULE:FREQ=SECONDLY")...))
	begin := time.Now()
	ok, err := backend.MatchQuery(context.Background(),
		vcal(caldav.CompFilter{Name: "VEVENT", Start: at("2026-01-01T00:00:00Z"), End: at("2026-01-02T00:00:00Z")}), c)
	if err != nil || !ok {
		t.Errorf("MatchQuery = %v, %v; want true", ok, err)
	}
	if time.Since(begin) > 5*time.Second {
		t.Errorf("MatchQuery took %v", time.Since(begin))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = backend.MatchQuery(ctx, vcal(caldav.CompFilter{Name: "VEVENT", Start: at("2026-01-01T00:00:00Z"), End: at("2026-01-02T00:00:00Z")}), c)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("MatchQuery(cancelled) = %v, want context.Canceled", err)
	}
}
