package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue"
)

var _ queue.ObjectQueue = (*Store)(nil)

// TestQueuedForScopesByObject: two local attendees' REPLYs to one remote
// organizer share a (UID, recipient) pair; QueuedFor counts them per
// object, and a queue.Worker leaves both copies with SCHEDULE-STATUS 1.1
// on ORGANIZER (before QueuedFor, the first copy kept 1.0).
func TestQueuedForScopesByObject(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	const olga = "mailto:olga@remote.example"
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
		data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:olga-1\r\n" +
			"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDTEND:20260310T110000Z\r\n" +
			"ORGANIZER;SCHEDULE-STATUS=1.0:" + olga + "\r\nATTENDEE;PARTSTAT=ACCEPTED:" + p.Addresses[0] + "\r\n" +
			"END:VEVENT\r\nEND:VCALENDAR\r\n"
		msg := backend.OutboundMessage{ID: u + "-reply@test.example", Sender: p.Path, ObjectPath: path, UID: "olga-1",
			Recipient: olga, Method: "REPLY", Enqueued: time.Now().Add(time.Duration(i-10) * time.Second),
			Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n")}
		if _, err := s.PutObjectEnqueue(ctx, path, []byte(data), nil, []backend.OutboundMessage{msg}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range paths {
		if n, err := s.QueuedFor(ctx, p, "olga-1", "MAILTO:Olga@remote.example"); err != nil || n != 1 {
			t.Errorf("QueuedFor(%s) = %d, %v; want 1", p, n, err)
		}
	}
	if n, err := s.Queued(ctx, "olga-1", olga); err != nil || n != 2 {
		t.Errorf("Queued = %d, %v; want 2", n, err)
	}
	w, err := queue.New(queue.Config{Outbox: s, Store: s, Logger: quietLogger,
		Sender: queue.SenderFunc(func(context.Context, *backend.OutboundMessage) error { return nil })})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		if _, err := w.Process(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := w.Stats(); st.Sent != 2 {
		t.Fatalf("stats %+v", st)
	}
	for _, p := range paths {
		o, err := s.Object(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(o.Data), "ORGANIZER;SCHEDULE-STATUS=1.1:") {
			t.Errorf("%s:\n%s", p, o.Data)
		}
	}
}

// TestSupersedeScopedBySender: a superseding REQUEST drops the unsent
// REQUESTs of its own sender for the pair, not another sender's whose
// event shares the UID.
func TestSupersedeScopedBySender(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	data := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
	base := time.Now().Add(-time.Minute)
	msg := func(id, sender string, i int, prev string) backend.OutboundMessage {
		return backend.OutboundMessage{ID: id, Sender: sender, ObjectPath: sender + "calendars/default/x.ics", UID: "shared-uid",
			Recipient: "mailto:zoe@remote.example", Method: "REQUEST", Supersedes: true, Data: data,
			Previous: []byte(prev), Enqueued: base.Add(time.Duration(i) * time.Second)}
	}
	for _, m := range []backend.OutboundMessage{
		msg("alice-1@test.example", "/alice/", 0, "alice's previous"),
		msg("bob-1@test.example", "/bob/", 1, ""),
		msg("alice-2@test.example", "/alice/", 2, "alice's first update"),
	} {
		if err := s.Enqueue(ctx, []backend.OutboundMessage{m}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for {
		ms, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			got = append(got, m.ID+" "+string(m.Previous))
			if err := s.Complete(ctx, m.Lease, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if strings.Join(got, "|") != "bob-1@test.example |alice-2@test.example alice's previous" {
		t.Errorf("claimed %q", got)
	}
}
