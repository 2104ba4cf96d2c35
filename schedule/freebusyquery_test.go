package schedule

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// fbQuery is a CALDAV:free-busy-query body for [start, end).
func fbQuery(start, end string) string {
	return `<?xml version="1.0" encoding="utf-8"?>` +
		`<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<C:time-range start="` + start + `" end="` + end + `"/></C:free-busy-query>`
}

// fbEvent is a VEVENT object with the given extra lines.
func fbEvent(uid string, lines ...string) string {
	all := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT",
		"UID:" + uid, "DTSTAMP:20260101T000000Z", "SUMMARY:secret " + uid}
	all = append(all, lines...)
	return icsText(append(all, "END:VEVENT", "END:VCALENDAR")...)
}

// newFreeBusyEnv stores cyrus's events: a daily series (3 instances),
// a transparent event, a declined invitation, a tentative event, and an
// event in a second, transparent calendar.
func newFreeBusyEnv(t testing.TB, opts *Options) *env {
	t.Helper()
	e := newEnv(t, opts, user{"cyrus", "mailto:cyrus@example.com"}, user{"wilfredo", "mailto:wilfredo@example.com"})
	ctx := context.Background()
	if err := e.store.CreateCalendar(ctx, &backend.Calendar{Path: "/cyrus/calendars/transp/", Owner: "/cyrus/", Transparent: true}); err != nil {
		t.Fatal(err)
	}
	put := func(path, data string) {
		t.Helper()
		if _, err := e.store.PutObject(ctx, path, []byte(data), &backend.PutOptions{IfNoneMatch: true}); err != nil {
			t.Fatalf("put %s: %v", path, err)
		}
	}
	cal := "/cyrus/calendars/default/"
	put(cal+"daily.ics", fbEvent("daily", "DTSTART:20260105T100000Z", "DTEND:20260105T110000Z", "RRULE:FREQ=DAILY;COUNT=3"))
	put(cal+"transparent.ics", fbEvent("transparent", "DTSTART:20260105T140000Z", "DTEND:20260105T150000Z", "TRANSP:TRANSPARENT"))
	put(cal+"declined.ics", fbEvent("declined", "DTSTART:20260105T160000Z", "DTEND:20260105T170000Z",
		"ORGANIZER:mailto:wilfredo@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:wilfredo@example.com",
		"ATTENDEE;PARTSTAT=DECLINED:mailto:cyrus@example.com"))
	put(cal+"tentative.ics", fbEvent("tentative", "DTSTART:20260106T080000Z", "DTEND:20260106T090000Z", "STATUS:TENTATIVE"))
	put("/cyrus/calendars/transp/other.ics", fbEvent("other", "DTSTART:20260107T120000Z", "DTEND:20260107T130000Z"))
	return e
}

