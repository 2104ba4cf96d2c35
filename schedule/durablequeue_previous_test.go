package schedule

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestQueueRequestsCarryPrevious: an organizer's update queues each
// remaining attendee's REQUEST with what they saw before (their earlier
// view: the old time, without what was never theirs), the first
// invitations an empty calendar (nothing seen yet), and the CANCEL to an
// attendee the update removes none.
func TestQueueRequestsCarryPrevious(t *testing.T) {
	qe := newQueueEnv(t, cyrus)
	const (
		path  = "/cyrus/calendars/default/m.ics"
		frank = "frank@remote.example"
	)
	qe.do("cyrus", "PUT", path, invite("m1", "cyrus@example.com", erin, frank)).must(t, 201)
	qe.process()
	for _, m := range qe.sender.msgs {
		if m.Previous == nil || bytes.Contains(m.Previous, []byte("VEVENT")) {
			t.Errorf("the invitation to %s carries previous version %q, want an empty calendar", m.Recipient, m.Previous)
		}
	}
	obj, data := qe.object(path)
	moved := strings.ReplaceAll(strings.ReplaceAll(data, "20090610T160000Z", "20090611T160000Z"), "20090610T170000Z", "20090611T170000Z")
	moved = strings.Replace(moved, propLine(moved, "ATTENDEE", frank)+"\n", "", 1)
	moved = strings.ReplaceAll(strings.TrimRight(moved, "\n"), "\n", "\r\n") + "\r\n"
	qe.do("cyrus", "PUT", path, moved, "If-Match", `"`+obj.ETag+`"`).must(t, 204)
	qe.process()
	got := qe.sender.msgs[2:]
	if len(got) != 2 {
		t.Fatalf("sent %v, want a REQUEST to erin and a CANCEL to frank after the invitations", qe.sender.sent())
	}
	for _, m := range got {
		switch m.Method + " " + m.Recipient {
		case "REQUEST mailto:" + erin:
			if !bytes.Contains(m.Previous, []byte("DTSTART:20090610T160000Z")) || bytes.Contains(m.Previous, []byte("20090611")) ||
				bytes.Contains(m.Previous, []byte("SCHEDULE-STATUS")) {
				t.Errorf("erin's REQUEST has Previous\n%s\nwant the earlier time without delivery statuses", m.Previous)
			}
		case "CANCEL mailto:" + frank:
			if m.Previous != nil {
				t.Errorf("the CANCEL carries a previous version:\n%s", m.Previous)
			}
		default:
			t.Errorf("unexpected %s to %s", m.Method, m.Recipient)
		}
	}
}

// BenchmarkUpdateRemoteAttendees is an organizer's update (a moved time)
// of an event with 10 remote (mailto:) attendees through Options.Queue on
// the memory store: planning, the recipients' previous views, storing the
// object and the 10 REQUESTs.
func BenchmarkUpdateRemoteAttendees(b *testing.B) {
	users, addrs := benchUsers(3)
	for i := 0; i < 10; i++ {
		addrs = append(addrs, fmt.Sprintf("r%02d@remote.example", i))
	}
	e := newEnv(b, &Options{Queue: &QueueOptions{Domain: "example.com"}}, users...)
	handler := authenticate(e.h)
	const path = "/cyrus/calendars/default/update.ics"
	versions := [2]string{invite("update", "cyrus@example.com", addrs...), ""}
	versions[1] = strings.ReplaceAll(strings.ReplaceAll(versions[0], "20090610T160000Z", "20090611T160000Z"), "20090610T170000Z", "20090611T170000Z")
	put := func(body string) int {
		req := httptest.NewRequest("PUT", path, strings.NewReader(body))
		req.SetBasicAuth("cyrus", "x")
		req.Header.Set("Content-Type", "text/calendar")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		return w.Code
	}
	if code := put(versions[0]); code != http.StatusCreated {
		b.Fatalf("first PUT: %d", code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := put(versions[(i+1)%2]); code != http.StatusNoContent {
			b.Fatalf("update: %d", code)
		}
	}
}
