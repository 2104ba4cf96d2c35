package backendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// outboxStore is a suite store that also keeps a delivery queue.
type outboxStore interface {
	Store
	backend.Outbox
}

// outboxT0 is the clock of the outbox tests: every time they pass is
// relative to it, so that the tests never sleep.
var outboxT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const leaseTime = time.Minute

// outMsg builds a message of the tests: id, for uid and recipient.
func outMsg(id, uid, recipient, method string) backend.OutboundMessage {
	return backend.OutboundMessage{
		ID:        id,
		Sender:    "/alice/",
		UID:       uid,
		Recipient: recipient,
		Method:    method,
		Data:      []byte("BEGIN:VCALENDAR\r\nMETHOD:" + method + "\r\nX-ID:" + id + "\r\nEND:VCALENDAR\r\n"),
		Enqueued:  outboxT0,
	}
}

// withPrevious returns m with a Previous of size octets.
func withPrevious(m backend.OutboundMessage, size int) backend.OutboundMessage {
	m.Previous = bytes.Repeat([]byte("x"), size)
	return m
}

func ids(msgs []backend.OutboundMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func sameIDs(got []backend.OutboundMessage, want ...string) bool {
	g := ids(got)
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

// claim claims up to 100 messages at now and fails the test on error.
func claim(t *testing.T, q backend.Outbox, now time.Time) []backend.OutboundMessage {
	t.Helper()
	got, err := q.Claim(context.Background(), now, 100, leaseTime)
	if err != nil {
		t.Fatalf("Claim(%v): %v", now, err)
	}
	return got
}

// drain completes everything claimable until the queue is empty, far in
// the future, and returns the IDs in the order they were claimed.
func drain(t *testing.T, q backend.Outbox) []string {
	t.Helper()
	var out []string
	for now := outboxT0.Add(24 * time.Hour); ; now = now.Add(2 * leaseTime) {
		got := claim(t, q, now)
		if len(got) == 0 {
			return out
		}
		for _, m := range got {
			out = append(out, m.ID)
			noErr(t, "Complete("+m.ID+")", q.Complete(context.Background(), m.Lease, m.ID))
		}
	}
}

func runOutbox(t *testing.T, newStore NewStore) {
	open := func(t *testing.T) (*fixture, outboxStore) {
		t.Helper()
		f := newFixture(t, newStore)
		q, ok := f.s.(outboxStore)
		if !ok {
			t.Skipf("%T does not implement backend.Outbox", f.s)
		}
		return f, q
	}
	t.Run("ClaimCompleteRoundTrip", func(t *testing.T) {
		f, q := open(t)
		m := outMsg("m1", "uid-1", "mailto:bob@remote.example", "REQUEST")
		m.ObjectPath = f.aliceCal + "e.ics"
		m.Supersedes = true
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{m}))
		m.Data[0] = 'X' // the store keeps its own copy
		got := claim(t, q, outboxT0)
		if len(got) != 1 {
			t.Fatalf("Claim returned %d messages, want 1", len(got))
		}
		c := got[0]
		if c.ID != "m1" || c.Sender != "/alice/" || c.ObjectPath != m.ObjectPath || c.UID != "uid-1" ||
			c.Recipient != m.Recipient || c.Method != "REQUEST" || !c.Enqueued.Equal(outboxT0) {
			t.Errorf("claimed %+v, want the fields of %+v", c, m)
		}
		if !bytes.HasPrefix(c.Data, []byte("BEGIN:VCALENDAR")) {
			t.Errorf("claimed Data %q: the caller's later change leaked into the store", c.Data)
		}
		if len(c.Previous) != 0 {
			t.Errorf("claimed Previous %q of a message queued without one", c.Previous)
		}
		if c.Attempts != 1 || c.Lease == "" || c.LastError != "" {
			t.Errorf("claimed Attempts=%d Lease=%q LastError=%q, want 1, a lease, none", c.Attempts, c.Lease, c.LastError)
		}
		if again := claim(t, q, outboxT0); len(again) != 0 {
			t.Errorf("a leased message was claimed again: %v", ids(again))
		}
		wantErr(t, "Complete with a wrong lease", q.Complete(f.ctx, c.Lease+"x", "m1"), backend.ErrLeaseLost)
		noErr(t, "Complete", q.Complete(f.ctx, c.Lease, "m1"))
		wantErr(t, "second Complete", q.Complete(f.ctx, c.Lease, "m1"), backend.ErrLeaseLost)
		wantErr(t, "Retry after Complete", q.Retry(f.ctx, "m1", c.Lease, outboxT0, "x"), backend.ErrLeaseLost)
		if left := claim(t, q, outboxT0.Add(time.Hour)); len(left) != 0 {
			t.Errorf("a completed message came back: %v", ids(left))
		}
	})
	t.Run("PreviousRoundTrip", func(t *testing.T) {
		f, q := open(t)
		prev := []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:uid-1\r\nLOCATION:Room 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		m := outMsg("p1", "uid-1", "mailto:bob@remote.example", "REQUEST")
		m.Previous = append([]byte(nil), prev...)
		_, err := q.PutObjectEnqueue(f.ctx, f.aliceCal+"p.ics", event("uid-1", "20260310T100000Z", ""), nil, []backend.OutboundMessage{m})
		noErr(t, "PutObjectEnqueue", err)
		m.Previous[0] = 'X' // the store keeps its own copy
		got := claim(t, q, outboxT0)
		if len(got) != 1 {
			t.Fatalf("Claim returned %d messages, want 1", len(got))
		}
		if !bytes.Equal(got[0].Previous, prev) {
			t.Errorf("claimed Previous %q, want %q", got[0].Previous, prev)
		}
		got[0].Previous[0] = 'Y' // nor shares it with a claimer
		noErr(t, "Retry", q.Retry(f.ctx, "p1", got[0].Lease, outboxT0, "later"))
		again := claim(t, q, outboxT0)
		if len(again) != 1 || !bytes.Equal(again[0].Previous, prev) {
			t.Fatalf("Previous after a retry: %+v, want %q", again, prev)
		}
		noErr(t, "Complete", q.Complete(f.ctx, again[0].Lease, "p1"))
	})
	t.Run("CompleteBatch", func(t *testing.T) {
		f, q := open(t)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{
			outMsg("a", "u1", "mailto:bob@remote.example", "REQUEST"),
			outMsg("b", "u2", "mailto:bob@remote.example", "REQUEST"),
			outMsg("c", "u3", "mailto:bob@remote.example", "REQUEST"),
		}))
		got := claim(t, q, outboxT0)
		if len(got) != 3 || got[0].Lease != got[1].Lease || got[1].Lease != got[2].Lease {
			t.Fatalf("one Claim gave %+v, want three messages with one lease", got)
		}
		noErr(t, "Complete(a)", q.Complete(f.ctx, got[0].Lease, "a"))
		wantErr(t, "Complete(a, b, c) after a", q.Complete(f.ctx, got[0].Lease, "a", "b", "c"), backend.ErrLeaseLost)
		if left := claim(t, q, outboxT0.Add(time.Hour)); len(left) != 0 {
			t.Errorf("b and c not completed with the batch: %v", ids(left))
		}
		noErr(t, "Complete of nothing", q.Complete(f.ctx, got[0].Lease))
	})
	t.Run("InvalidMessagesQueueNothing", func(t *testing.T) {
		f, q := open(t)
		good := outMsg("ok", "uid-1", "mailto:bob@remote.example", "REQUEST")
		long := outMsg(string(bytes.Repeat([]byte("i"), backend.MaxOutboundIDLength+1)), "u", "mailto:x@y", "REQUEST")
		for name, bad := range map[string]backend.OutboundMessage{
			"no ID":        outMsg("", "uid-1", "mailto:bob@remote.example", "REQUEST"),
			"long ID":      long,
			"no UID":       outMsg("b", "", "mailto:bob@remote.example", "REQUEST"),
			"no recipient": outMsg("b", "uid-1", " ", "REQUEST"),
			"no method":    outMsg("b", "uid-1", "mailto:bob@remote.example", ""),
			"no data":      {ID: "b", UID: "u", Recipient: "mailto:x@y", Method: "REQUEST"},
			"NUL in UID":   outMsg("b", "u\x00id", "mailto:bob@remote.example", "REQUEST"),
			"bad UTF-8":    outMsg("b\xff", "uid-1", "mailto:bob@remote.example", "REQUEST"),
			"big previous": withPrevious(outMsg("b", "uid-1", "mailto:bob@remote.example", "REQUEST"), backend.MaxOutboundPreviousSize+1),
		} {
			wantErr(t, "Enqueue("+name+")", q.Enqueue(f.ctx, []backend.OutboundMessage{good, bad}), backend.ErrInvalidData)
			_, err := q.PutObjectEnqueue(f.ctx, f.aliceCal+"inv.ics", event("inv", "20260310T100000Z", ""), nil, []backend.OutboundMessage{good, bad})
			wantErr(t, "PutObjectEnqueue("+name+")", err, backend.ErrInvalidData)
		}
		if _, err := f.s.Object(f.ctx, f.aliceCal+"inv.ics"); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("object written although its messages were invalid: Object error %v", err)
		}
		if got := claim(t, q, outboxT0); len(got) != 0 {
			t.Errorf("invalid batches queued %v", ids(got))
		}
		if _, err := q.Claim(f.ctx, outboxT0, 10, 0); !errors.Is(err, backend.ErrInvalidData) {
			t.Errorf("Claim with a zero lease: error %v, want ErrInvalidData", err)
		}
	})
	t.Run("PutObjectEnqueueIsAtomic", func(t *testing.T) {
		f, q := open(t)
		path := f.aliceCal + "evt.ics"
		first := f.put(t, path, event("evt", "20260310T100000Z", "20260310T110000Z"))
		m := outMsg("after-cas", "evt", "mailto:bob@remote.example", "REQUEST")
		_, err := q.PutObjectEnqueue(f.ctx, path, event("evt", "20260311T100000Z", "20260311T110000Z"),
			&backend.PutOptions{IfMatch: first.ETag + "-stale"}, []backend.OutboundMessage{m})
		wantErr(t, "PutObjectEnqueue with a stale If-Match", err, backend.ErrPreconditionFailed)
		_, err = q.PutObjectEnqueue(f.ctx, f.aliceCal+"other.ics", event("evt", "20260311T100000Z", ""),
			nil, []backend.OutboundMessage{outMsg("uid-conflict", "evt", "mailto:bob@remote.example", "REQUEST")})
		wantErr(t, "PutObjectEnqueue with a UID conflict", err, backend.ErrUIDConflict)
		_, err = q.PutObjectEnqueue(f.ctx, f.aliceCal+"new.ics", event("new", "20260311T100000Z", ""),
			&backend.PutOptions{IfMatch: "nothing-there"}, []backend.OutboundMessage{outMsg("not-found", "new", "mailto:bob@remote.example", "REQUEST")})
		wantErr(t, "PutObjectEnqueue with If-Match on nothing", err, backend.ErrNotFound)
		if got := claim(t, q, outboxT0); len(got) != 0 {
			t.Fatalf("failed writes queued %v", ids(got))
		}
		if o := f.get(t, path); o.ETag != first.ETag {
			t.Errorf("failed write changed the object: ETag %q, was %q", o.ETag, first.ETag)
		}
		m.ObjectPath = path
		o, err := q.PutObjectEnqueue(f.ctx, path, event("evt", "20260311T100000Z", "20260311T110000Z"),
			&backend.PutOptions{IfMatch: first.ETag, ScheduleTag: "st-2"}, []backend.OutboundMessage{m})
		noErr(t, "PutObjectEnqueue", err)
		if o.ScheduleTag != "st-2" || o.ETag == first.ETag || !bytes.Contains(f.get(t, path).Data, []byte("20260311T100000Z")) {
			t.Errorf("PutObjectEnqueue stored %+v, not the new data with Schedule-Tag st-2", o)
		}
		if got := claim(t, q, outboxT0); !sameIDs(got, "after-cas") {
			t.Errorf("claimed %v after a successful write, want [after-cas]", ids(got))
		}
	})
	t.Run("DeleteObjectEnqueueIsAtomic", func(t *testing.T) {
		f, q := open(t)
		path := f.aliceCal + "gone.ics"
		first := f.put(t, path, event("gone", "20260310T100000Z", "20260310T110000Z"))
		cancel := outMsg("cancel", "gone", "mailto:bob@remote.example", "CANCEL")
		cancel.Supersedes = true
		wantErr(t, "DeleteObjectEnqueue with a stale If-Match",
			q.DeleteObjectEnqueue(f.ctx, path, first.ETag+"-stale", []backend.OutboundMessage{cancel}), backend.ErrPreconditionFailed)
		wantErr(t, "DeleteObjectEnqueue of nothing",
			q.DeleteObjectEnqueue(f.ctx, f.aliceCal+"never.ics", "", []backend.OutboundMessage{outMsg("never", "never", "mailto:bob@remote.example", "CANCEL")}), backend.ErrNotFound)
		wantErr(t, "DeleteObjectEnqueue with an invalid message",
			q.DeleteObjectEnqueue(f.ctx, path, first.ETag, []backend.OutboundMessage{cancel, outMsg("", "gone", "mailto:bob@remote.example", "CANCEL")}), backend.ErrInvalidData)
		if got := claim(t, q, outboxT0); len(got) != 0 {
			t.Fatalf("failed deletes queued %v", ids(got))
		}
		if o := f.get(t, path); o.ETag != first.ETag {
			t.Fatalf("a failed delete changed the object: ETag %q, was %q", o.ETag, first.ETag)
		}
		// A queued REQUEST for the event is superseded by the CANCEL.
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{outMsg("invite", "gone", "mailto:bob@remote.example", "REQUEST")}))
		noErr(t, "DeleteObjectEnqueue", q.DeleteObjectEnqueue(f.ctx, path, first.ETag, []backend.OutboundMessage{cancel}))
		if _, err := f.s.Object(f.ctx, path); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("Object after DeleteObjectEnqueue: error %v, want ErrNotFound", err)
		}
		if _, err := f.s.ObjectByUID(f.ctx, f.alice.Path, "gone"); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("ObjectByUID after DeleteObjectEnqueue: error %v, want ErrNotFound", err)
		}
		if got := drain(t, q); len(got) != 1 || got[0] != "cancel" {
			t.Errorf("queued after the delete: %v, want [cancel] (the unsent REQUEST superseded)", got)
		}
		// Without If-Match and without messages it is a plain delete.
		f.put(t, path, event("gone", "20260310T100000Z", "20260310T110000Z"))
		noErr(t, "DeleteObjectEnqueue without If-Match", q.DeleteObjectEnqueue(f.ctx, path, "", nil))
		if _, err := f.s.Object(f.ctx, path); !errors.Is(err, backend.ErrNotFound) {
			t.Errorf("Object after an unconditional DeleteObjectEnqueue: error %v, want ErrNotFound", err)
		}
	})
	t.Run("DuplicateIDIsIgnored", func(t *testing.T) {
		f, q := open(t)
		m := outMsg("dup", "uid-1", "mailto:bob@remote.example", "REQUEST")
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{m, m}))
		noErr(t, "Enqueue again", q.Enqueue(f.ctx, []backend.OutboundMessage{m}))
		if got := drain(t, q); len(got) != 1 {
			t.Errorf("one ID enqueued three times was claimed %d times", len(got))
		}
	})
	t.Run("LeaseExpiry", func(t *testing.T) {
		f, q := open(t)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{outMsg("m", "u", "mailto:bob@remote.example", "REQUEST")}))
		first := claim(t, q, outboxT0)
		if len(first) != 1 {
			t.Fatalf("Claim returned %v", ids(first))
		}
		if got := claim(t, q, outboxT0.Add(leaseTime-time.Second)); len(got) != 0 {
			t.Errorf("claimed %v before the lease expired", ids(got))
		}
		second := claim(t, q, outboxT0.Add(leaseTime+time.Second))
		if len(second) != 1 || second[0].Attempts != 2 || second[0].Lease == first[0].Lease {
			t.Fatalf("after the lease expired: claimed %+v, want m again with Attempts 2 and a new lease", second)
		}
		wantErr(t, "Complete with the expired lease", q.Complete(f.ctx, first[0].Lease, "m"), backend.ErrLeaseLost)
		wantErr(t, "Release with the expired lease", q.Release(f.ctx, "m", first[0].Lease), backend.ErrLeaseLost)
		noErr(t, "Complete with the new lease", q.Complete(f.ctx, second[0].Lease, "m"))
	})
	t.Run("RetryAndRelease", func(t *testing.T) {
		f, q := open(t)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{outMsg("m", "u", "mailto:bob@remote.example", "REQUEST")}))
		c := claim(t, q, outboxT0)[0]
		next := outboxT0.Add(10 * time.Minute)
		long := string(bytes.Repeat([]byte("e"), 3*backend.MaxOutboundErrorLength))
		noErr(t, "Retry", q.Retry(f.ctx, "m", c.Lease, next, long))
		wantErr(t, "Retry twice with one lease", q.Retry(f.ctx, "m", c.Lease, next, "x"), backend.ErrLeaseLost)
		if got := claim(t, q, next.Add(-time.Second)); len(got) != 0 {
			t.Errorf("claimed %v before NextAttempt", ids(got))
		}
		got := claim(t, q, next)
		if len(got) != 1 || got[0].Attempts != 2 || len(got[0].LastError) != backend.MaxOutboundErrorLength || !got[0].NextAttempt.Equal(next) {
			t.Fatalf("at NextAttempt claimed %+v, want Attempts 2, LastError cut to %d, NextAttempt %v", got, backend.MaxOutboundErrorLength, next)
		}
		noErr(t, "Release", q.Release(f.ctx, "m", got[0].Lease))
		got = claim(t, q, next)
		if len(got) != 1 || got[0].Attempts != 2 {
			t.Fatalf("after Release claimed %+v, want m due at once with Attempts still 2", got)
		}
	})
	t.Run("LastErrorIsSanitized", func(t *testing.T) {
		f, q := open(t)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{outMsg("m", "u", "mailto:bob@remote.example", "REQUEST")}))
		c := claim(t, q, outboxT0)[0]
		noErr(t, "Retry", q.Retry(f.ctx, "m", c.Lease, outboxT0, "550\x00 bad \xff reply"))
		got := claim(t, q, outboxT0)
		if len(got) != 1 || got[0].LastError != "550 bad \uFFFD reply" {
			t.Errorf("LastError after a reply with NUL and bad UTF-8: %+v", got)
		}
	})
	t.Run("OrderPerUIDAndRecipient", func(t *testing.T) {
		f, q := open(t)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{
			outMsg("bob-1", "u", "mailto:bob@remote.example", "REQUEST"),
			outMsg("carol-1", "u", "mailto:carol@remote.example", "REQUEST"),
			outMsg("bob-2", "u", "MAILTO:Bob@REMOTE.example", "CANCEL"),
			outMsg("bob-other-uid", "u2", "mailto:bob@remote.example", "REQUEST"),
		}))
		got := claim(t, q, outboxT0)
		if !sameIDs(got, "bob-1", "carol-1", "bob-other-uid") {
			t.Fatalf("claimed %v, want [bob-1 carol-1 bob-other-uid] (bob-2 waits for bob-1)", ids(got))
		}
		if n, err := q.Queued(f.ctx, "u", "mailto:BOB@remote.example"); err != nil || n != 2 {
			t.Errorf("Queued(u, bob) = %d, %v; want 2", n, err)
		}
		byID := map[string]backend.OutboundMessage{}
		for _, m := range got {
			byID[m.ID] = m
		}
		noErr(t, "Complete(carol-1)", q.Complete(f.ctx, byID["carol-1"].Lease, "carol-1"))
		noErr(t, "Complete(bob-other-uid)", q.Complete(f.ctx, byID["bob-other-uid"].Lease, "bob-other-uid"))
		// A retry of bob-1 keeps bob-2 back until bob-1 is done.
		later := outboxT0.Add(5 * time.Minute)
		noErr(t, "Retry(bob-1)", q.Retry(f.ctx, "bob-1", byID["bob-1"].Lease, later, "421 try later"))
		if got := claim(t, q, outboxT0.Add(2*leaseTime)); len(got) != 0 {
			t.Errorf("claimed %v while bob-1 waits for its retry", ids(got))
		}
		got = claim(t, q, later)
		if !sameIDs(got, "bob-1") {
			t.Fatalf("at the retry time claimed %v, want [bob-1]", ids(got))
		}
		noErr(t, "Complete(bob-1)", q.Complete(f.ctx, got[0].Lease, "bob-1"))
		if got := claim(t, q, later); !sameIDs(got, "bob-2") {
			t.Errorf("after bob-1 completed claimed %v, want [bob-2]", ids(got))
		}
	})
	t.Run("ClaimOldestFirst", func(t *testing.T) {
		f, q := open(t)
		var msgs []backend.OutboundMessage
		for i := 0; i < 10; i++ {
			msgs = append(msgs, outMsg(fmt.Sprintf("m%d", i), fmt.Sprintf("u%d", 9-i), "mailto:bob@remote.example", "REQUEST"))
		}
		noErr(t, "Enqueue", q.Enqueue(f.ctx, msgs[:5]))
		noErr(t, "Enqueue", q.Enqueue(f.ctx, msgs[5:]))
		got, err := q.Claim(f.ctx, outboxT0, 3, leaseTime)
		noErr(t, "Claim", err)
		if !sameIDs(got, "m0", "m1", "m2") {
			t.Errorf("Claim(limit 3) = %v, want the three oldest [m0 m1 m2]", ids(got))
		}
		for _, m := range got {
			noErr(t, "Complete("+m.ID+")", q.Complete(f.ctx, m.Lease, m.ID))
		}
		if got := drain(t, q); len(got) != 7 || got[0] != "m3" || got[6] != "m9" {
			t.Errorf("the rest came out as %v, want m3..m9 in order", got)
		}
	})
	t.Run("SupersededRequestsAreDropped", func(t *testing.T) {
		f, q := open(t)
		bob := "mailto:bob@remote.example"
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{
			outMsg("req-1", "u", bob, "REQUEST"),
			outMsg("add-1", "u", bob, "ADD"),
			outMsg("req-2", "u", bob, "REQUEST"),
			outMsg("carol-req", "u", "mailto:carol@remote.example", "REQUEST"),
			outMsg("other-uid", "u2", bob, "REQUEST"),
		}))
		partial := outMsg("cancel-instance", "u", bob, "CANCEL") // Supersedes false: drops nothing
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{partial}))
		whole := outMsg("req-3", "u", "MAILTO:BOB@remote.example", "REQUEST")
		whole.Supersedes = true
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{whole}))
		got := drain(t, q)
		want := []string{"add-1", "carol-req", "other-uid", "cancel-instance", "req-3"}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("delivered %v, want %v (req-1 and req-2 superseded by req-3)", got, want)
		}
	})
	t.Run("SupersedingTakesOldestPrevious", func(t *testing.T) {
		f, q := open(t)
		bob, carol := "mailto:bob@remote.example", "mailto:carol@remote.example"
		with := func(m backend.OutboundMessage, prev string, supersedes bool) backend.OutboundMessage {
			if prev != "" {
				m.Previous = []byte(prev)
			}
			m.Supersedes = supersedes
			return m
		}
		// bob saw v0, then two updates were queued unsent: the newest must
		// list the changes since v0. carol's first invitation was never
		// sent: the update that drops it has no previous version either.
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{
			with(outMsg("bob-1", "u", bob, "REQUEST"), "v0", true),
			with(outMsg("bob-2", "u", bob, "REQUEST"), "v1", true),
			with(outMsg("carol-1", "u", carol, "REQUEST"), "", true),
		}))
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{
			with(outMsg("bob-3", "u", bob, "REQUEST"), "v2", true),
			with(outMsg("carol-2", "u", carol, "REQUEST"), "v2", true),
			with(outMsg("dave-1", "u", "mailto:dave@remote.example", "REQUEST"), "v2", true),
		}))
		got := map[string]string{}
		for _, m := range claim(t, q, outboxT0) {
			got[m.ID] = string(m.Previous)
		}
		want := map[string]string{"bob-3": "v0", "carol-2": "", "dave-1": "v2"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("claimed ID → Previous %v, want %v", got, want)
		}
	})
	t.Run("LeasedRequestIsNotSuperseded", func(t *testing.T) {
		f, q := open(t)
		bob := "mailto:bob@remote.example"
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{outMsg("req-1", "u", bob, "REQUEST")}))
		c := claim(t, q, outboxT0)
		newer := outMsg("req-2", "u", bob, "REQUEST")
		newer.Supersedes = true
		newer.Previous = []byte("v1")              // what req-1, being sent, shows
		newer.Enqueued = outboxT0.Add(time.Second) // req-1's lease still runs
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{newer}))
		noErr(t, "Complete(req-1)", q.Complete(f.ctx, c[0].Lease, "req-1"))
		if got := claim(t, q, outboxT0.Add(time.Second)); !sameIDs(got, "req-2") || string(got[0].Previous) != "v1" {
			t.Errorf("claimed %v, want [req-2] with its own Previous after the in-flight req-1", got)
		}
	})
	t.Run("RetriedRequestIsSuperseded", func(t *testing.T) {
		// req-1 was in flight when req-2 made it obsolete; its send failed
		// for now. Retrying it would deliver a stale invitation before the
		// current one: it is dropped, and req-2 takes what the recipient
		// saw last. A REQUEST without a superseding successor is retried.
		f, q := open(t)
		bob, carol := "mailto:bob@remote.example", "mailto:carol@remote.example"
		first := outMsg("req-1", "u", bob, "REQUEST")
		first.Previous, first.Supersedes = []byte("v0"), true
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{first, outMsg("carol-1", "u", carol, "REQUEST")}))
		c := claim(t, q, outboxT0)
		newer := outMsg("req-2", "u", bob, "REQUEST")
		newer.Supersedes, newer.Previous, newer.Enqueued = true, []byte("v1"), outboxT0.Add(time.Second)
		noErr(t, "Enqueue", q.Enqueue(f.ctx, []backend.OutboundMessage{newer}))
		for _, m := range c {
			noErr(t, "Retry("+m.ID+")", q.Retry(f.ctx, m.ID, m.Lease, outboxT0.Add(time.Second), "421 try later"))
		}
		got := claim(t, q, outboxT0.Add(time.Second))
		prev := map[string]string{}
		for _, m := range got {
			prev[m.ID] = string(m.Previous)
		}
		if want := map[string]string{"req-2": "v0", "carol-1": ""}; fmt.Sprint(prev) != fmt.Sprint(want) {
			t.Errorf("claimed ID → Previous %v after the retry, want %v", prev, want)
		}
		if n, err := q.Queued(f.ctx, "u", bob); err != nil || n != 1 {
			t.Errorf("Queued(u, bob) = %d, %v; want 1", n, err)
		}
	})
	t.Run("ConcurrentClaimersTakeEachMessageOnce", func(t *testing.T) {
		f, q := open(t)
		const total = 300
		var msgs []backend.OutboundMessage
		for i := 0; i < total; i++ {
			// Ten messages per pair: the pair order must hold too.
			msgs = append(msgs, outMsg(fmt.Sprintf("m%03d", i), fmt.Sprintf("u%d", i%30), "mailto:bob@remote.example", "REQUEST"))
		}
		noErr(t, "Enqueue", q.Enqueue(f.ctx, msgs))
		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			order   = map[string][]string{}
			wg      sync.WaitGroup
			errs    = make(chan error, Writers)
		)
		const claimers = 8
		for w := 0; w < claimers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for idle := 0; idle < 50; {
					got, err := q.Claim(f.ctx, outboxT0, 4, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						idle++
						time.Sleep(time.Millisecond)
						continue
					}
					idle = 0
					for _, m := range got {
						mu.Lock()
						claimed[m.ID]++
						order[m.UID] = append(order[m.UID], m.ID)
						mu.Unlock()
						if err := q.Complete(f.ctx, m.Lease, m.ID); err != nil {
							errs <- fmt.Errorf("Complete(%s): %w", m.ID, err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(claimed) != total {
			t.Errorf("%d of %d messages were claimed", len(claimed), total)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("message %s claimed %d times", id, n)
			}
		}
		for uid, seq := range order {
			if !sort.StringsAreSorted(seq) {
				t.Errorf("messages of %s claimed out of order: %v", uid, seq)
			}
		}
	})
}
