package itip

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// The organizer's copy records the revision of each applied REPLY in
// X-AUTOSCHEDULE-REPLY-* parameters; an organizer edit must not send them.
func TestMessagesCarryNoServerBookkeeping(t *testing.T) {
	const stored = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:b1\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Old\r\n" +
		"ORGANIZER:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=2.0;X-AUTOSCHEDULE-REPLY-DTSTAMP=20260102T000000Z;" +
		"X-AUTOSCHEDULE-REPLY-SEQUENCE=0:mailto:bob@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	old, err := ics.Decode([]byte(stored))
	if err != nil {
		t.Fatal(err)
	}
	next, err := ics.Decode([]byte(strings.Replace(stored, "SUMMARY:Old", "SUMMARY:New", 1)))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(old, next, PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Messages) == 0 {
		t.Fatal("no message for a SUMMARY change")
	}
	for _, m := range plan.Messages {
		if b := m.Bytes(); bytes.Contains(b, []byte("X-AUTOSCHEDULE-")) {
			t.Errorf("%s to %v carries server bookkeeping:\n%s", m.Method, m.Recipients, b)
		}
	}
}
