package queue_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

func itipMessage(t *testing.T, method string, extra ...string) *itip.Message {
	t.Helper()
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:" + method,
		"BEGIN:VEVENT", "UID:evt-1", "DTSTAMP:20260101T000000Z", "DTSTART:20260310T100000Z", "SEQUENCE:1",
		"ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@remote.example",
		"ATTENDEE:mailto:carol@remote.example"}
	lines = append(lines, extra...)
	lines = append(lines, "END:VEVENT", "END:VCALENDAR", "")
	m, err := itip.DecodeMessage([]byte(strings.Join(lines, "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMessages(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	req := itipMessage(t, itip.MethodRequest)
	out, err := queue.Messages("/alice/", "/alice/calendars/work/evt.ics", "cal.example.com", req, req.Recipients, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("%d messages for 2 recipients", len(out))
	}
	if out[0].ID == out[1].ID || !strings.HasSuffix(out[0].ID, "@cal.example.com") || len(out[0].ID) != 32+len("@cal.example.com") {
		t.Errorf("IDs %q, %q: want two distinct 128-bit IDs at cal.example.com", out[0].ID, out[1].ID)
	}
	for i, m := range out {
		if m.UID != "evt-1" || m.Method != "REQUEST" || !m.Supersedes || m.Recipient != req.Recipients[i] ||
			m.Sender != "/alice/" || !m.Enqueued.Equal(now) || string(m.Data) != string(req.Bytes()) {
			t.Errorf("message %d = %+v", i, m)
		}
	}
	for _, tc := range []struct {
		msg  *itip.Message
		want bool
	}{
		{itipMessage(t, itip.MethodCancel, "STATUS:CANCELLED"), true},
		{itipMessage(t, itip.MethodCancel, "RECURRENCE-ID:20260317T100000Z", "STATUS:CANCELLED"), false},
		{itipMessage(t, itip.MethodAdd), false},
	} {
		out, err := queue.Messages("/alice/", "", "", tc.msg, []string{"mailto:bob@remote.example"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Supersedes != tc.want || !strings.HasSuffix(out[0].ID, "@localhost") {
			t.Errorf("%s %v: Supersedes %v, ID %q; want %v, @localhost", tc.msg.Method, tc.msg.Components()[0].Props.Get("RECURRENCE-ID"), out[0].Supersedes, out[0].ID, tc.want)
		}
	}
}
