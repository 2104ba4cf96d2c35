package memory_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// FuzzOutboxRoundTrip feeds arbitrary message fields to Enqueue: it must
// refuse them with backend.ErrInvalidData or give them back unchanged
// from Claim, and never panic.
func FuzzOutboxRoundTrip(f *testing.F) {
	f.Add("id@example.com", "uid-1", "mailto:bob@example.org", "REQUEST", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), "fail")
	f.Add("", "", "", "", []byte{}, "")
	f.Add("a\x00b", "u\xff", " ", "CANCEL", []byte("x"), "\xff\x00")
	f.Fuzz(func(t *testing.T, id, uid, rcpt, method string, data []byte, lastErr string) {
		ctx := context.Background()
		s := memory.New()
		m := backend.OutboundMessage{ID: id, UID: uid, Recipient: rcpt, Method: method, Data: data, Supersedes: true}
		err := s.Enqueue(ctx, []backend.OutboundMessage{m})
		if err != nil {
			if !errors.Is(err, backend.ErrInvalidData) {
				t.Fatalf("Enqueue: error %v, want ErrInvalidData or none", err)
			}
			return
		}
		at := time.Unix(1_800_000_000, 0)
		got, err := s.Claim(ctx, at, 10, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("Claim: %v, %v", got, err)
		}
		g := got[0]
		if g.ID != id || g.UID != uid || g.Recipient != rcpt || g.Method != method || !bytes.Equal(g.Data, data) {
			t.Fatalf("claimed %+v, enqueued %+v", g, m)
		}
		if err := s.Retry(ctx, g.ID, g.Lease, at, lastErr); err != nil {
			t.Fatal(err)
		}
		got, err = s.Claim(ctx, at, 10, time.Minute)
		if err != nil || len(got) != 1 || len(got[0].LastError) > backend.MaxOutboundErrorLength || bytes.IndexByte([]byte(got[0].LastError), 0) >= 0 {
			t.Fatalf("after Retry: %+v, %v", got, err)
		}
		if err := s.Complete(ctx, got[0].Lease, id); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Queued(ctx, uid, rcpt); err != nil || n != 0 {
			t.Fatalf("Queued after Complete: %d, %v", n, err)
		}
	})
}
