package schedule

import (
	"context"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// TestPinFloating: the floating values of VAVAILABILITY and AVAILABLE get
// the zone's TZID (a custom zone brings its VTIMEZONE), or a "Z" for UTC;
// UTC and zoned values stay; the object given is not changed.
func TestPinFloating(t *testing.T) {
	orig, err := ics.Decode([]byte(workHours))
	if err != nil {
		t.Fatal(err)
	}
	before := string(ics.Encode(orig))
	pinned := string(ics.Encode(pinFloating(orig, zoneOf(officeZone))))
	for _, want := range []string{"DTSTART;TZID=My Office:20260101T090000", "DTEND;TZID=My Office:20260101T170000",
		"DTSTART:20260101T000000Z", "BEGIN:VTIMEZONE", "TZID:My Office"} {
		if !strings.Contains(unfold(pinned), want) {
			t.Errorf("pinned to My Office lacks %q:\n%s", want, pinned)
		}
	}
	utc := unfold(string(ics.Encode(pinFloating(orig, zoneOf("")))))
	if !strings.Contains(utc, "DTSTART:20260101T090000Z") || !strings.Contains(utc, "DTEND:20260101T170000Z") || strings.Contains(utc, "VTIMEZONE") {
		t.Errorf("pinned to UTC:\n%s", utc)
	}
	if after := string(ics.Encode(orig)); after != before {
		t.Errorf("pinFloating changed its argument:\n%s", after)
	}
	zoned, err := ics.Decode([]byte(strings.ReplaceAll(workHours, "T090000", "T090000Z")))
	if err != nil {
		t.Fatal(err)
	}
	zoned.Children[0].Children[0].Props.Del("DTEND")
	if got := pinFloating(zoned, zoneOf(officeZone)); got != zoned {
		t.Errorf("an object without floating values was copied")
	}
}

// TestStoredAvailabilityInItsCalendarZone: a VAVAILABILITY object stored
// in a calendar in Europe/Berlin counts in Berlin time (available 07:00Z
// to 15:00Z in June) although the user's default calendar, whose zone the
// answer's other floating values follow, is in Asia/Tokyo; moved to a
// calendar without a zone, it counts in UTC.
func TestStoredAvailabilityInItsCalendarZone(t *testing.T) {
	e := newEnv(t, nil, user{"cyrus", "mailto:cyrus@example.com"}, user{"wilfredo", "mailto:wilfredo@example.com"})
	ctx := context.Background()
	berlin, err := backend.TimeZoneForID("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	avail := &backend.Calendar{Path: "/wilfredo/calendars/avail/", Owner: "/wilfredo/", SupportedComponents: []string{"VAVAILABILITY"}, TimeZone: berlin}
	if err := e.store.CreateCalendar(ctx, avail); err != nil {
		t.Fatal(err)
	}
	putPlain(t, e, avail.Path+"hours.ics", workHours)
	e.do("wilfredo", "PROPPATCH", wilfredoCal, proppatchBody("set", `<C:calendar-timezone-id>Asia/Tokyo</C:calendar-timezone-id>`)).must(t, 207)
	const start, end = "20260615T000000Z", "20260616T000000Z"
	sameLines(t, "stored in a Berlin calendar", freeBusyOf(t, e, start, end), []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T000000Z/20260615T070000Z",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T150000Z/20260616T000000Z",
	})
	avail.TimeZone = ""
	if err := e.store.UpdateCalendar(ctx, avail); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "stored in a calendar without a zone", freeBusyOf(t, e, start, end), []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T000000Z/20260615T090000Z",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T170000Z/20260616T000000Z",
	})
	// The same hours as the inbox property follow the user's zone, that
	// of the default calendar (Tokyo: 09:00 to 17:00 is 00:00Z to 08:00Z).
	if err := e.store.DeleteObject(ctx, avail.Path+"hours.ics", ""); err != nil {
		t.Fatal(err)
	}
	avail.TimeZone = berlin
	if err := e.store.UpdateCalendar(ctx, avail); err != nil {
		t.Fatal(err)
	}
	e.do("wilfredo", "PROPPATCH", wilfredoInbox, proppatchBody("set", `<C:calendar-availability>`+workHours+`</C:calendar-availability>`)).must(t, 207)
	sameLines(t, "inbox property, default calendar in Tokyo", freeBusyOf(t, e, start, end), []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260615T080000Z/20260616T000000Z",
	})
}
