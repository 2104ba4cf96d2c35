package itip

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestApplyReplyOutOfOrder: Carol's ACCEPTED (DTSTAMP 12:00) is applied,
// then her older DECLINED (10:00, same SEQUENCE) arrives: it is ignored
// (RFC 5546 §2.1.5), and the refreshes sent to the other attendees never
// carry the bookkeeping parameters.
func TestApplyReplyOutOfOrder(t *testing.T) {
	const alice, carol = "mailto:alice@example.org", "mailto:carol@example.org"
	dir := "reply-out-of-order"
	opts := ApplyOptions{Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	res, err := Apply(readChainCal(t, filepath.Join(dir, "reply-accept-late.ics")), readChainCal(t, filepath.Join(dir, "orgcopy.ics")), alice, opts)
	if err != nil || res.Outcome != OutcomeUpdated {
		t.Fatalf("accept: %v %v", res, err)
	}
	for _, m := range res.Refresh {
		if strings.Contains(string(m.Bytes()), "X-AUTOSCHEDULE-REPLY") {
			t.Fatalf("refresh leaks the reply bookkeeping:\n%s", m.Bytes())
		}
	}
	res2, err := Apply(readChainCal(t, filepath.Join(dir, "reply-decline-early.ics")), res.Calendar, alice, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Outcome != OutcomeIgnored {
		t.Fatalf("older reply: outcome %v, want ignored", res2.Outcome)
	}
	// A newer reply (later DTSTAMP) still applies.
	newer := readChainCal(t, filepath.Join(dir, "reply-decline-early.ics"))
	for _, c := range newer.Children {
		if c.Name == ical.CompEvent {
			setProp(c, ical.PropDateTimeStamp, "20260301T130000Z")
		}
	}
	res3, err := Apply(newer, res.Calendar, alice, opts)
	if err != nil || res3.Outcome != OutcomeUpdated {
		t.Fatalf("newer reply: %v %v", res3, err)
	}
	if got := Partstat(Attendee(componentAt(t, res3.Calendar, ""), carol)); got != "DECLINED" {
		t.Fatalf("PARTSTAT %s after the newer reply, want DECLINED", got)
	}
}

func TestReplyIsOlder(t *testing.T) {
	att := &ical.Prop{Name: ical.PropAttendee, Params: ical.Params{}, Value: "mailto:c@example.org"}
	reply := func(seq, stamp string) *ical.Component {
		c := ical.NewComponent(ical.CompEvent)
		setProp(c, ical.PropSequence, seq)
		setProp(c, ical.PropDateTimeStamp, stamp)
		return c
	}
	if replyIsOlder(att, reply("1", "20260101T100000Z")) {
		t.Fatal("older without a record")
	}
	recordReplyRevision(att, reply("1", "20260101T120000Z"))
	for _, tc := range []struct {
		seq, stamp string
		older      bool
	}{
		{"1", "20260101T100000Z", true},
		{"1", "20260101T120000Z", false},
		{"1", "20260101T130000Z", false},
		{"0", "20260101T130000Z", true},
		{"2", "20260101T090000Z", false},
		{"1", "garbage", false},
	} {
		if got := replyIsOlder(att, reply(tc.seq, tc.stamp)); got != tc.older {
			t.Errorf("SEQUENCE %s DTSTAMP %s: older=%v, want %v", tc.seq, tc.stamp, got, tc.older)
		}
	}
	att.Params.Set(paramReplySequence, "x")
	if replyIsOlder(att, reply("0", "20260101T100000Z")) {
		t.Fatal("a garbled record must not block replies")
	}
}
