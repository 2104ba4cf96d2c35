package schedule

import (
	"context"
	"strings"
	"testing"
)

// A REQUEST with a DTSTART, and a REPLY-like message whose VEVENT has no
// DTSTART (allowed by iTIP, RFC 6638 §2.3).
var (
	inboxRequest = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:REQUEST",
		"BEGIN:VEVENT", "UID:req-1", "DTSTAMP:20090602T185254Z", "DTSTART:20090602T160000Z",
		"DTEND:20090602T170000Z", "SUMMARY:Lunch", "ORGANIZER:mailto:cyrus@example.com",
		"ATTENDEE:mailto:wilfredo@example.com", "END:VEVENT", "END:VCALENDAR")
	inboxReply = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:REPLY",
		"BEGIN:VEVENT", "UID:req-2", "DTSTAMP:20090602T185254Z",
		"ORGANIZER:mailto:cyrus@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:wilfredo@example.com", "END:VEVENT", "END:VCALENDAR")
)

func seedInbox(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateSchedulingObject(ctx, "/wilfredo/", "a.ics", []byte(inboxRequest)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateSchedulingObject(ctx, "/wilfredo/", "b.ics", []byte(inboxReply)); err != nil {
		t.Fatal(err)
	}
}

func TestInboxPropfind(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	seedInbox(t, e)
	body := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/>
<D:getlastmodified/><D:getcontenttype/><D:getcontentlength/><D:supported-privilege-set/>
<D:current-user-privilege-set/></D:prop></D:propfind>`
	r := e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/inbox/", body, "Depth", "0").must(t, 207)
	for _, want := range []string{"<C:schedule-inbox/>", "schedule-deliver-invite", "schedule-query-freebusy", "current-user-privilege-set"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Depth 0: missing %s in\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "a.ics") {
		t.Errorf("Depth 0 lists items")
	}
	r = e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/inbox/", body, "Depth", "1").must(t, 207)
	for _, want := range []string{"/wilfredo/calendars/inbox/a.ics", "/wilfredo/calendars/inbox/b.ics",
		"<D:getcontenttype>text/calendar; charset=utf-8</D:getcontenttype>",
		"<D:getcontentlength>" + itoaTest(len(inboxRequest)) + "</D:getcontentlength>",
		"<D:getlastmodified>Tue, 02 Jun 2009 18:52:54 GMT</D:getlastmodified>", "<D:getetag>&#34;"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Depth 1: missing %s in\n%s", want, r.body)
		}
	}
	// Another user cannot read the inbox, and learns nothing of its items.
	e.do("cyrus", "PROPFIND", "/wilfredo/calendars/inbox/", body, "Depth", "1").must(t, 403)
	e.do("cyrus", "GET", "/wilfredo/calendars/inbox/a.ics", "").must(t, 403)
	r = e.do("cyrus", "GET", "/wilfredo/calendars/inbox/nonexistent.ics", "").must(t, 403)
	if r.condition() != "need-privileges" {
		t.Errorf("condition %q", r.condition())
	}
	e.do("", "GET", "/wilfredo/calendars/inbox/a.ics", "").must(t, 403)
}

func itoaTest(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

func TestInboxGetHeadDelete(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	seedInbox(t, e)
	r := e.do("wilfredo", "GET", "/wilfredo/calendars/inbox/a.ics", "").must(t, 200)
	if r.body != inboxRequest || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") || r.header.Get("ETag") == "" {
		t.Fatalf("GET: %q %v", r.body, r.header)
	}
	r = e.do("wilfredo", "HEAD", "/wilfredo/calendars/inbox/a.ics", "").must(t, 200)
	if r.body != "" || r.header.Get("Content-Length") != itoaTest(len(inboxRequest)) {
		t.Fatalf("HEAD: %q %v", r.body, r.header)
	}
	e.do("cyrus", "DELETE", "/wilfredo/calendars/inbox/a.ics", "").must(t, 403)
	e.do("wilfredo", "DELETE", "/wilfredo/calendars/inbox/a.ics", "").must(t, 204)
	e.do("wilfredo", "GET", "/wilfredo/calendars/inbox/a.ics", "").must(t, 404)
	e.do("wilfredo", "DELETE", "/wilfredo/calendars/inbox/a.ics", "").must(t, 404)
	if n := len(e.inbox("/wilfredo/")); n != 1 {
		t.Fatalf("%d items left", n)
	}
	// The inbox itself cannot be deleted, and nothing can be PUT into it.
	e.do("wilfredo", "DELETE", "/wilfredo/calendars/inbox/", "").must(t, 403)
	e.do("wilfredo", "PUT", "/wilfredo/calendars/inbox/new.ics", inboxRequest).must(t, 403)
	e.do("cyrus", "PUT", "/wilfredo/calendars/inbox/new.ics", inboxRequest).must(t, 403)
	if n := len(e.inbox("/wilfredo/")); n != 1 {
		t.Fatalf("PUT created an item: %d", n)
	}
}

func TestInboxReports(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	seedInbox(t, e)
	multiget := `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<D:href>/wilfredo/calendars/inbox/a.ics</D:href><D:href>/wilfredo/calendars/inbox/missing.ics</D:href>
</C:calendar-multiget>`
	r := e.do("wilfredo", "REPORT", "/wilfredo/calendars/inbox/", multiget).must(t, 207)
	if !strings.Contains(r.body, "UID:req-1") || !strings.Contains(r.body, "missing.ics</D:href><D:status>HTTP/1.1 404") {
		t.Errorf("multiget:\n%s", r.body)
	}
	query := func(start, end string) string {
		return `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="` + start + `" end="` + end + `"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
	}
	// The range holds the REQUEST; the DTSTART-less VEVENT always matches.
	r = e.do("wilfredo", "REPORT", "/wilfredo/calendars/inbox/", query("20090602T000000Z", "20090603T000000Z")).must(t, 207)
	if !strings.Contains(r.body, "a.ics") || !strings.Contains(r.body, "b.ics") {
		t.Errorf("query in range:\n%s", r.body)
	}
	r = e.do("wilfredo", "REPORT", "/wilfredo/calendars/inbox/", query("20100101T000000Z", "20100102T000000Z")).must(t, 207)
	if strings.Contains(r.body, "a.ics") || !strings.Contains(r.body, "b.ics") {
		t.Errorf("query out of range:\n%s", r.body)
	}
	e.do("cyrus", "REPORT", "/wilfredo/calendars/inbox/", multiget).must(t, 403)
	bad := e.do("wilfredo", "REPORT", "/wilfredo/calendars/inbox/", query("bogus", "20100102T000000Z")).must(t, 403)
	if bad.condition() != "valid-filter" {
		t.Errorf("bad time-range: %s", bad.body)
	}
}

