package schedule

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
)

// benchUsers returns the organizer and n attendees.
func benchUsers(n int) ([]user, []string) {
	users := []user{cyrus}
	var addrs []string
	for i := 0; i < n; i++ {
		u := user{fmt.Sprintf("a%03d", i), fmt.Sprintf("a%03d@example.com", i)}
		users = append(users, u)
		addrs = append(addrs, u.addr)
	}
	return users, addrs
}

// benchPut PUTs a new invitation per iteration through handler.
func benchPut(b *testing.B, handler http.Handler, addrs []string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		uid := fmt.Sprintf("bench-%d", i)
		req := httptest.NewRequest("PUT", "/cyrus/calendars/default/"+uid+".ics", strings.NewReader(invite(uid, "cyrus@example.com", addrs...)))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Content-Type", "text/calendar")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkPut3Attendees compares a 3-attendee PUT through the middleware
// (planning, storing, delivering to 3 local users, writing statuses back)
// with the same PUT handled by go-webdav alone on the same store.
func BenchmarkPut3Attendees(b *testing.B) {
	users, addrs := benchUsers(3)
	b.Run("middleware", func(b *testing.B) {
		e := newEnv(b, nil, users...)
		benchPut(b, authenticate(e.h), addrs)
	})
	b.Run("middleware-async", func(b *testing.B) {
		e := newEnv(b, &Options{AsyncDelivery: true}, users...)
		benchPutAsync(b, e, addrs)
	})
	b.Run("direct", func(b *testing.B) {
		e := newEnv(b, nil, users...)
		benchPut(b, authenticate(&caldav.Handler{Backend: backend.NewCalDAV(e.store)}), addrs)
	})
}

// BenchmarkPut100Attendees is a 100-attendee invitation delivered to 100
// local users: "sync" answers after delivery; "async" (AsyncDelivery)
// answers once the object is stored, and the background delivery is
// waited for outside the timed section.
func BenchmarkPut100Attendees(b *testing.B) {
	users, addrs := benchUsers(100)
	b.Run("sync", func(b *testing.B) {
		e := newEnv(b, nil, users...)
		benchPut(b, authenticate(e.h), addrs)
	})
	b.Run("async", func(b *testing.B) {
		e := newEnv(b, &Options{AsyncDelivery: true}, users...)
		benchPutAsync(b, e, addrs)
	})
}

// benchPutAsync is benchPut for a handler with AsyncDelivery: the
// background delivery of each PUT is waited for outside the timed
// section, so that the figure is the latency a client sees.
func benchPutAsync(b *testing.B, e *env, addrs []string) {
	b.Helper()
	handler := authenticate(e.h)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		uid := fmt.Sprintf("bench-%d", i)
		req := httptest.NewRequest("PUT", "/cyrus/calendars/default/"+uid+".ics", strings.NewReader(invite(uid, "cyrus@example.com", addrs...)))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Content-Type", "text/calendar")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
		b.StopTimer()
		if err := e.h.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkFreeBusyPost is an outbox POST for 3 recipients.
func BenchmarkFreeBusyPost(b *testing.B) {
	e := newEnv(b, nil, cyrus, wilfredo, bernard)
	for i := 0; i < 50; i++ {
		day := fmt.Sprintf("200906%02d", 1+i%28)
		putPlain(b, e, fmt.Sprintf("/wilfredo/calendars/default/%d.ics", i), busyEvent(fmt.Sprint(i), day+"T110000Z", day+"T120000Z"))
	}
	handler := authenticate(e.h)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/cyrus/calendars/outbox/", strings.NewReader(freeBusyRequest))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Content-Type", "text/calendar")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
