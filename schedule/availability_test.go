package schedule

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

const wilfredoInbox = "/wilfredo/calendars/inbox/"

// workHours is a calendar-availability: from 2026 on, available 09:00 to
// 17:00 every day, in floating time (the user's zone).
var workHours = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
	"BEGIN:VAVAILABILITY", "UID:work-hours", "DTSTAMP:20260101T000000Z", "DTSTART:20260101T000000Z",
	"BEGIN:AVAILABLE", "UID:work-hours-1", "DTSTAMP:20260101T000000Z",
	"DTSTART:20260101T090000", "DTEND:20260101T170000", "RRULE:FREQ=DAILY",
	"END:AVAILABLE", "END:VAVAILABILITY", "END:VCALENDAR")

// TestCalendarAvailability sets calendar-availability on the inbox and
// reads it back; outside the available hours the POST answer (and the
// query on the home) is BUSY-UNAVAILABLE, in the user's time zone once
// their calendar has one; bad values fail with valid-calendar-data and
// change nothing; another user may not set it; removing it frees the
// time again.
func TestCalendarAvailability(t *testing.T) {
	e := newEnv(t, nil, user{"cyrus", "mailto:cyrus@example.com"}, user{"wilfredo", "mailto:wilfredo@example.com"})
	ctx := context.Background()
	stored := func() string {
		t.Helper()
		data, err := e.store.Availability(ctx, "/wilfredo/")
		if errors.Is(err, backend.ErrNotFound) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	putPlain(t, e, wilfredoCal+"meeting.ics", fbEvent("meeting", "DTSTART:20260615T120000Z", "DTEND:20260615T130000Z"))
	const start, end = "20260615T000000Z", "20260616T000000Z"
	meeting := "FREEBUSY;FBTYPE=BUSY:20260615T120000Z/20260615T130000Z"
	sameLines(t, "without availability", freeBusyOf(t, e, start, end), []string{meeting})

	set := proppatchBody("set", `<C:calendar-availability>`+workHours+`</C:calendar-availability>`)
	r := e.do("wilfredo", "PROPPATCH", wilfredoInbox, set).must(t, 207)
	if !strings.Contains(r.body, "200 OK") || strings.Contains(r.body, "403") {
		t.Fatalf("set calendar-availability:\n%s", r.body)
	}
	r = e.do("wilfredo", "PROPFIND", wilfredoInbox, propfindBody(`<C:calendar-availability/>`), "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "UID:work-hours-1") || !strings.Contains(r.body, "200 OK") {
		t.Fatalf("PROPFIND calendar-availability:\n%s", r.body)
	}
	sameLines(t, "availability in UTC (no calendar zone)", freeBusyOf(t, e, start, end), []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T000000Z/20260615T090000Z",
		meeting,
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T170000Z/20260616T000000Z",
	})

	// With the calendar in Europe/Berlin, 09:00 to 17:00 is 07:00Z to
	// 15:00Z in June.
	e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone-id>Europe/Berlin</C:calendar-timezone-id>`)).must(t, 207)
	berlin := []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T000000Z/20260615T070000Z",
		meeting,
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T150000Z/20260616T000000Z",
	}
	sameLines(t, "availability in Europe/Berlin", freeBusyOf(t, e, start, end), berlin)
	r = e.do("wilfredo", "REPORT", "/wilfredo/calendars/", fbQuery(start, end), "Depth", "1").must(t, 200)
	sameLines(t, "free-busy-query on the home", freeBusyLines(t, r), berlin)
	r = e.do("wilfredo", "REPORT", wilfredoCal, fbQuery(start, end), "Depth", "1").must(t, 200)
	sameLines(t, "free-busy-query on one calendar (the inbox property does not count)", freeBusyLines(t, r), []string{meeting})

	// Bad values: 403 valid-calendar-data, nothing changed.
	before := stored()
	event := fbEvent("x", "DTSTART:20260101T000000Z")
	bad := []string{
		"not iCalendar",
		event,
		strings.Replace(workHours, "END:VAVAILABILITY", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VAVAILABILITY", 1),
		strings.Replace(workHours, "UID:work-hours\r\n", "", 1),
		strings.Replace(workHours, "DTSTART:20260101T090000", "DTSTART;TZID=Nowhere/Special:20260101T090000", 1),
		strings.Replace(workHours, "VERSION:2.0", "VERSION:2.0\r\nMETHOD:PUBLISH", 1),
		icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "END:VCALENDAR"),
	}
	for _, b := range bad {
		r = e.do("wilfredo", "PROPPATCH", wilfredoInbox, proppatchBody("set", `<C:calendar-availability>`+b+`</C:calendar-availability>`)).must(t, 207)
		if !strings.Contains(r.body, "403 Forbidden") || !strings.Contains(r.body, "<C:valid-calendar-data/>") {
			t.Errorf("want 403 with valid-calendar-data for\n%s\ngot:\n%s", b, r.body)
		}
		if stored() != before {
			t.Errorf("a refused PROPPATCH changed the availability")
		}
	}

	// Another user may not set or remove it.
	e.do("cyrus", "PROPPATCH", wilfredoInbox, set).must(t, 403)
	e.do("cyrus", "PROPPATCH", wilfredoInbox, proppatchBody("remove", `<C:calendar-availability/>`)).must(t, 403)
	if stored() != before {
		t.Errorf("another user's PROPPATCH changed the availability")
	}

	e.do("wilfredo", "PROPPATCH", wilfredoInbox, proppatchBody("remove", `<C:calendar-availability/>`)).must(t, 207)
	if got := stored(); got != "" {
		t.Errorf("after remove: %q", got)
	}
	r = e.do("wilfredo", "PROPFIND", wilfredoInbox, propfindBody(`<C:calendar-availability/>`), "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "404 Not Found") || strings.Contains(r.body, "VAVAILABILITY") {
		t.Errorf("PROPFIND after remove:\n%s", r.body)
	}
	sameLines(t, "after removing", freeBusyOf(t, e, start, end), []string{meeting})
}
