package itip

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// benchWeekly returns a weekly event organized by o@example.com with n
// attendees, two overridden instances, as a stored organizer copy.
func benchWeekly(n int) string {
	return benchWeeklyOverrides(n, 2)
}

// benchWeeklyOverrides is benchWeekly with the given number of overridden
// (moved) instances, on the Mondays from 12 January 2026 on.
func benchWeeklyOverrides(n, overrides int) string {
	var days []string
	for i := 0; i < overrides; i++ {
		days = append(days, time.Date(2026, 1, 12+7*i, 0, 0, 0, 0, time.UTC).Format("20060102"))
	}
	var b strings.Builder
	att := func() {
		b.WriteString("ATTENDEE;PARTSTAT=ACCEPTED:mailto:o@example.com\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "ATTENDEE;CN=Attendee %d;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:a%d@example.com\r\n", i, i)
		}
	}
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
	b.WriteString("BEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260105T100000\r\nDTEND;TZID=Europe/Berlin:20260105T110000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Weekly sync\r\nORGANIZER:mailto:o@example.com\r\n")
	att()
	b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:sync\r\nEND:VALARM\r\nEND:VEVENT\r\n")
	for _, day := range days {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:%sT100000\r\nDTSTART;TZID=Europe/Berlin:%sT140000\r\nDTEND;TZID=Europe/Berlin:%sT150000\r\nSUMMARY:Weekly sync (moved)\r\nORGANIZER:mailto:o@example.com\r\n", day, day, day)
		att()
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// BenchmarkApply measures Apply from bytes in to bytes out: decoding the
// message and the copy, applying, serialising the copy to store and every
// message to deliver.
func BenchmarkApply(b *testing.B) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	organizerCopy := []byte(benchWeekly(20))
	reply := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:weekly-bench\r\nSEQUENCE:3\r\nDTSTAMP:20260109T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260126T100000\r\nORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a5@example.com\r\nREQUEST-STATUS:2.0;Success\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	request := []byte(strings.Replace(benchWeekly(20), "PRODID:-//bench//EN\r\n", "PRODID:-//bench//EN\r\nMETHOD:REQUEST\r\n", 1))
	organizerCopy10 := []byte(benchWeeklyOverrides(20, 10))
	reply10 := bytes.Replace(reply, []byte("20260126T100000"), []byte("20260413T100000"), 1)
	replyOverride := bytes.Replace(reply, []byte("20260126T100000"), []byte("20260202T100000"), 1)
	cases := []struct {
		name      string
		msg, cur  []byte
		recipient string
		outcome   Outcome
	}{
		{"reply-to-weekly-20-attendees", reply, organizerCopy, "mailto:o@example.com", OutcomeUpdated},
		{"request-create", request, nil, "mailto:a7@example.com", OutcomeCreated},
		// The case: a weekly event with 10 overrides and 20
		// attendees; the reply names an instance that is not overridden.
		{"reply-to-weekly-10-overrides-20-attendees", reply10, organizerCopy10, "mailto:o@example.com", OutcomeUpdated},
		// The same reply about an overridden instance: no recurrence check.
		{"reply-override-10-overrides-20-attendees", replyOverride, organizerCopy10, "mailto:o@example.com", OutcomeUpdated},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.msg) + len(tc.cur)))
			for i := 0; i < b.N; i++ {
				msg, err := ics.Decode(tc.msg)
				if err != nil {
					b.Fatal(err)
				}
				var cur *ical.Calendar
				if tc.cur != nil {
					if cur, err = ics.Decode(tc.cur); err != nil {
						b.Fatal(err)
					}
				}
				res, err := Apply(msg, cur, tc.recipient, ApplyOptions{Now: now})
				if err != nil || res.Outcome != tc.outcome {
					b.Fatalf("%v %v %s", res, err, res.Reason)
				}
				_ = ics.Encode(res.Calendar)
				for _, m := range res.Refresh {
					_ = m.Bytes()
				}
			}
		})
	}
}

// BenchmarkApplyRequestToManyRecipients delivers one parsed REQUEST to 100
// local attendees who have no copy yet, as the middleware does: one Apply
// and one serialisation of the created copy per recipient.
func BenchmarkApplyRequestToManyRecipients(b *testing.B) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	data := []byte(strings.Replace(benchWeeklyOverrides(100, 10), "PRODID:-//bench//EN\r\n", "PRODID:-//bench//EN\r\nMETHOD:REQUEST\r\n", 1))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		msg, err := ics.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		for r := 0; r < 100; r++ {
			res, err := Apply(msg, nil, fmt.Sprintf("mailto:a%d@example.com", r), ApplyOptions{Now: now})
			if err != nil || res.Outcome != OutcomeCreated {
				b.Fatalf("%v %v", res, err)
			}
			_ = ics.Encode(res.Calendar)
		}
	}
}
