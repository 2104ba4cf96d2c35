package itip

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// TestApplyReplyKeepsOrganizerTimezones sends a REPLY that carries its own
// definition of the organizer's TZID: the organizer's copy keeps the
// organizer's VTIMEZONE (an attendee cannot move the organizer's event by
// redefining its zone).
func TestApplyReplyKeepsOrganizerTimezones(t *testing.T) {
	cur, err := ics.Decode([]byte(benchWeekly(3)))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" +
		"TZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
		"BEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260109T000000Z\r\n" +
		"RECURRENCE-ID:20260112T090000Z\r\nDTSTART;TZID=Europe/Berlin:20260112T140000\r\n" +
		"ORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a1@example.com\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(reply, cur, "mailto:o@example.com", ApplyOptions{Now: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeUpdated {
		t.Fatalf("outcome %v (%s)", res.Outcome, res.Reason)
	}
	var zones []string
	for _, c := range res.Calendar.Children {
		if c.Name == ical.CompTimezone {
			zones = append(zones, string(ics.Encode(&ical.Calendar{Component: &ical.Component{Name: ical.CompCalendar, Props: ical.Props{}, Children: []*ical.Component{c}}})))
		}
	}
	if len(zones) != 1 || !strings.Contains(zones[0], "TZOFFSETTO:+0100") || strings.Contains(zones[0], "+0500") {
		t.Fatalf("stored VTIMEZONEs: %q", zones)
	}
	o, err := ParseObject(res.Calendar, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	in := o.Override(time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC))
	if in == nil {
		t.Fatal("the override moved")
	}
	if p := Attendee(in, "mailto:a1@example.com"); p == nil || Partstat(p) != "DECLINED" {
		t.Fatalf("a1 in the override: %v", p)
	}
}
