package imip

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// TestMiddlewareDeliversByMail runs the whole chain: a PUT by an organizer
// through schedule.Handler with the Deliverer behind local delivery. The
// local attendee gets no mail, the external one does, a refused one gets a
// failure status, and each status is written back into the stored object.
func TestMiddlewareDeliversByMail(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) {})
	ctx := context.Background()
	store := memory.New()
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice", "mailto:alice@example.org"),
		backend.NewPrincipal("bob", "Bob", "mailto:bob@example.org"),
	} {
		if err := store.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	refusing := startSink(t, "plain", func(s *sink) { s.failRcpt = errPerm })
	mail := mustDeliverer(t, sk.addr)
	refused := mustDeliverer(t, refusing.addr)
	// Recipients at refused.example go to the refusing server.
	route := schedule.DelivererFunc(func(ctx context.Context, d *schedule.Delivery) (schedule.Status, error) {
		if strings.HasSuffix(d.Recipient, "@refused.example") {
			return refused.Deliver(ctx, d)
		}
		return mail.Deliver(ctx, d)
	})
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, &schedule.Options{
		Deliverers: []schedule.Deliverer{route},
		Logger:     quiet,
		Now:        func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) },
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(backend.WithPrincipal(r.Context(), "/alice/")))
	}))
	defer srv.Close()

	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:e2e@example.org\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\n" +
		"SUMMARY:End to end\r\nORGANIZER;CN=Alice:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE:mailto:bob@example.org\r\n" +
		"ATTENDEE;CN=Erin:mailto:erin@remote.example\r\n" +
		"ATTENDEE:mailto:frank@refused.example\r\n" +
		"ATTENDEE:urn:uuid:6f0e7c4a-0000-4000-8000-000000000001\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/alice/calendars/default/e2e.ics", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/calendar")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT: %s", resp.Status)
	}

	got := sk.received()
	if len(got) != 1 || got[0].to[0] != "erin@remote.example" {
		t.Fatalf("mails: %+v", got)
	}
	pm := parseBack(t, got[0].data)
	if s, _ := pm.header.Subject(); s != "Invitation: End to end" {
		t.Errorf("Subject %q", s)
	}
	if pm.part(t, "text/calendar").params["method"] != "REQUEST" {
		t.Error("no iTIP part")
	}

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/alice/calendars/default/e2e.ics", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	unfolded := strings.ReplaceAll(string(stored), "\r\n ", "")
	for addr, status := range map[string]string{
		"mailto:bob@example.org":                        "1.2", // local
		"mailto:erin@remote.example":                    "1.1", // handed to SMTP
		"mailto:frank@refused.example":                  "5.2", // 550 from the server
		"urn:uuid:6f0e7c4a-0000-4000-8000-000000000001": "3.7", // nobody delivers to it
	} {
		var line string
		for _, l := range strings.Split(unfolded, "\r\n") {
			if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(l, ":"+addr) {
				line = l
			}
		}
		if !strings.Contains(line, "SCHEDULE-STATUS="+status) && !strings.Contains(line, `SCHEDULE-STATUS="`+status) {
			t.Errorf("%s: want SCHEDULE-STATUS %s in %q", addr, status, line)
		}
	}
}
