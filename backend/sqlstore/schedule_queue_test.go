package sqlstore

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/queue/queuetest"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// reopeners open the same database again and again, as a restarted
// server process does: a SQLite file, a PostgreSQL schema.
var reopeners = []struct {
	name string
	make func(t *testing.T) func() *Store
}{
	{"SQLite", func(t *testing.T) func() *Store {
		path := filepath.Join(t.TempDir(), "server.db")
		return func() *Store {
			s, err := OpenSQLite(context.Background(), path, &Options{Logger: quietLogger})
			if err != nil {
				t.Fatalf("OpenSQLite: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}},
	{"Postgres", func(t *testing.T) func() *Store {
		dsn := postgresSchemaDSN(t)
		return func() *Store {
			s, err := OpenPostgres(context.Background(), dsn, &Options{MaxConns: 4, Logger: quietLogger})
			if err != nil {
				t.Fatalf("OpenPostgres: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}},
}

// scheduleServer is the scheduling middleware with Options.Queue over s,
// in front of go-webdav, acting as alice.
func scheduleServer(t *testing.T, s *Store) *httptest.Server {
	t.Helper()
	h := schedule.New(&caldav.Handler{Backend: s.CalDAV()}, s, &schedule.Options{
		Queue: &schedule.QueueOptions{Domain: "example.com"}, Logger: quietLogger})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(backend.WithPrincipal(r.Context(), "/alice/")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// request sends one request and returns the status code.
func request(t *testing.T, srv *httptest.Server, method, path, body string, headers ...string) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// attendeeStatus returns the SCHEDULE-STATUS on addr's ATTENDEE line.
func attendeeStatus(t *testing.T, s *Store, path, addr string) string {
	t.Helper()
	o, err := s.Object(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.ReplaceAll(string(o.Data), "\r\n ", ""), "\r\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(l, addr) {
			if i := strings.Index(l, "SCHEDULE-STATUS="); i >= 0 {
				return l[i+len("SCHEDULE-STATUS=") : i+len("SCHEDULE-STATUS=1.0")]
			}
			return ""
		}
	}
	t.Fatalf("no ATTENDEE %s in\n%s", addr, o.Data)
	return ""
}

// TestScheduleQueueAcrossRestart runs the middleware with Options.Queue on
// the SQL store: a PUT inviting an external attendee stores 1.0 and
// queues the invitation in the object's transaction; the process dies
// before sending; a restarted one sends it exactly once over SMTP and
// records 1.1. A DELETE with a stale If-Match queues nothing; the
// organizer's DELETE queues the CANCEL with the delete, sent once.
func TestScheduleQueueAcrossRestart(t *testing.T) {
	for _, d := range reopeners {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			open := d.make(t)
			s1 := open()
			for _, p := range []*backend.Principal{
				backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com"),
				backend.NewPrincipal("bob", "Bob", "mailto:bob@example.com"),
			} {
				if err := backend.Provision(ctx, s1, p); err != nil {
					t.Fatal(err)
				}
			}
			cal, err := s1.DefaultCalendar(ctx, "/alice/")
			if err != nil {
				t.Fatal(err)
			}
			path := cal + "review.ics"
			event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:review\r\n" +
				"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Review\r\n" +
				"ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n" +
				"ATTENDEE:mailto:erin@remote.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
			if code := request(t, scheduleServer(t, s1), http.MethodPut, path, event); code != http.StatusCreated {
				t.Fatalf("PUT: %d", code)
			}
			if got := attendeeStatus(t, s1, path, "erin@remote.example"); got != "1.0" {
				t.Errorf("SCHEDULE-STATUS %q after the PUT, want 1.0", got)
			}
			if got := attendeeStatus(t, s1, path, "bob@example.com"); got != "1.2" {
				t.Errorf("local attendee's SCHEDULE-STATUS %q, want 1.2", got)
			}
			s1.Close() // the process dies before any worker ran

			s2 := open()
			sink := queuetest.NewSink(t)
			sender := queuetest.NewSMTPSender(sink.Addr(), 1)
			defer sender.Close()
			w, err := queue.New(queue.Config{Outbox: s2, Store: s2, Sender: sender, Logger: quietLogger})
			if err != nil {
				t.Fatal(err)
			}
			drain := func() {
				for {
					n, err := w.Process(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						return
					}
				}
			}
			drain()
			if ids, copies := sink.Unique(); ids != 1 || copies != 1 {
				t.Fatalf("after the restart the sink got %d messages (max %d copies), want 1 once", ids, copies)
			}
			if got := attendeeStatus(t, s2, path, "erin@remote.example"); got != "1.1" {
				t.Errorf("SCHEDULE-STATUS %q after the send, want 1.1", got)
			}

			srv := scheduleServer(t, s2)
			if code := request(t, srv, http.MethodDelete, path, "", "If-Match", `"stale"`); code != http.StatusPreconditionFailed {
				t.Fatalf("DELETE with a stale If-Match: %d", code)
			}
			if n, err := s2.Queued(ctx, "review", "mailto:erin@remote.example"); err != nil || n != 0 {
				t.Fatalf("a failed DELETE queued %d messages (%v)", n, err)
			}
			if code := request(t, srv, http.MethodDelete, path, ""); code != http.StatusNoContent {
				t.Fatalf("DELETE: %d", code)
			}
			if n, err := s2.Queued(ctx, "review", "mailto:erin@remote.example"); err != nil || n != 1 {
				t.Fatalf("the DELETE queued %d messages (%v), want the CANCEL", n, err)
			}
			drain()
			if ids, copies := sink.Unique(); ids != 2 || copies != 1 || sink.Total() != 2 {
				t.Errorf("the sink got %d messages in %d mails (max %d copies), want the invitation and the CANCEL once each", ids, sink.Total(), copies)
			}
			if st := w.Stats(); st.Sent != 2 || st.Failed != 0 {
				t.Errorf("worker stats %+v", st)
			}
		})
	}
}

// TestScheduleQueueNotifyWakesWorker: with Notify set to the worker's,
// a running worker that polls once an hour sends the invitation of each
// PUT at once. (The first PUT may be found by the worker's first round;
// the second can only be sent because Notify woke it.)
func TestScheduleQueueNotifyWakesWorker(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	if err := backend.Provision(ctx, s, backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")); err != nil {
		t.Fatal(err)
	}
	sink := queuetest.NewSink(t)
	sender := queuetest.NewSMTPSender(sink.Addr(), 1)
	defer sender.Close()
	w, err := queue.New(queue.Config{Outbox: s, Store: s, Sender: sender, Logger: quietLogger, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	h := schedule.New(&caldav.Handler{Backend: s.CalDAV()}, s, &schedule.Options{
		Queue: &schedule.QueueOptions{Notify: w.Notify}, Logger: quietLogger})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(rw, r.WithContext(backend.WithPrincipal(r.Context(), "/alice/")))
	}))
	defer srv.Close()
	for i, uid := range []string{"ping-1", "ping-2"} {
		event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\n" +
			"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nORGANIZER:mailto:alice@example.com\r\n" +
			"ATTENDEE:mailto:erin@remote.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		if code := request(t, srv, http.MethodPut, "/alice/calendars/default/"+uid+".ics", event); code != http.StatusCreated {
			t.Fatalf("PUT: %d", code)
		}
		deadline := time.Now().Add(20 * time.Second)
		for sink.Total() <= i && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if sink.Total() != i+1 {
			t.Fatalf("after PUT %d the worker had sent %d mails", i+1, sink.Total())
		}
	}
	if err := w.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