func TestInboxDefaultCalendarURL(t *testing.T) {
	e := newEnv(t, nil, wilfredo)
	body := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:schedule-default-calendar-URL/></D:prop></D:propfind>`
	r := e.do("wilfredo", "PROPFIND", "/wilfredo/calendars/inbox/", body, "Depth", "0").must(t, 207)
	if !strings.Contains(r.body, "<C:schedule-default-calendar-URL><D:href>/wilfredo/calendars/default/</D:href>") {
		t.Fatalf("default:\n%s", r.body)
	}
	e.do("wilfredo", "MKCOL", "/wilfredo/calendars/work/", "").must(t, 201)
	patch := `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<C:schedule-default-calendar-URL><D:href>%s</D:href></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>`
	r = e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/inbox/", strings.Replace(patch, "%s", "/wilfredo/calendars/work/", 1)).must(t, 207)
	if !strings.Contains(r.body, "200 OK") {
		t.Fatal(r.body)
	}
	if def, _ := e.store.DefaultCalendar(context.Background(), "/wilfredo/"); def != "/wilfredo/calendars/work/" {
		t.Fatalf("default = %s", def)
	}
	r = e.do("wilfredo", "PROPPATCH", "/wilfredo/calendars/inbox/", strings.Replace(patch, "%s", "/cyrus/calendars/default/", 1)).must(t, 403)
	if r.condition() != "valid-schedule-default-calendar-URL" {
		t.Fatal(r.body)
	}
}

func TestInboxReportPartialCalendarData(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	seedInbox(t, e)
	body := `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT">
<C:prop name="SUMMARY"/><C:prop name="UID"/></C:comp></C:comp></C:calendar-data></D:prop>
<D:href>/wilfredo/calendars/inbox/a.ics</D:href></C:calendar-multiget>`
	r := e.do("wilfredo", "REPORT", "/wilfredo/calendars/inbox/", body).must(t, 207)
	for _, want := range []string{"SUMMARY:Lunch", "UID:req-1", "VERSION:2.0"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %s in\n%s", want, r.body)
		}
	}
	for _, not := range []string{"DTSTART", "ORGANIZER", "METHOD"} {
		if strings.Contains(r.body, not) {
			t.Errorf("%s returned although not asked for:\n%s", not, r.body)
		}
	}
}
