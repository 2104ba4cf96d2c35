package itip

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// TestApplyRefreshInSameSecond runs RFC 6638 B.1-B.3 with a real clock:
// Cyrus's invitation, Bernard's reply and the status-only refresh of
// Wilfredo's copy all happen within one second, so the refresh has the
// SEQUENCE and DTSTAMP of the invitation Wilfredo's copy was made from.
// It must still update his copy (only a strictly older revision is stale).
func TestApplyRefreshInSameSecond(t *testing.T) {
	_, request, _ := loadApplyCase(t, filepath.Join(applyDir, "request-create-b2"))
	now := time.Date(2009, 6, 2, 18, 52, 54, 400e6, time.UTC) // the second of the REQUEST's DTSTAMP
	opts := ApplyOptions{Now: now}
	const cyrus, wilfredo, bernard = "mailto:cyrus@example.com", "mailto:wilfredo@example.com", "mailto:bernard@example.net"

	created, err := Apply(request, nil, wilfredo, opts)
	if err != nil || created.Outcome != OutcomeCreated {
		t.Fatalf("invitation: %v %v", created, err)
	}
	organizerCopy := ics.Encode(request) // Cyrus's copy: the invitation (METHOD is ignored)
	orgCal, err := ics.Decode([]byte(strings.Replace(string(organizerCopy), "METHOD:REQUEST\r\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
		"UID:9263504FD3AD\r\nSEQUENCE:0\r\nDTSTAMP:20090602T185254Z\r\nDTSTART:20090602T160000Z\r\n" +
		"ORGANIZER:mailto:cyrus@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bernard@example.net\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	replied, err := Apply(reply, orgCal, cyrus, ApplyOptions{Now: now.Add(300 * time.Millisecond)})
	if err != nil || replied.Outcome != OutcomeUpdated {
		t.Fatalf("reply: %v %v", replied, err)
	}
	var refresh *ical.Calendar
	for _, m := range replied.Refresh {
		for _, r := range m.Recipients {
			if r == wilfredo {
				if refresh, err = ics.Decode(m.Bytes()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if refresh == nil {
		t.Fatal("no refresh for Wilfredo")
	}
	if got := propValue(refresh.Children[0], ical.PropDateTimeStamp); got != "20090602T185254Z" {
		t.Fatalf("refresh DTSTAMP %s: the test needs the invitation's second", got)
	}
	res, err := Apply(refresh, created.Calendar, wilfredo, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeUpdated || !res.StatusOnly {
		t.Fatalf("refresh: %v statusOnly=%v (%s), want a status-only update", res.Outcome, res.StatusOnly, res.Reason)
	}
	if p := Attendee(res.Calendar.Children[0], bernard); p == nil || Partstat(p) != "ACCEPTED" {
		t.Fatalf("Bernard's PARTSTAT in Wilfredo's copy: %v", p)
	}
	again, err := Apply(refresh, res.Calendar, wilfredo, opts)
	if err != nil || again.Outcome != OutcomeUnchanged {
		t.Fatalf("redelivered refresh: %v %v, want unchanged", again, err)
	}
}

// TestCompareToCopy pins the revision rule: SEQUENCE first, then the
// organizer's DTSTAMP recorded in the copy (falling back to the copy's
// DTSTAMP), compared to the second.
func TestCompareToCopy(t *testing.T) {
	comp := func(props ...string) *ical.Component {
		c := &ical.Component{Name: ical.CompEvent, Props: ical.Props{}}
		for i := 0; i+1 < len(props); i += 2 {
			setProp(c, props[i], props[i+1])
		}
		return c
	}
	msg := comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260101T100000Z")
	for _, tc := range []struct {
		name   string
		stored *ical.Component
		want   int
	}{
		{"lower sequence", comp(ical.PropSequence, "1", ical.PropDateTimeStamp, "20270101T000000Z"), 1},
		{"higher sequence", comp(ical.PropSequence, "3", ical.PropDateTimeStamp, "20200101T000000Z"), -1},
		{"same second", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260101T100000Z"), 0},
		{"older stamp", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260101T095959Z"), 1},
		{"newer stamp", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260101T100001Z"), -1},
		{"client rewrote DTSTAMP", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260301T000000Z",
			propOrganizerStamp, "20260101T090000Z"), 1},
		{"recorded organizer stamp is newer", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20250101T000000Z",
			propOrganizerStamp, "20260101T110000Z"), -1},
		{"malformed recorded stamp", comp(ical.PropSequence, "2", ical.PropDateTimeStamp, "20260101T100000Z",
			propOrganizerStamp, "garbage"), 0},
	} {
		if got := compareToCopy(msg, tc.stored); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}
