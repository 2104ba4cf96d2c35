package schedule

import (
	"context"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// proppatchBody is a PROPPATCH body with one DAV:set (or DAV:remove) of
// the properties in props (XML with the D: and C: prefixes).
func proppatchBody(op, props string) string {
	return `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<D:` + op + `><D:prop>` + props + `</D:prop></D:` + op + `></D:propertyupdate>`
}

// propfindBody asks for the properties in props by name.
func propfindBody(props string) string {
	return `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>` +
		props + `</D:prop></D:propfind>`
}

// officeZone is a VTIMEZONE with a TZID that is no IANA name: UTC+05:30
// all year.
var officeZone = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
	"BEGIN:VTIMEZONE", "TZID:My Office", "BEGIN:STANDARD", "DTSTART:19700101T000000",
	"TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR")

const wilfredoCal = "/wilfredo/calendars/default/"

// TestCalendarTimeZoneProperties sets calendar-timezone-id and
// calendar-timezone with PROPPATCH and reads them back with PROPFIND:
// an id brings its VTIMEZONE, a VTIMEZONE with an IANA TZID brings its
// id, a custom one has none; bad values fail with their precondition and
// change nothing; removing either removes both; another user may not.
func TestCalendarTimeZoneProperties(t *testing.T) {
	e := newEnv(t, nil, user{"cyrus", "mailto:cyrus@example.com"}, user{"wilfredo", "mailto:wilfredo@example.com"})
	ctx := context.Background()
	stored := func() string {
		t.Helper()
		cal, err := e.store.Calendar(ctx, wilfredoCal)
		if err != nil {
			t.Fatal(err)
		}
		return cal.TimeZone
	}
	both := propfindBody(`<C:calendar-timezone/><C:calendar-timezone-id/>`)

	r := e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>`)).must(t, 207)
	if !strings.Contains(r.body, "200 OK") || strings.Contains(r.body, "403") {
		t.Fatalf("set calendar-timezone-id:\n%s", r.body)
	}
	r = e.do("wilfredo", "PROPFIND", wilfredoCal, both, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>") ||
		!strings.Contains(r.body, "BEGIN:VTIMEZONE") || !strings.Contains(r.body, "TZID:Europe/Berlin") || strings.Contains(r.body, "404") {
		t.Fatalf("PROPFIND after setting the id:\n%s", r.body)
	}
	berlin := stored()
	r = e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/", both, "Depth", "1").must(t, 207)
	if !strings.Contains(r.body, "<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>") {
		t.Errorf("PROPFIND Depth 1 on the home:\n%s", r.body)
	}
	// Not for allprop (RFC 4791 §5.2.2).
	r = e.do("wilfredo", "PROPFIND", wilfredoCal, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, "Depth", "0").must(t, 207)
	if strings.Contains(r.body, "VTIMEZONE") {
		t.Errorf("allprop returns calendar-timezone:\n%s", r.body)
	}

	// A custom VTIMEZONE: kept, no id.
	r = e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone>`+officeZone+`</C:calendar-timezone>`)).must(t, 207)
	if !strings.Contains(r.body, "200 OK") {
		t.Fatalf("set calendar-timezone:\n%s", r.body)
	}
	r = e.do("wilfredo", "PROPFIND", wilfredoCal, both, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "TZID:My Office") || !strings.Contains(r.body, "404 Not Found") {
		t.Fatalf("PROPFIND after a custom calendar-timezone (want the text, and 404 for the id):\n%s", r.body)
	}
	office := stored()
	if loc, err := (&backend.Calendar{TimeZone: office}).TimeZoneLocation(); err != nil || loc == nil {
		t.Fatalf("stored custom zone: %v, %v", loc, err)
	}

	// Bad values: the precondition, 424 for the rest, nothing changed.
	event := icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:x",
		"DTSTAMP:20260101T000000Z", "DTSTART:20260101T000000Z", "END:VEVENT", "END:VCALENDAR")
	twoZones := strings.Replace(officeZone, "END:VTIMEZONE\r\n", "END:VTIMEZONE\r\n"+icsText("BEGIN:VTIMEZONE", "TZID:Other",
		"BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE"), 1)
	bad := []struct{ prop, cond string }{
		{`<C:calendar-timezone>not iCalendar</C:calendar-timezone>`, "valid-calendar-data"},
		{`<C:calendar-timezone>` + event + `</C:calendar-timezone>`, "valid-calendar-data"},
		{`<C:calendar-timezone>` + twoZones + `</C:calendar-timezone>`, "valid-calendar-data"},
		{`<C:calendar-timezone>` + strings.Replace(officeZone, "TZOFFSETTO:+0530", "TZOFFSETTO:+5", 1) + `</C:calendar-timezone>`, "valid-calendar-data"},
		{`<C:calendar-timezone-id>Mars/Olympus_Mons</C:calendar-timezone-id>`, "valid-timezone"},
		{`<C:calendar-timezone-id></C:calendar-timezone-id>`, "valid-timezone"},
	}
	for _, b := range bad {
		r = e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<D:displayname>changed</D:displayname>`+b.prop)).must(t, 207)
		if !strings.Contains(r.body, "403 Forbidden") || !strings.Contains(r.body, "424 Failed Dependency") ||
			!strings.Contains(r.body, "<C:"+b.cond+"/>") {
			t.Errorf("%s: want 403 with %s and 424:\n%s", b.prop, b.cond, r.body)
		}
		if got := stored(); got != office {
			t.Errorf("%s: a refused PROPPATCH changed the time zone to %q", b.prop, got)
		}
		if cal, _ := e.store.Calendar(ctx, wilfredoCal); cal.DisplayName == "changed" {
			t.Errorf("%s: a refused PROPPATCH changed the display name", b.prop)
		}
	}

	// Another user may not set it.
	e.do("cyrus", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone-id>Asia/Tokyo</C:calendar-timezone-id>`)).must(t, 403)
	if got := stored(); got != office {
		t.Errorf("another user's PROPPATCH changed the time zone")
	}

	// Back to Berlin through calendar-timezone with an IANA TZID: the id
	// is back too; then removing the id removes both.
	e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone>`+berlin+`</C:calendar-timezone>`)).must(t, 207)
	r = e.do("wilfredo", "PROPFIND", wilfredoCal, both, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>") {
		t.Errorf("id of a VTIMEZONE with an IANA TZID:\n%s", r.body)
	}
	e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("remove", `<C:calendar-timezone-id/>`)).must(t, 207)
	if got := stored(); got != "" {
		t.Errorf("after removing the id, calendar-timezone is %q", got)
	}
	r = e.do("wilfredo", "PROPFIND", wilfredoCal, both, "Depth", "0").must(t, 207)
	if strings.Contains(r.body, "VTIMEZONE") || strings.Count(r.body, "calendar-timezone") != 2 {
		t.Errorf("PROPFIND after removing:\n%s", r.body)
	}
}

// fbRequestFor is a VFREEBUSY request of cyrus for wilfredo's busy time
// over [start, end).
func fbRequestFor(start, end string) string {
	return icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "UID:fb-tz", "DTSTAMP:20260601T000000Z", "DTSTART:"+start, "DTEND:"+end,
		"ORGANIZER:mailto:cyrus@example.com", "ATTENDEE:mailto:wilfredo@example.com",
		"END:VFREEBUSY", "END:VCALENDAR")
}

// freeBusyOf posts fbRequestFor as cyrus and returns wilfredo's FREEBUSY
// lines.
func freeBusyOf(t *testing.T, e *env, start, end string) []string {
	t.Helper()
	sr := parseScheduleResponse(t, e.do("cyrus", "POST", "/cyrus/calendars/outbox/", fbRequestFor(start, end)).must(t, 200).body)
	if len(sr.Responses) != 1 || sr.Responses[0].Status != "2.0;Success" {
		t.Fatalf("schedule-response: %+v", sr)
	}
	var lines []string
	for _, l := range strings.Split(unfold(sr.Responses[0].Data), "\n") {
		if strings.HasPrefix(l, "FREEBUSY") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

// sameLines fails unless got holds exactly want, in order.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestFreeBusyInCalendarTimeZone: floating and all-day events of a
// calendar whose calendar-timezone-id is Europe/Berlin are busy in that
// zone (10:00 local in June is 08:00Z; 16 June is 15 June 22:00Z to 16
// June 22:00Z), while a floating event of a calendar without a zone stays
// in UTC, both in the outbox POST answer and in free-busy-query REPORTs.
func TestFreeBusyInCalendarTimeZone(t *testing.T) {
	e := newEnv(t, nil, user{"cyrus", "mailto:cyrus@example.com"}, user{"wilfredo", "mailto:wilfredo@example.com"})
	ctx := context.Background()
	if err := e.store.CreateCalendar(ctx, &backend.Calendar{Path: "/wilfredo/calendars/utc/", Owner: "/wilfredo/"}); err != nil {
		t.Fatal(err)
	}
	putPlain(t, e, wilfredoCal+"floating.ics", fbEvent("floating", "DTSTART:20260615T100000", "DTEND:20260615T110000"))
	putPlain(t, e, wilfredoCal+"allday.ics", fbEvent("allday", "DTSTART;VALUE=DATE:20260616", "DTEND;VALUE=DATE:20260617"))
	putPlain(t, e, "/wilfredo/calendars/utc/floating.ics", fbEvent("floating-utc", "DTSTART:20260615T140000", "DTEND:20260615T150000"))

	utcOnly := []string{
		"FREEBUSY;FBTYPE=BUSY:20260615T100000Z/20260615T110000Z",
		"FREEBUSY;FBTYPE=BUSY:20260615T140000Z/20260615T150000Z",
		"FREEBUSY;FBTYPE=BUSY:20260616T000000Z/20260617T000000Z",
	}
	sameLines(t, "no calendar time zone", freeBusyOf(t, e, "20260615T000000Z", "20260618T000000Z"), utcOnly)

	e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>`)).must(t, 207)
	zoned := []string{
		"FREEBUSY;FBTYPE=BUSY:20260615T080000Z/20260615T090000Z",
		"FREEBUSY;FBTYPE=BUSY:20260615T140000Z/20260615T150000Z",
		"FREEBUSY;FBTYPE=BUSY:20260615T220000Z/20260616T220000Z",
	}
	sameLines(t, "default calendar in Europe/Berlin (POST)", freeBusyOf(t, e, "20260615T000000Z", "20260618T000000Z"), zoned)

	query := fbQuery("20260615T000000Z", "20260618T000000Z")
	r := e.do("wilfredo", "REPORT", wilfredoCal, query, "Depth", "1").must(t, 200)
	sameLines(t, "free-busy-query on the Berlin calendar", freeBusyLines(t, r), []string{zoned[0], zoned[2]})
	r = e.do("wilfredo", "REPORT", "/wilfredo/calendars/", query, "Depth", "1").must(t, 200)
	sameLines(t, "free-busy-query on the home", freeBusyLines(t, r), zoned)
}
