package schedule

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzQueuedWrite PUTs and DELETEs invitations to arbitrary attendee
// addresses, under arbitrary Scheduling headers, through a middleware
// with Options.Queue: never a panic nor a 5xx, and a write that failed
// queues nothing (the outbox holds messages only for stored writes).
func FuzzQueuedWrite(f *testing.F) {
	f.Add("mailto:erin@remote.example", "")
	f.Add("MAILTO:Erin@Remote.Example", "external-only")
	f.Add("mailto:wilfredo@example.com", "internal-only")
	f.Add("urn:uuid:0c9e2f5a-1d7b-4f3e-8a6c-2b4d9e1f7a35", "none")
	f.Add("mailto:", "")
	f.Add("mailto:a\x00b@x.example", "")
	f.Add("mailto:\xff@x.example", "")
	e := newEnv(f, &Options{Queue: &QueueOptions{Domain: "example.com"}}, cyrus, wilfredo)
	handler := authenticate(e.h)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, attendee, scope string) {
		if strings.ContainsAny(attendee, "\r\n") || strings.ContainsAny(scope, "\r\n") {
			return
		}
		const path = "/cyrus/calendars/default/fz.ics"
		body := icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:fz",
			"DTSTAMP:20090602T185254Z", "DTSTART:20090610T160000Z", "DTEND:20090610T170000Z",
			"ORGANIZER:mailto:cyrus@example.com", "ATTENDEE:"+attendee, "END:VEVENT", "END:VCALENDAR")
		before, err := e.store.Queued(ctx, "fz", attendee)
		if err != nil {
			t.Fatal(err)
		}
		for _, method := range []string{http.MethodPut, http.MethodDelete} {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if method == http.MethodDelete {
				req = httptest.NewRequest(method, path, nil)
			}
			req.SetBasicAuth("cyrus", "x")
			req.Header.Set("Content-Type", "text/calendar")
			if scope != "" {
				req.Header.Set("Scheduling", scope)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, req)
			if w.Code >= http.StatusInternalServerError {
				t.Fatalf("%s with ATTENDEE %q, Scheduling %q: %d\n%s", method, attendee, scope, w.Code, w.Body.String())
			}
			after, err := e.store.Queued(ctx, "fz", attendee)
			if err != nil {
				t.Fatal(err)
			}
			if w.Code >= 300 && after != before {
				t.Fatalf("failed %s (%d) changed the queue for %q from %d to %d", method, w.Code, attendee, before, after)
			}
			before = after
		}
		// Leave no object behind for the next input.
		req := httptest.NewRequest(http.MethodDelete, path, nil)
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Scheduling", "none")
		handler.ServeHTTP(httptest.NewRecorder(), req)
	})
}
