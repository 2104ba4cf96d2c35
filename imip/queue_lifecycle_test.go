package imip

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

// TestQueuedStatusKeepsScheduleTag: the worker's write-back of 1.1 changes
// the ETag but not the Schedule-Tag (RFC 6638 §3.2.10), so a client's
// If-Schedule-Tag-Match with the tag it got from its PUT still succeeds.
func TestQueuedStatusKeepsScheduleTag(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-tag", "erin@remote.example")
	head := func() (etag, tag string) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+queuedPath, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("ETag"), resp.Header.Get("Schedule-Tag")
	}
	etag1, tag1 := head()
	if tag1 == "" {
		t.Fatal("no Schedule-Tag")
	}
	s.process(s.worker())
	if got := s.status(queuedPath, "erin@remote.example"); got != "1.1" {
		t.Fatalf("status %q", got)
	}
	etag2, tag2 := head()
	if tag2 != tag1 || etag2 == etag1 {
		t.Errorf("after the write-back: ETag %s→%s, Schedule-Tag %s→%s; want a new ETag and the same Schedule-Tag", etag1, etag2, tag1, tag2)
	}
	body := strings.Replace(s.getBody(queuedPath), "SUMMARY:Queued review", "SUMMARY:Renamed", 1)
	if code, resp := s.do(http.MethodPut, queuedPath, body, "If-Schedule-Tag-Match", tag1); code/100 != 2 {
		t.Errorf("PUT with If-Schedule-Tag-Match of the PUT's tag: %d %s", code, resp)
	}
}

// TestQueuedDeleteSendsOnlyCancel: the organizer deletes an event whose
// invitation is still queued: the CANCEL supersedes the REQUEST, so the
// attendee gets the CANCEL alone (never an invitation to a deleted
// event), and the worker's write-back finds no object and writes nothing.
func TestQueuedDeleteSendsOnlyCancel(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-del", "erin@remote.example")
	if code, resp := s.do(http.MethodDelete, queuedPath, ""); code/100 != 2 {
		t.Fatalf("DELETE: %d %s", code, resp)
	}
	w := s.worker()
	for s.process(w) > 0 {
	}
	got := sk.received()
	var methods []string
	for _, m := range got {
		methods = append(methods, parseBack(t, m.data).part(t, "text/calendar").params["method"])
	}
	if strings.Join(methods, ",") != "CANCEL" {
		t.Errorf("mails after the DELETE: %v, want the CANCEL alone", methods)
	}
	if st := w.Stats(); st.Sent != 1 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// getBody returns the stored object at path as fetched over HTTP.
func (s *queuedSetup) getBody(path string) string {
	s.t.Helper()
	code, body := s.do(http.MethodGet, path, "")
	if code != http.StatusOK {
		s.t.Fatalf("GET %s: %d", path, code)
	}
	return body
}

// TestQueuedStatusFollowsMove: an event moved to another calendar
// before its queued invitation is sent still gets the status
// 1.1 at its new path.
func TestQueuedStatusFollowsMove(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-move", "erin@remote.example")
	if err := s.store.CreateCalendar(context.Background(), &backend.Calendar{Path: "/alice/calendars/work/", Owner: "/alice/"}); err != nil {
		t.Fatal(err)
	}
	const moved = "/alice/calendars/work/moved.ics"
	if code, resp := s.do("MOVE", queuedPath, "", "Destination", s.srv.URL+moved); code/100 != 2 {
		t.Fatalf("MOVE: %d %s", code, resp)
	}
	if got := s.status(moved, "erin@remote.example"); got != "1.0" {
		t.Fatalf("status after MOVE %q", got)
	}
	w := s.worker()
	for s.process(w) > 0 {
	}
	if n := len(sk.received()); n != 1 {
		t.Fatalf("%d mails", n)
	}
	if got := s.status(moved, "erin@remote.example"); got != "1.1" {
		t.Errorf("status at the new path %q, want 1.1", got)
	}
}

// TestQueuedInvitationToDeletedEventNotSent: the organizer deletes the
// event with "Scheduling: none" (tell nobody) while its invitation is
// still queued: the invitation to an event that no longer exists is
// dropped unsent rather than mailed, with nothing to cancel it later.
func TestQueuedInvitationToDeletedEventNotSent(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := newQueuedSetup(t, mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText}))
	s.put(queuedPath, "review-silent", "erin@remote.example")
	if code, resp := s.do(http.MethodDelete, queuedPath, "", "Scheduling", "none"); code/100 != 2 {
		t.Fatalf("DELETE: %d %s", code, resp)
	}
	w := s.worker()
	for s.process(w) > 0 {
	}
	if got := sk.received(); len(got) != 0 {
		t.Errorf("%d mails sent for a deleted event", len(got))
	}
	if n, _ := s.store.Queued(context.Background(), "review-silent", "mailto:erin@remote.example"); n != 0 {
		t.Errorf("%d messages still queued", n)
	}
}
