package schedule

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/privilege"
)

// busyEvent is a plain (non-scheduling) event.
func busyEvent(uid, start, end string) string {
	return icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT",
		"UID:"+uid, "DTSTAMP:20090601T000000Z", "DTSTART:"+start, "DTEND:"+end, "SUMMARY:busy",
		"END:VEVENT", "END:VCALENDAR")
}

// freeBusyRequest is the request of RFC 6638 Appendix B.5.
var freeBusyRequest = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN",
	"METHOD:REQUEST", "BEGIN:VFREEBUSY", "UID:4FD3AD926350", "DTSTAMP:20090602T190420Z",
	"DTSTART:20090602T000000Z", "DTEND:20090604T000000Z",
	`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
	`ATTENDEE;CN="Wilfredo Sanchez Vega":mailto:wilfredo@example.com`,
	`ATTENDEE;CN="Bernard Desruisseaux":mailto:bernard@example.net`,
	`ATTENDEE;CN="Mike Douglass":mailto:mike@example.org`,
	"END:VFREEBUSY", "END:VCALENDAR")

// scheduleResponse is a parsed CALDAV:schedule-response.
type scheduleResponse struct {
	XMLName   xml.Name `xml:"urn:ietf:params:xml:ns:caldav schedule-response"`
	Responses []struct {
		Rcpt struct {
			Href string `xml:"DAV: href"`
		} `xml:"urn:ietf:params:xml:ns:caldav recipient"`
		Status string `xml:"urn:ietf:params:xml:ns:caldav request-status"`
		Data   string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	} `xml:"urn:ietf:params:xml:ns:caldav response"`
}

func parseScheduleResponse(t *testing.T, body string) scheduleResponse {
	t.Helper()
	var sr scheduleResponse
	if err := xml.Unmarshal([]byte(body), &sr); err != nil {
		t.Fatalf("schedule-response: %v\n%s", err, body)
	}
	return sr
}

func putPlain(t testing.TB, e *env, path, data string) {
	t.Helper()
	if _, err := e.store.PutObject(context.Background(), path, []byte(data), nil); err != nil {
		t.Fatal(err)
	}
}

// TestAppendixB5FreeBusy is RFC 6638 Appendix B.5.
func TestAppendixB5FreeBusy(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	putPlain(t, e, "/wilfredo/calendars/default/a.ics", busyEvent("a", "20090602T110000Z", "20090602T120000Z"))
	putPlain(t, e, "/wilfredo/calendars/default/b.ics", busyEvent("b", "20090603T170000Z", "20090603T180000Z"))
	putPlain(t, e, "/bernard/calendars/default/c.ics", busyEvent("c", "20090602T150000Z", "20090602T160000Z"))
	putPlain(t, e, "/bernard/calendars/default/d.ics", busyEvent("d", "20090603T090000Z", "20090603T100000Z"))
	putPlain(t, e, "/bernard/calendars/default/e.ics", busyEvent("e", "20090603T180000Z", "20090603T190000Z"))
	putPlain(t, e, "/bernard/calendars/default/f.ics", busyEvent("f", "20090610T180000Z", "20090610T190000Z"))

	r := e.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/xml") {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	sr := parseScheduleResponse(t, r.body)
	if len(sr.Responses) != 3 {
		t.Fatalf("%d responses:\n%s", len(sr.Responses), r.body)
	}
	want := []struct {
		rcpt, status string
		busy         []string
	}{
		{"mailto:wilfredo@example.com", "2.0;Success", []string{"20090602T110000Z/20090602T120000Z", "20090603T170000Z/20090603T180000Z"}},
		{"mailto:bernard@example.net", "2.0;Success", []string{"20090602T150000Z/20090602T160000Z", "20090603T090000Z/20090603T100000Z", "20090603T180000Z/20090603T190000Z"}},
		{"mailto:mike@example.org", "3.7;Invalid calendar user", nil},
	}
	for i, w := range want {
		got := sr.Responses[i]
		if got.Rcpt.Href != w.rcpt || got.Status != w.status {
			t.Errorf("response %d: %s %s", i, got.Rcpt.Href, got.Status)
		}
		data := unfold(got.Data)
		for _, b := range w.busy {
			if !strings.Contains(data, "FBTYPE=BUSY:"+b) && !strings.Contains(data, b) {
				t.Errorf("%s: busy %s missing in\n%s", w.rcpt, b, data)
			}
		}
		if w.busy != nil {
			decodeOK(t, []byte(got.Data))
			for _, must := range []string{"METHOD:REPLY", "UID:4FD3AD926350", "ORGANIZER", "ATTENDEE", "DTSTART:20090602T000000Z"} {
				if !strings.Contains(data, must) {
					t.Errorf("%s: %s missing in\n%s", w.rcpt, must, data)
				}
			}
			if strings.Contains(data, "20090610") {
				t.Errorf("busy time outside the range:\n%s", data)
			}
		} else if got.Data != "" {
			t.Errorf("calendar-data for a failed recipient")
		}
	}
}

func TestFreeBusyPrivileges(t *testing.T) {
	// Bernard does not let Cyrus see his busy time (3.8 for him only);
	// Wilfredo may not post to Cyrus's outbox.
	policy := privilege.Grants{
		Inbox:    map[string]map[string]privilege.Privilege{"/bernard/": {"/cyrus/": privilege.ScheduleDeliverInvite}},
		Fallback: privilege.Default{},
	}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	sr := parseScheduleResponse(t, e.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 200).body)
	got := map[string]string{}
	for _, r := range sr.Responses {
		got[r.Rcpt.Href] = r.Status
		if strings.HasPrefix(r.Status, "3.8") && r.Data != "" {
			t.Errorf("busy data leaked for %s", r.Rcpt.Href)
		}
	}
	if got["mailto:bernard@example.net"] != "3.8;No authority" || got["mailto:wilfredo@example.com"] != "2.0;Success" {
		t.Errorf("statuses %v", got)
	}
	// Authorization errors come first: a malformed body posted to
	// somebody else's outbox is a 403, not a 400.
	r := e.do("wilfredo", "POST", "/cyrus/calendars/outbox/", "garbage", "Content-Type", "text/calendar").must(t, 403)
	if r.condition() != "need-privileges" {
		t.Errorf("condition %q", r.condition())
	}
	e.do("", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 403)
}

func TestFreeBusyPreconditions(t *testing.T) {
	e := newEnv(t, &Options{MaxAttendees: 2}, cyrus, wilfredo)
	cases := []struct {
		name, body, ctype string
		status            int
		cond              string
	}{
		{"not iCalendar", "not a calendar", "text/calendar", 400, "valid-calendar-data"},
		{"wrong media type", freeBusyRequest, "text/plain", 403, "supported-calendar-data"},
		{"not a VFREEBUSY request", strings.Replace(freeBusyRequest, "METHOD:REQUEST", "METHOD:PUBLISH", 1), "text/calendar", 400, "valid-scheduling-message"},
		{"no attendee", icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", "METHOD:REQUEST", "BEGIN:VFREEBUSY", "UID:1",
			"DTSTAMP:20090602T190420Z", "DTSTART:20090602T000000Z", "DTEND:20090604T000000Z",
			"ORGANIZER:mailto:cyrus@example.com", "END:VFREEBUSY", "END:VCALENDAR"), "text/calendar", 400, "valid-scheduling-message"},
		{"someone else's organizer", strings.Replace(freeBusyRequest, "mailto:cyrus@example.com", "mailto:wilfredo@example.com", 1), "text/calendar", 403, "valid-organizer"},
		{"too many attendees", freeBusyRequest, "text/calendar", 403, "max-attendees-per-instance"},
	}
	for _, c := range cases {
		r := e.do("cyrus", "POST", "/cyrus/calendars/outbox/", c.body, "Content-Type", c.ctype)
		if r.status != c.status || r.condition() != c.cond {
			t.Errorf("%s: %d %q, want %d %q\n%s", c.name, r.status, r.condition(), c.status, c.cond, r.body)
		}
	}
	big := &Options{MaxResourceSize: 100}
	e2 := newEnv(t, big, cyrus)
	r := e2.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest)
	if r.status != 403 || r.condition() != "max-resource-size" {
		t.Errorf("size: %d %s", r.status, r.body)
	}
}

func TestOutboxPropfind(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	body := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:supported-privilege-set/><D:current-user-privilege-set/></D:prop></D:propfind>`
	r := e.do("cyrus", "PROPFIND", "/cyrus/calendars/outbox/", body, "Depth", "0").must(t, 207)
	for _, want := range []string{"<C:schedule-outbox/>", "schedule-send-invite", "schedule-send-freebusy"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %s in\n%s", want, r.body)
		}
	}
	e.do("wilfredo", "PROPFIND", "/cyrus/calendars/outbox/", body, "Depth", "0").must(t, 403)
	e.do("cyrus", "PUT", "/cyrus/calendars/outbox/x.ics", freeBusyRequest).must(t, 405, 403)
}

