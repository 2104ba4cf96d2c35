package schedule

import (
	"context"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// bernardBusy returns the FREEBUSY lines of bernard's answer to the B.5
// request.
func bernardBusy(t *testing.T, e *env) string {
	t.Helper()
	sr := parseScheduleResponse(t, e.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 200).body)
	for _, r := range sr.Responses {
		if r.Rcpt.Href == "mailto:bernard@example.net" {
			if r.Status != statusSuccess {
				t.Fatalf("bernard: %s", r.Status)
			}
			var lines []string
			for _, l := range strings.Split(unfold(r.Data), "\n") {
				if strings.HasPrefix(l, "FREEBUSY") {
					lines = append(lines, strings.TrimSpace(l))
				}
			}
			return strings.Join(lines, "\n")
		}
	}
	t.Fatal("no answer for bernard")
	return ""
}

// TestFreeBusyPostSeesRewrites: the parsed-object cache never answers
// with an object's earlier version (it is keyed by ETag), through
// writes over HTTP and directly in the store, and a deleted object stops
// counting.
func TestFreeBusyPostSeesRewrites(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090602T150000Z", "20090602T160000Z"))
	if got := bernardBusy(t, e); !strings.Contains(got, "20090602T150000Z/20090602T160000Z") {
		t.Fatalf("first answer:\n%s", got)
	}
	if n, _ := e.h.parsed.stats(); n != 1 {
		t.Errorf("%d objects cached after one answer, want 1", n)
	}
	e.do("bernard", "PUT", "/bernard/calendars/default/c.ics", busyEvent("c", "20090603T080000Z", "20090603T090000Z")).must(t, 204, 201)
	got := bernardBusy(t, e)
	if !strings.Contains(got, "20090603T080000Z/20090603T090000Z") || strings.Contains(got, "20090602T15") {
		t.Fatalf("after a PUT:\n%s", got)
	}
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090603T100000Z", "20090603T110000Z"))
	if got := bernardBusy(t, e); !strings.Contains(got, "20090603T100000Z/20090603T110000Z") || strings.Contains(got, "20090603T08") {
		t.Fatalf("after a store write:\n%s", got)
	}
	e.do("bernard", "DELETE", "/bernard/calendars/default/c.ics", "").must(t, 204)
	if got := bernardBusy(t, e); got != "" {
		t.Fatalf("after DELETE:\n%s", got)
	}
}

// TestFreeBusyPostAvailability: a VAVAILABILITY stored in one of the
// recipient's calendars (RFC 7953 §7) makes the time outside its
// AVAILABLE blocks BUSY-UNAVAILABLE in the free-busy answer; one in a
// transparent calendar does not count.
func TestFreeBusyPostAvailability(t *testing.T) {
	e := newEnv(t, nil, cyrus, bernard)
	ctx := context.Background()
	for _, cal := range []backend.Calendar{
		{Path: "/bernard/calendars/avail/", Owner: "/bernard/", SupportedComponents: []string{"VAVAILABILITY"}},
		{Path: "/bernard/calendars/off/", Owner: "/bernard/", SupportedComponents: []string{"VAVAILABILITY"}, Transparent: true},
	} {
		if err := e.store.CreateCalendar(ctx, &cal); err != nil {
			t.Fatal(err)
		}
	}
	availability := func(uid, from, to string) string {
		return icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
			"BEGIN:VAVAILABILITY", "UID:"+uid, "DTSTAMP:20090601T000000Z",
			"DTSTART:20090601T000000Z", "DTEND:20090701T000000Z",
			"BEGIN:AVAILABLE", "UID:"+uid+"-a", "DTSTAMP:20090601T000000Z",
			"DTSTART:20090601T"+from+"Z", "DTEND:20090601T"+to+"Z", "RRULE:FREQ=DAILY",
			"END:AVAILABLE", "END:VAVAILABILITY", "END:VCALENDAR")
	}
	putPlain(t, e, "/bernard/calendars/avail/hours.ics", availability("hours", "090000", "170000"))
	putPlain(t, e, "/bernard/calendars/off/night.ics", availability("night", "000000", "010000"))
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090602T150000Z", "20090602T160000Z"))

	got := bernardBusy(t, e)
	for _, want := range []string{
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20090602T000000Z/20090602T090000Z",
		"20090602T170000Z/20090603T090000Z",
		"20090603T170000Z/20090604T000000Z",
		"FREEBUSY;FBTYPE=BUSY:20090602T150000Z/20090602T160000Z",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "T010000Z") {
		t.Errorf("the transparent calendar's availability counted:\n%s", got)
	}
}
