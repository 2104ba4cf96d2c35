package schedule

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var fuzzMethods = []string{"PUT", "POST", "PROPFIND", "PROPPATCH", "REPORT", "DELETE", "COPY", "MOVE", "GET", "OPTIONS", "MKCOL"}

var fuzzPaths = []string{
	"/cyrus/calendars/default/x.ics", "/cyrus/calendars/default/", "/cyrus/calendars/inbox/",
	"/cyrus/calendars/inbox/a.ics", "/cyrus/calendars/outbox/", "/cyrus/", "/cyrus/calendars/",
	"/wilfredo/calendars/default/m.ics", "/wilfredo/", "/nobody/calendars/x/", "/",
}

// FuzzHandler sends arbitrary bodies and headers to every kind of
// resource the middleware serves: it must never panic nor answer 500.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), uint8(0), "text/calendar", "", []byte(b1Invite))
	f.Add(uint8(0), uint8(0), "text/calendar", "", []byte(recurring()))
	f.Add(uint8(1), uint8(4), "text/calendar", "", []byte(freeBusyRequest))
	f.Add(uint8(2), uint8(2), "application/xml", "1", []byte(propfindPrincipal))
	f.Add(uint8(3), uint8(1), "application/xml", "", []byte(`<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`))
	f.Add(uint8(4), uint8(2), "application/xml", "", []byte(`<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20090602T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`))
	f.Add(uint8(4), uint8(2), "application/xml", "", []byte(`<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:href>%zz</D:href></C:calendar-multiget>`))
	f.Add(uint8(6), uint8(7), "", "http://x/cyrus/calendars/default/y.ics", []byte(""))
	f.Add(uint8(0), uint8(7), "text/calendar", "\"tag\"", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;X=\"\r\nEND:VEVENT\r\n"))
	f.Add(uint8(2), uint8(5), "application/xml", "infinity", []byte("<a><b><c>"))
	f.Add(uint8(4), uint8(1), "application/xml", "1", []byte(`<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20090601T000000Z" end="20090610T000000Z"/></C:free-busy-query>`))
	f.Add(uint8(4), uint8(6), "application/xml", "infinity", []byte(`<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20090601T000000Z"/></C:free-busy-query>`))
	// A method byte with the high bit set also sends the header value as
	// Scheduling and Schedule-User-Address.
	f.Add(uint8(0x80), uint8(0), "text/calendar", "none", []byte(b1Invite))
	f.Add(uint8(0x85), uint8(7), "", "mailto:cyrus@example.com", []byte(""))
	f.Add(uint8(0x80), uint8(7), "text/calendar", "x-unknown", []byte(b1Invite))
	e := newEnv(f, nil, cyrus, wilfredo)
	if _, err := e.store.CreateSchedulingObject(context.Background(), "/cyrus/", "a.ics", []byte(inboxRequest)); err != nil {
		f.Fatal(err)
	}
	handler := authenticate(e.h)
	f.Fuzz(func(t *testing.T, method, path uint8, ctype, header string, body []byte) {
		m := fuzzMethods[int(method)%len(fuzzMethods)]
		p := fuzzPaths[int(path)%len(fuzzPaths)]
		req := httptest.NewRequest(m, p, bytes.NewReader(body))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Content-Type", ctype)
		// One free-form header value, used where each method reads one.
		for _, h := range []string{"Depth", "If-Match", "If-Schedule-Tag-Match", "Destination", "Overwrite", "Schedule-Reply"} {
			if strings.ContainsAny(header, "\r\n") {
				break
			}
			req.Header.Set(h, header)
		}
		if method&0x80 != 0 && !strings.ContainsAny(header, "\r\n") {
			req.Header.Set("Scheduling", header)
			req.Header.Set("Schedule-User-Address", header)
		}
		w := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(w, req)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%s %s took %v", m, p, d)
		}
		// 502 is RFC 4918 §9.8.5's answer to a COPY or MOVE whose
		// Destination is on another server, not a failure.
		crossServer := w.Code == http.StatusBadGateway && (m == "COPY" || m == "MOVE")
		if w.Code >= http.StatusInternalServerError && !crossServer {
			t.Fatalf("%s %s: %d\n%s", m, p, w.Code, w.Body.String())
		}
	})
}