func TestTransparentCalendarNotBusy(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	putPlain(t, e, "/wilfredo/calendars/default/a.ics", busyEvent("a", "20090602T110000Z", "20090602T120000Z"))
	patch := `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`
	e.do("cyrus", "PROPPATCH", "/wilfredo/calendars/default/", patch).must(t, 403)
	r := e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/default/", patch).must(t, 207)
	if !strings.Contains(r.body, "200 OK") {
		t.Fatal(r.body)
	}
	prop := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:schedule-calendar-transp/><D:displayname/></D:prop></D:propfind>`
	r = e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/default/", prop, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>") {
		t.Fatalf("PROPFIND after PROPPATCH:\n%s", r.body)
	}
	sr := parseScheduleResponse(t, e.do("cyrus", "POST", "/cyrus/calendars/outbox/", freeBusyRequest).must(t, 200).body)
	if strings.Contains(sr.Responses[0].Data, "FREEBUSY") && strings.Contains(sr.Responses[0].Data, "20090602T110000Z/") {
		t.Errorf("transparent calendar counted:\n%s", sr.Responses[0].Data)
	}
	// A bad value and an unknown property fail the whole PROPPATCH.
	bad := `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>`
	r = e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/default/", bad).must(t, 207)
	if !strings.Contains(r.body, "424 Failed Dependency") || !strings.Contains(r.body, "403 Forbidden") {
		t.Fatalf("atomic PROPPATCH:\n%s", r.body)
	}
	cal, _ := e.store.Calendar(context.Background(), "/wilfredo/calendars/default/")
	if !cal.Transparent {
		t.Errorf("a failed PROPPATCH changed the calendar")
	}
	// Remove sets it back to opaque.
	rm := `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:remove><D:prop><C:schedule-calendar-transp/></D:prop></D:remove></D:propertyupdate>`
	e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/default/", rm).must(t, 207)
	cal, _ = e.store.Calendar(context.Background(), "/wilfredo/calendars/default/")
	if cal.Transparent {
		t.Errorf("remove did not make the calendar opaque")
	}
}