// freeBusyLines checks that r is one VCALENDAR with one VFREEBUSY and
// returns its FREEBUSY lines.
func freeBusyLines(t *testing.T, r *response) []string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("Content-Type %q", ct)
	}
	cal, err := ics.Decode([]byte(r.body))
	if err != nil {
		t.Fatalf("answer is not iCalendar: %v\n%s", err, r.body)
	}
	if len(cal.Children) != 1 || cal.Children[0].Name != "VFREEBUSY" {
		t.Fatalf("want one VFREEBUSY:\n%s", r.body)
	}
	for _, p := range []string{"VERSION", "PRODID"} {
		if cal.Props.Get(p) == nil {
			t.Errorf("VCALENDAR lacks %s", p)
		}
	}
	for _, p := range []string{"DTSTAMP", "DTSTART", "DTEND"} {
		if cal.Children[0].Props.Get(p) == nil {
			t.Errorf("VFREEBUSY lacks %s", p)
		}
	}
	var lines []string
	for _, l := range strings.Split(unfold(r.body), "\n") {
		if strings.HasPrefix(l, "FREEBUSY") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestFreeBusyQueryCalendar is RFC 4791 §7.10 on a calendar collection:
// recurrences expanded, TRANSP:TRANSPARENT and declined instances free,
// TENTATIVE tentative, nothing of the events in the answer.
func TestFreeBusyQueryCalendar(t *testing.T) {
	e := newFreeBusyEnv(t, nil)
	want := []string{
		"FREEBUSY;FBTYPE=BUSY:20260105T100000Z/20260105T110000Z",
		"FREEBUSY;FBTYPE=BUSY:20260106T100000Z/20260106T110000Z",
		"FREEBUSY;FBTYPE=BUSY:20260107T100000Z/20260107T110000Z",
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260106T080000Z/20260106T090000Z",
	}
	// The owner, and (privilege.Default) another authenticated user.
	for _, as := range []string{"cyrus", "wilfredo"} {
		r := e.do(as, "REPORT", "/cyrus/calendars/default/", fbQuery("20260105T000000Z", "20260110T000000Z"), "Depth", "1").must(t, 200)
		got := strings.Join(freeBusyLines(t, r), "\n")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %s in\n%s", as, w, r.body)
			}
		}
		for _, no := range []string{"20260105T140000Z", "20260105T160000Z", "20260107T120000Z", "secret", "UID:", "ORGANIZER", "ATTENDEE", "wilfredo@"} {
			if strings.Contains(r.body, no) {
				t.Errorf("%s: answer has %q:\n%s", as, no, r.body)
			}
		}
	}
	// The range clips: only the second instance.
	r := e.do("cyrus", "REPORT", "/cyrus/calendars/default/", fbQuery("20260106T093000Z", "20260106T103000Z"), "Depth", "1").must(t, 200)
	if got := freeBusyLines(t, r); len(got) != 1 || got[0] != "FREEBUSY;FBTYPE=BUSY:20260106T100000Z/20260106T103000Z" {
		t.Errorf("clipped: %q", got)
	}
	// Depth 0 (the default) is the collection alone: no busy time.
	r = e.do("cyrus", "REPORT", "/cyrus/calendars/default/", fbQuery("20260105T000000Z", "20260110T000000Z")).must(t, 200)
	if got := freeBusyLines(t, r); len(got) != 0 {
		t.Errorf("Depth 0: %q", got)
	}
	// A transparent calendar queried itself counts (§7.10 is about the
	// collection), its event being opaque.
	r = e.do("cyrus", "REPORT", "/cyrus/calendars/transp/", fbQuery("20260105T000000Z", "20260110T000000Z"), "Depth", "1").must(t, 200)
	if got := freeBusyLines(t, r); len(got) != 1 || got[0] != "FREEBUSY;FBTYPE=BUSY:20260107T120000Z/20260107T130000Z" {
		t.Errorf("transparent calendar: %q", got)
	}
}

// TestFreeBusyQueryHome is the query on the calendar home: the owner's
// busy time over every calendar except the transparent ones.
func TestFreeBusyQueryHome(t *testing.T) {
	e := newFreeBusyEnv(t, nil)
	r := e.do("cyrus", "REPORT", "/cyrus/calendars/", fbQuery("20260105T000000Z", "20260110T000000Z"), "Depth", "1").must(t, 200)
	got := strings.Join(freeBusyLines(t, r), "\n")
	if !strings.Contains(got, "20260107T100000Z/20260107T110000Z") || strings.Contains(got, "20260107T120000Z") {
		t.Errorf("home:\n%s", got)
	}
	r = e.do("cyrus", "REPORT", "/cyrus/calendars/", fbQuery("20260105T000000Z", "20260110T000000Z"), "Depth", "0").must(t, 200)
	if got := freeBusyLines(t, r); len(got) != 0 {
		t.Errorf("home, Depth 0: %q", got)
	}
	// Other REPORTs on the home still go to go-webdav.
	e.do("cyrus", "REPORT", "/cyrus/calendars/", `<D:expand-property xmlns:D="DAV:"/>`).must(t, 400, 403, 501)
}

