package queue_test

import (
	"context"
	"strings"
	"sync"
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

// TestSupersedeKeepsOtherSendersMessages: a REQUEST supersedes the unsent
// REQUESTs of its own sender only. Two organizers whose events happen to
// share a UID (UIDs are chosen by clients) and who invite the same remote
// attendee both get their invitation sent; before, the second organizer's
// write dropped the first one's invitation unsent (its status stayed 1.0)
// and inherited its Previous.
func TestSupersedeKeepsOtherSendersMessages(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	c := newClock()
	data := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
	alice := backend.OutboundMessage{ID: "alice-1@test.example", Sender: "/alice/", ObjectPath: "/alice/calendars/default/x.ics",
		UID: "shared-uid", Recipient: "mailto:zoe@remote.example", Method: "REQUEST", Supersedes: true, Data: data,
		Previous: []byte("alice's previous"), Enqueued: c.Now()}
	bob := alice
	bob.ID, bob.Sender, bob.ObjectPath, bob.Previous, bob.Enqueued = "bob-1@test.example", "/bob/", "/bob/calendars/default/x.ics", nil, c.Now().Add(time.Second)
	aliceUpdate := alice
	aliceUpdate.ID, aliceUpdate.Previous, aliceUpdate.Enqueued = "alice-2@test.example", []byte("alice's first update"), c.Now().Add(2*time.Second)
	for _, m := range []backend.OutboundMessage{alice, bob, aliceUpdate} {
		if err := s.Enqueue(ctx, []backend.OutboundMessage{m}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.Queued(ctx, "shared-uid", "mailto:zoe@remote.example"); n != 2 {
		t.Errorf("%d queued, want 2 (bob's, and alice's update that replaced her first REQUEST)", n)
	}
	var got []backend.OutboundMessage
	w, err := queue.New(queue.Config{Outbox: s, Now: c.Now, Logger: quiet, Sender: queue.SenderFunc(func(_ context.Context, m *backend.OutboundMessage) error {
		got = append(got, *m)
		return nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 4; round++ {
		process(t, w)
	}
	if len(got) != 2 || got[0].ID != "bob-1@test.example" || got[1].ID != "alice-2@test.example" {
		t.Fatalf("sent %v", got)
	}
	if string(got[0].Previous) != "" || string(got[1].Previous) != "alice's previous" {
		t.Errorf("Previous: bob %q, alice %q", got[0].Previous, got[1].Previous)
	}
}

// racingStore is the worker's calendar store; before the first read of
// the object it lets an organizer write go through that queues a newer
// invitation (and records 1.0 again), as a PUT racing the write-back would.
type racingStore struct {
	*memory.Store
	once  sync.Once
	write func()
}

func (s *racingStore) Object(ctx context.Context, path string) (*backend.Object, error) {
	s.once.Do(s.write)
	return s.Store.Object(ctx, path)
}

// TestNewerMessageQueuedDuringWriteBack: an update queued between the
// worker's check for newer messages and its status write-back keeps the
// recipient at 1.0 (pending), because the check runs on the version of
// the object the write-back changes. Before, the worker checked first and
// then wrote 1.1 over the newer write's 1.0.
func TestNewerMessageQueuedDuringWriteBack(t *testing.T) {
	e := newEnv(t, bob)
	rs := &racingStore{Store: e.store}
	rs.write = func() {
		newer := e.msgs[0]
		newer.ID, newer.Enqueued = "newer@test.example", e.clock.Now().Add(time.Second)
		if _, err := e.store.PutObjectEnqueue(e.ctx, e.path, organizerEvent("planning", bob), &backend.PutOptions{ScheduleTag: "tag-1"},
			[]backend.OutboundMessage{newer}); err != nil {
			t.Error(err)
		}
	}
	w := e.worker(t, newRecorder(nil), func(c *queue.Config) { c.Store = rs })
	if n := process(t, w); n != 1 {
		t.Fatalf("claimed %d", n)
	}
	e.wantStatus(t, bob, "1.0")
	process(t, w) // the newer message
	e.wantStatus(t, bob, "1.1")
}
