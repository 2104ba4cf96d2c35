package itip

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// benchEvent writes a weekly event with n attendees (alice organizes and
// attends) and the given number of overrides, each with the same
// attendees; bobPartstat is Bob's PARTSTAT everywhere.
func benchEvent(n, overrides int, bobPartstat string) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
	comp := func(rid string) {
		b.WriteString("BEGIN:VEVENT\r\nUID:bench-1@example.org\r\nDTSTAMP:20260301T090000Z\r\nSEQUENCE:0\r\n")
		start := "20260302T100000Z"
		if rid != "" {
			fmt.Fprintf(&b, "RECURRENCE-ID:%s\r\n", rid)
			start = rid
		} else if overrides > 0 {
			b.WriteString("RRULE:FREQ=WEEKLY;COUNT=52\r\n")
		}
		fmt.Fprintf(&b, "DTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:Weekly sync\r\nLOCATION:Room 4\r\n", start)
		b.WriteString("ORGANIZER;CN=Alice:mailto:alice@example.org\r\n")
		b.WriteString("ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:alice@example.org\r\n")
		for i := 1; i < n; i++ {
			ps := "NEEDS-ACTION"
			if i == 1 {
				ps = bobPartstat
			}
			fmt.Fprintf(&b, "ATTENDEE;CN=User %d;ROLE=REQ-PARTICIPANT;RSVP=TRUE;PARTSTAT=%s:mailto:user%d@example.org\r\n", i, ps, i)
		}
		b.WriteString("END:VEVENT\r\n")
	}
	comp("")
	for i := 0; i < overrides; i++ {
		t := time.Date(2026, 3, 2+7*(i+1), 10, 0, 0, 0, time.UTC)
		comp(t.Format("20060102T150405Z"))
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// BenchmarkPlan measures bytes in to every message serialised: decoding
// old and new with internal/ics, Plan, and Message.Bytes.
func BenchmarkPlan(b *testing.B) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	organizer := PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: now, MaxAttendees: -1}
	attendee := PlanOptions{Addresses: []string{"mailto:user1@example.org"}, Now: now}
	cases := []struct {
		name     string
		old, new []byte
		opts     PlanOptions
	}{
		{"create-3-attendees", nil, benchEvent(4, 0, "NEEDS-ACTION"), organizer},
		{"weekly-10-overrides-20-attendees/create", nil, benchEvent(20, 10, "NEEDS-ACTION"), organizer},
		{"weekly-10-overrides-20-attendees/attendee-reply", benchEvent(20, 10, "NEEDS-ACTION"), benchEvent(20, 10, "ACCEPTED"), attendee},
		{"create-1000-attendees", nil, benchEvent(1000, 0, "NEEDS-ACTION"), organizer},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.old) + len(c.new)))
			for i := 0; i < b.N; i++ {
				old, err := decodeOptional(c.old)
				if err != nil {
					b.Fatal(err)
				}
				new, err := decodeOptional(c.new)
				if err != nil {
					b.Fatal(err)
				}
				act, err := Plan(old, new, c.opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(act.Messages) == 0 {
					b.Fatal("no message")
				}
				for _, m := range act.Messages {
					_ = m.Bytes()
				}
			}
		})
	}
}

// BenchmarkPlanOnly measures Plan and serialisation alone, the inputs
// decoded once beforehand (Plan never modifies them), to separate the
// engine's cost from the codec's.
func BenchmarkPlanOnly(b *testing.B) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	organizer := PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: now, MaxAttendees: -1}
	attendee := PlanOptions{Addresses: []string{"mailto:user1@example.org"}, Now: now}
	cases := []struct {
		name     string
		old, new []byte
		opts     PlanOptions
	}{
		{"create-3-attendees", nil, benchEvent(4, 0, "NEEDS-ACTION"), organizer},
		{"weekly-10-overrides-20-attendees/create", nil, benchEvent(20, 10, "NEEDS-ACTION"), organizer},
		{"weekly-10-overrides-20-attendees/attendee-reply", benchEvent(20, 10, "NEEDS-ACTION"), benchEvent(20, 10, "ACCEPTED"), attendee},
		{"create-100-attendees", nil, benchEvent(100, 0, "NEEDS-ACTION"), organizer},
		{"create-1000-attendees", nil, benchEvent(1000, 0, "NEEDS-ACTION"), organizer},
	}
	for _, c := range cases {
		old, err := decodeOptional(c.old)
		if err != nil {
			b.Fatal(err)
		}
		new, err := decodeOptional(c.new)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				act, err := Plan(old, new, c.opts)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range act.Messages {
					_ = m.Bytes()
				}
			}
		})
	}
}

// decodeOptional decodes data as the schedule package does (identical
// lines share their parameter maps); nil stays nil.
func decodeOptional(data []byte) (*ical.Calendar, error) {
	if data == nil {
		return nil, nil
	}
	return ics.DecodeShared(data)
}

// BenchmarkSetStatus measures writing a delivery status for each of 999
// recipients of one invitation.
func BenchmarkSetStatus(b *testing.B) {
	cal, err := ics.Decode(benchEvent(1000, 0, "NEEDS-ACTION"))
	if err != nil {
		b.Fatal(err)
	}
	opts := PlanOptions{Addresses: []string{"mailto:alice@example.org"}, Now: time.Unix(1_770_000_000, 0), MaxAttendees: -1}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		act, err := Plan(nil, cal, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, r := range act.Messages[0].Recipients {
			act.SetStatus(r, StatusDelivered)
		}
	}
}
