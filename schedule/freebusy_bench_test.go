package schedule

import (
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fillBusyCalendar stores n plain events in the default calendar of
// name: every fifth one a weekly meeting begun in 2025 with five
// overrides (moved, cancelled, declined), the others one-off events
// spread over 2026, in a few time zones.
func fillBusyCalendar(t testing.TB, e *env, name, addr string, n int, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	zones := []string{"Europe/Berlin", "America/New_York", ""}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		zone := zones[rng.Intn(len(zones))]
		dt := func(prop string, t time.Time) string {
			if zone == "" {
				return prop + ":" + t.UTC().Format("20060102T150405Z")
			}
			return prop + ";TZID=" + zone + ":" + t.Format("20060102T150405")
		}
		uid := fmt.Sprintf("%s-%d", name, i)
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"}
		if i%5 == 0 {
			start := year.AddDate(0, 0, -rng.Intn(365)).Add(time.Duration(8+rng.Intn(9)) * time.Hour)
			lines = append(lines, "BEGIN:VEVENT", "UID:"+uid, "DTSTAMP:20250101T000000Z",
				dt("DTSTART", start), dt("DTEND", start.Add(time.Hour)), "RRULE:FREQ=WEEKLY",
				"SUMMARY:weekly", "ORGANIZER:mailto:boss@example.com",
				"ATTENDEE;PARTSTAT=ACCEPTED:mailto:"+addr, "END:VEVENT")
			for k, w := range rng.Perm(50)[:5] {
				rid := start.AddDate(0, 0, 7*(53+w))
				moved := rid.Add(time.Duration(rng.Intn(5)-2) * time.Hour)
				extra := []string{"SUMMARY:moved", "STATUS:CANCELLED", "ATTENDEE;PARTSTAT=DECLINED:mailto:" + addr, "SUMMARY:moved", "STATUS:TENTATIVE"}[k]
				lines = append(lines, "BEGIN:VEVENT", "UID:"+uid, "DTSTAMP:20250101T000000Z",
					dt("RECURRENCE-ID", rid), dt("DTSTART", moved), dt("DTEND", moved.Add(90*time.Minute)), extra, "END:VEVENT")
			}
		} else {
			start := year.Add(time.Duration(rng.Intn(365*24*4)) * 15 * time.Minute)
			lines = append(lines, "BEGIN:VEVENT", "UID:"+uid, "DTSTAMP:20250101T000000Z",
				dt("DTSTART", start), dt("DTEND", start.Add(time.Duration(1+rng.Intn(8))*15*time.Minute)),
				"SUMMARY:one-off", "END:VEVENT")
		}
		lines = append(lines, "END:VCALENDAR")
		putPlain(t, e, "/"+name+"/calendars/default/"+uid+".ics", icsText(lines...))
	}
}

// busyRequest is a VFREEBUSY REQUEST from cyrus to the three
// recipients of BenchmarkFreeBusyPostLarge for the week of 2026-03-09.
var busyRequest = icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
	"METHOD:REQUEST", "BEGIN:VFREEBUSY", "UID:bench-fb", "DTSTAMP:20260301T000000Z",
	"DTSTART:20260309T000000Z", "DTEND:20260316T000000Z",
	"ORGANIZER:mailto:cyrus@example.com",
	"ATTENDEE:mailto:wilfredo@example.com",
	"ATTENDEE:mailto:bernard@example.net",
	"ATTENDEE:mailto:fb3@example.com",
	"END:VFREEBUSY", "END:VCALENDAR")

// BenchmarkFreeBusyPostLarge is a free-busy POST (RFC 6638 Appendix B.5) for
// three local recipients with 1,500 stored events each, a fifth of them
// weekly meetings that recur into the week asked about, through the
// middleware on the memory store. "cached" keeps the parsed objects
// between POSTs (the default); "uncached" parses every object each time.
func BenchmarkFreeBusyPostLarge(b *testing.B) {
	for _, c := range []struct {
		name string
		opts *Options
	}{
		{"cached", nil},
		{"uncached", &Options{FreeBusyCacheSize: -1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			fb3 := user{"fb3", "fb3@example.com"}
			e := newEnv(b, c.opts, cyrus, wilfredo, bernard, fb3)
			for i, u := range []user{wilfredo, bernard, fb3} {
				fillBusyCalendar(b, e, u.name, u.addr, 1500, int64(i+1))
			}
			handler := authenticate(e.h)
			post := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest("POST", "/cyrus/calendars/outbox/", strings.NewReader(busyRequest))
				req.SetBasicAuth("cyrus", "x")
				req.Header.Set("Content-Type", "text/calendar")
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, req)
				return w
			}
			if w := post(); w.Code != http.StatusOK || strings.Count(w.Body.String(), "2.0;Success") != 3 {
				b.Fatalf("%d %s", w.Code, w.Body.String())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if w := post(); w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body.String())
				}
			}
		})
	}
}
