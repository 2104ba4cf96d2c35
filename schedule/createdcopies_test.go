package schedule

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

func TestCreatedCopiesSharedPerMessage(t *testing.T) {
	const request = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:cc1\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Team\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n" +
		"ATTENDEE;RSVP=TRUE:mailto:bob@example.org\r\nATTENDEE;RSVP=TRUE:mailto:carol@example.org\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	msg, err := itip.DecodeMessage([]byte(request))
	if err != nil {
		t.Fatal(err)
	}
	h := New(http.NotFoundHandler(), memory.New(), nil)
	ctx := withCreatedCopies(context.Background())

	bob, err := h.applyMessage(ctx, msg, nil, "mailto:bob@example.org", "mailto:alice@example.org")
	if err != nil || bob.applied.Outcome != itip.OutcomeCreated {
		t.Fatalf("bob: %v, %+v", err, bob.applied)
	}
	carol, err := h.applyMessage(ctx, msg, nil, "MAILTO:Carol@example.org", "mailto:alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if carol.applied != bob.applied || string(carol.data) != string(bob.data) {
		t.Errorf("second attendee did not share the created copy")
	}
	if _, err := ics.Decode(carol.data); err != nil || strings.Contains(string(carol.data), "METHOD:") {
		t.Errorf("shared copy is not a valid stored object (err %v):\n%s", err, carol.data)
	}
	// The shared copy is prepared for the store: its index is the one
	// the store would compute, and it holds the very bytes handed out.
	want, err := backend.MakeIndex(carol.data)
	if err != nil {
		t.Fatal(err)
	}
	if carol.prepared == nil || carol.prepared.Index() != want || &carol.prepared.Data()[0] != &carol.data[0] {
		t.Errorf("shared copy not prepared with its index: %+v, want %+v", carol.prepared, want)
	}
	// Someone who is not an attendee is never served from the cache:
	// Apply itself refuses them.
	if _, err := h.applyMessage(ctx, msg, nil, "mailto:mallory@example.org", "mailto:alice@example.org"); err == nil {
		t.Errorf("non-attendee got the shared copy")
	}
	// Without the batch context every call applies on its own, and
	// nothing is prepared.
	again, err := h.applyMessage(context.Background(), msg, nil, "mailto:bob@example.org", "mailto:alice@example.org")
	if err != nil || again.applied == bob.applied || again.prepared != nil {
		t.Errorf("outside a delivery batch the copy was shared (err %v)", err)
	}
}

// TestCreatedCopiesConcurrent: deliveries running in parallel wait for
// the first one's copy instead of applying the message each.
func TestCreatedCopiesConcurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:cc2\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\nDURATION:PT1H\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\n")
	const n = 16
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "ATTENDEE:mailto:u%d@example.org\r\n", i)
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	msg, err := itip.DecodeMessage([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	h := New(http.NotFoundHandler(), memory.New(), nil)
	ctx := withCreatedCopies(context.Background())
	got := make([]appliedCopy, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := h.applyMessage(ctx, msg, nil, fmt.Sprintf("mailto:u%d@example.org", i), "mailto:alice@example.org")
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		}()
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if got[i].applied != got[0].applied || got[i].prepared != got[0].prepared || got[i].prepared == nil {
			t.Fatalf("recipient %d got its own copy", i)
		}
	}
}
