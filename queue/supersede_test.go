package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/queue"
)

// TestSupersedeNeverDropsCancel: invite, cancel, invite again, all before
// the worker runs: the CANCEL drops the first invitation, the second
// invitation drops nothing (it supersedes REQUESTs only), and the
// recipient gets the CANCEL and then the new invitation, in that order.
// A partial CANCEL (one instance) supersedes nothing.
func TestSupersedeNeverDropsCancel(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	c := newClock()
	msg := func(id, method string, supersedes bool, i int) backend.OutboundMessage {
		return backend.OutboundMessage{ID: id, Sender: "/alice/", ObjectPath: "/alice/calendars/default/x.ics", UID: "x",
			Recipient: "mailto:zoe@remote.example", Method: method, Supersedes: supersedes,
			Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:" + method + "\r\nEND:VCALENDAR\r\n"), Enqueued: c.Now().Add(time.Duration(i) * time.Second)}
	}
	for i, m := range []backend.OutboundMessage{
		msg("r1", "REQUEST", true, 0),
		msg("c1", "CANCEL", true, 1),
		msg("r2", "REQUEST", true, 2),
		msg("c2-instance", "CANCEL", false, 3),
		msg("r3", "REQUEST", true, 4),
	} {
		if err := s.Enqueue(ctx, []backend.OutboundMessage{m}); err != nil {
			t.Fatal(i, err)
		}
	}
	var sent []string
	w, err := queue.New(queue.Config{Outbox: s, Now: c.Now, Logger: quiet, Sender: queue.SenderFunc(func(_ context.Context, m *backend.OutboundMessage) error {
		sent = append(sent, m.ID)
		return nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 6; round++ {
		process(t, w)
	}
	if got := strings.Join(sent, " "); got != "c1 c2-instance r3" {
		t.Errorf("sent %q, want c1 c2-instance r3", got)
	}
}

// TestFailedRequestSupersededInFlight: an invitation in flight when an
// update is queued, whose send then fails for now, is not sent again
// before the update: the recipient gets the update alone, listing the
// changes since what they saw before the first.
func TestFailedRequestSupersededInFlight(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	c := newClock()
	msg := func(id, previous string, i int) backend.OutboundMessage {
		return backend.OutboundMessage{ID: id, Sender: "/alice/", ObjectPath: "/alice/calendars/default/x.ics", UID: "x",
			Recipient: "mailto:zoe@remote.example", Method: "REQUEST", Supersedes: true, Previous: []byte(previous),
			Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nX-ID:" + id + "\r\nEND:VCALENDAR\r\n"), Enqueued: c.Now().Add(time.Duration(i) * time.Second)}
	}
	if err := s.Enqueue(ctx, []backend.OutboundMessage{msg("r1", "v0", 0)}); err != nil {
		t.Fatal(err)
	}
	var sent []string
	w, err := queue.New(queue.Config{Outbox: s, Now: c.Now, Logger: quiet, Sender: queue.SenderFunc(func(_ context.Context, m *backend.OutboundMessage) error {
		if m.ID == "r1" {
			// The organizer changes the event while r1 is being sent.
			if err := s.Enqueue(ctx, []backend.OutboundMessage{msg("r2", "v1", 1)}); err != nil {
				t.Error(err)
			}
			return errors.New("421 4.3.2 try again later")
		}
		sent = append(sent, m.ID+" previous "+string(m.Previous))
		return nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 4; round++ {
		process(t, w)
		c.Advance(time.Hour)
	}
	if got := strings.Join(sent, ", "); got != "r2 previous v0" {
		t.Errorf("sent %q, want only r2, with r1's previous version v0", got)
	}
}
