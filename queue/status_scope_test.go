package queue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/queue"
)

// attendeeCopy is a local attendee's copy of olga's (remote) event uid,
// after answering: the REPLY to olga is pending.
func attendeeCopy(uid, attendee string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDTEND:20260310T110000Z\r\n" +
		"ORGANIZER;SCHEDULE-STATUS=1.0:mailto:olga@remote.example\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:" + attendee + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

// organizerStatus returns the SCHEDULE-STATUS on the ORGANIZER of the
// object at path.
func organizerStatus(t *testing.T, s *memory.Store, path string) string {
	t.Helper()
	o, err := s.Object(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(o.Data), "\r\n") {
		if strings.HasPrefix(l, "ORGANIZER;SCHEDULE-STATUS=") {
			return strings.TrimPrefix(l[:strings.IndexByte(l, ':')], "ORGANIZER;SCHEDULE-STATUS=")
		}
	}
	return ""
}

// TestRepliesOfTwoAttendeesBothGetStatus: two local attendees of one
// remote organizer answer before the worker runs. Their REPLYs share the
// (UID, recipient) pair, so they go out one after the other; each
// attendee's copy must still end with 1.1 on ORGANIZER. (The worker used
// to skip the write-back while any other message of the pair was queued,
// assuming it would set the status, so the first attendee's copy stayed
// 1.0 for ever.)
func TestRepliesOfTwoAttendeesBothGetStatus(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	c := newClock()
	var paths []string
	for i, u := range []string{"bob", "carol"} {
		p := backend.NewPrincipal(u, u, "mailto:"+u+"@example.com")
		if err := s.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
		cal, err := s.DefaultCalendar(ctx, p.Path)
		if err != nil {
			t.Fatal(err)
		}
		path := cal + "olga.ics"
		paths = append(paths, path)
		msg := backend.OutboundMessage{ID: u + "-reply@test.example", Sender: p.Path, ObjectPath: path, UID: "olga-1",
			Recipient: "mailto:olga@remote.example", Method: "REPLY", Enqueued: c.Now().Add(time.Duration(i) * time.Second),
			Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n")}
		if _, err := s.PutObjectEnqueue(ctx, path, attendeeCopy("olga-1", "mailto:"+u+"@example.com"), nil, []backend.OutboundMessage{msg}); err != nil {
			t.Fatal(err)
		}
	}
	rec := newRecorder(nil)
	w, err := queue.New(queue.Config{Outbox: s, Store: s, Sender: rec, Now: c.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 4; round++ {
		process(t, w)
	}
	if rec.count("bob-reply@test.example") != 1 || rec.count("carol-reply@test.example") != 1 {
		t.Fatalf("sends: %v", rec.sends)
	}
	for _, p := range paths {
		if got := organizerStatus(t, s, p); got != "1.1" {
			t.Errorf("%s: ORGANIZER SCHEDULE-STATUS %q, want 1.1", p, got)
		}
	}
}
