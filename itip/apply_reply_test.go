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

// TestApplyReplyToManyInstances declines 12 instances of a weekly event
// that have no override yet in one REPLY: all 12 get one (one expansion
// checks them all; the per-instance check budget does not cut the REPLY
// short).
func TestApplyReplyToManyInstances(t *testing.T) {
	cur, err := ics.Decode([]byte(benchWeekly(3)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\n")
	first := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		b.WriteString("BEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260109T000000Z\r\n" +
			"RECURRENCE-ID;TZID=Europe/Berlin:" + first.AddDate(0, 0, 7*i).Format("20060102") + "T100000\r\n" +
			"ORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a2@example.com\r\nEND:VEVENT\r\n")
	}
	// and one that is no instance (a Tuesday): skipped
	b.WriteString("BEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260109T000000Z\r\n" +
		"RECURRENCE-ID;TZID=Europe/Berlin:20260203T100000\r\n" +
		"ORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a2@example.com\r\nEND:VEVENT\r\n")
	b.WriteString("END:VCALENDAR\r\n")
	reply, err := ics.Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(reply, cur, "mailto:o@example.com", ApplyOptions{Now: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeUpdated || !strings.Contains(res.Reason, "names no instance") {
		t.Fatalf("outcome %v (%s)", res.Outcome, res.Reason)
	}
	o, err := ParseObject(res.Calendar, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	declined := 0
	for _, in := range o.Overrides {
		if p := Attendee(in.Component, "mailto:a2@example.com"); p != nil && Partstat(p) == "DECLINED" {
			declined++
		}
	}
	if len(o.Overrides) != 2+12 || declined != 12 {
		t.Fatalf("%d overrides, %d declined; want 14 and 12", len(o.Overrides), declined)
	}
}

// TestApplyReplyCannotGrowCopyWithoutBound sends a REPLY about 4000 real
// instances of a daily event (cheap to check): the organizer's copy gets
// at most maxCopyOverrides overrides, so it stays small enough for the
// next Apply, which must still accept it.
func TestApplyReplyCannotGrowCopyWithoutBound(t *testing.T) {
	cur, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20200101T100000Z\r\nRRULE:FREQ=DAILY\r\n" +
		"ORGANIZER:mailto:o@example.com\r\nATTENDEE:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\n")
	first := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 4000; i++ {
		b.WriteString("BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:" +
			first.AddDate(0, 0, i).Format("20060102T150405Z") +
			"\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a@example.com\r\nEND:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	reply, err := ics.Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(reply, cur, "mailto:o@example.com", ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeUpdated || !strings.Contains(res.Reason, "already has") || len(res.Reason) > 1000 {
		t.Fatalf("outcome %v (%.300s)", res.Outcome, res.Reason)
	}
	o, err := ParseObject(res.Calendar, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(o.Overrides); n != maxCopyOverrides {
		t.Fatalf("%d overrides, want %d", n, maxCopyOverrides)
	}
	if _, err := Apply(reply, res.Calendar, "mailto:o@example.com", ApplyOptions{}); err != nil {
		t.Fatalf("the grown copy is refused: %v", err)
	}
}
