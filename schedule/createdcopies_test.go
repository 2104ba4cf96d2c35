package schedule

import (
	"context"
	"net/http"
	"strings"
	"testing"

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

	bob, bobData, err := h.applyMessage(ctx, msg, nil, "mailto:bob@example.org", "mailto:alice@example.org")
	if err != nil || bob.Outcome != itip.OutcomeCreated {
		t.Fatalf("bob: %v, %+v", err, bob)
	}
	carol, carolData, err := h.applyMessage(ctx, msg, nil, "MAILTO:Carol@example.org", "mailto:alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if carol != bob || string(carolData) != string(bobData) {
		t.Errorf("second attendee did not share the created copy")
	}
	if _, err := ics.Decode(carolData); err != nil || strings.Contains(string(carolData), "METHOD:") {
		t.Errorf("shared copy is not a valid stored object (err %v):\n%s", err, carolData)
	}
	// Someone who is not an attendee is never served from the cache:
	// Apply itself refuses them.
	if _, _, err := h.applyMessage(ctx, msg, nil, "mailto:mallory@example.org", "mailto:alice@example.org"); err == nil {
		t.Errorf("non-attendee got the shared copy")
	}
	// Without the batch context every call applies on its own.
	again, _, err := h.applyMessage(context.Background(), msg, nil, "mailto:bob@example.org", "mailto:alice@example.org")
	if err != nil || again == bob {
		t.Errorf("outside a delivery batch the copy was shared (err %v)", err)
	}
}