// TestFreeBusyQueryPrivileges: without schedule-query-freebusy the answer
// is 404, which does not reveal whether the calendar exists (§7.10).
func TestFreeBusyQueryPrivileges(t *testing.T) {
	policy := privilege.Grants{Inbox: map[string]map[string]privilege.Privilege{
		"/cyrus/": {"/wilfredo/": privilege.ScheduleDeliverInvite},
	}}
	e := newFreeBusyEnv(t, &Options{Policy: policy})
	body := fbQuery("20260105T000000Z", "20260110T000000Z")
	for _, p := range []string{"/cyrus/calendars/default/", "/cyrus/calendars/"} {
		for _, as := range []string{"wilfredo", ""} {
			r := e.do(as, "REPORT", p, body, "Depth", "1").must(t, 404)
			if strings.Contains(r.body, "FREEBUSY") || strings.Contains(r.body, "secret") {
				t.Errorf("%q on %s: %s", as, p, r.body)
			}
		}
	}
	e.do("cyrus", "REPORT", "/cyrus/calendars/default/", body, "Depth", "1").must(t, 200)
	// On an object: 403 for the owner (§7.10), 404 for the others.
	e.do("cyrus", "REPORT", "/cyrus/calendars/default/daily.ics", body).must(t, 403)
	e.do("wilfredo", "REPORT", "/cyrus/calendars/default/daily.ics", body).must(t, 404)

	policy.Inbox["/cyrus/"]["/wilfredo/"] = privilege.ScheduleQueryFreeBusy
	e.do("wilfredo", "REPORT", "/cyrus/calendars/default/", body, "Depth", "1").must(t, 200)
}

// TestFreeBusyQueryBadInput: malformed queries are 400, never 500.
func TestFreeBusyQueryBadInput(t *testing.T) {
	e := newFreeBusyEnv(t, nil)
	const open = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">`
	for _, tc := range []struct{ name, body, depth, cond string }{
		{"malformed XML", open + `<C:time-range start="20260105T000000Z"`, "1", ""},
		{"no time-range", open + `</C:free-busy-query>`, "1", "valid-filter"},
		{"two time-ranges", open + `<C:time-range start="20260105T000000Z" end="20260106T000000Z"/><C:time-range start="20260105T000000Z" end="20260106T000000Z"/></C:free-busy-query>`, "1", "valid-filter"},
		{"no end", open + `<C:time-range start="20260105T000000Z"/></C:free-busy-query>`, "1", "valid-filter"},
		{"no start", open + `<C:time-range end="20260105T000000Z"/></C:free-busy-query>`, "1", "valid-filter"},
		{"end before start", fbQuery("20260106T000000Z", "20260105T000000Z"), "1", "valid-filter"},
		{"empty range", fbQuery("20260105T000000Z", "20260105T000000Z"), "1", "valid-filter"},
		{"not UTC", fbQuery("20260105T000000", "20260106T000000Z"), "1", "valid-filter"},
		{"date only", fbQuery("20260105", "20260106"), "1", "valid-filter"},
		{"range too long", fbQuery("19000101T000000Z", "29000101T000000Z"), "1", "valid-filter"},
		{"bad Depth", fbQuery("20260105T000000Z", "20260106T000000Z"), "2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []string{"/cyrus/calendars/default/", "/cyrus/calendars/"} {
				r := e.do("cyrus", "REPORT", p, tc.body, "Depth", tc.depth).must(t, 400)
				if tc.cond != "" && r.condition() != tc.cond {
					t.Errorf("%s: condition %q, want %q: %s", p, r.condition(), tc.cond, r.body)
				}
			}
		})
	}
}

// BenchmarkFreeBusyQuery is a free-busy-query REPORT over a week of the
// calendar of newFreeBusyEnv (a daily series and four single events).
func BenchmarkFreeBusyQuery(b *testing.B) {
	e := newFreeBusyEnv(b, nil)
	handler := authenticate(e.h)
	body := fbQuery("20260105T000000Z", "20260112T000000Z")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("REPORT", "/cyrus/calendars/default/", strings.NewReader(body))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Depth", "1")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
