package ics

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// benchEvent writes one VEVENT with n attendees, as a client would PUT it.
func benchEvent(b *strings.Builder, recurrenceID string, n int) {
	b.WriteString("BEGIN:VEVENT\r\nUID:7f3c2e10-3b9a-4c55-a1d2-9e8f7a6b5c4d@example.com\r\n")
	b.WriteString("DTSTAMP:20260310T091512Z\r\nCREATED:20260310T091512Z\r\nLAST-MODIFIED:20260310T092044Z\r\n")
	if recurrenceID != "" {
		b.WriteString("RECURRENCE-ID;TZID=Europe/Berlin:" + recurrenceID + "\r\n")
		b.WriteString("DTSTART;TZID=Europe/Berlin:" + recurrenceID[:9] + "110000\r\n")
	} else {
		b.WriteString("DTSTART;TZID=Europe/Berlin:20260105T100000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\n")
	}
	b.WriteString("DURATION:PT1H\r\nSEQUENCE:2\r\nSUMMARY:Project sync: status\\, risks and next steps\r\n")
	b.WriteString("DESCRIPTION:Agenda:\\n1. Status per work stream\\n2. Risks\\n3. Next steps\\n\\nJoin: https://m\r\n eet.example.com/j/8331245?pwd=a1b2c3d4\r\n")
	b.WriteString("LOCATION:Room 4.12\\, Main building\r\n")
	b.WriteString("ORGANIZER;CN=\"Schmidt, Anna\":mailto:anna.schmidt@example.com\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;C\r\n N=Attendee Number %d:mailto:attendee%d@example.org\r\n", i, i)
	}
	b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\n")
}

// benchCalendar returns a calendar of a master event with n attendees and
// overrides overridden instances with n attendees each.
func benchCalendar(n, overrides int) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Calendar 1.0//EN\r\nCALSCALE:GREGORIAN\r\n")
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n")
	b.WriteString("BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
	benchEvent(&b, "", n)
	for i := 0; i < overrides; i++ {
		benchEvent(&b, fmt.Sprintf("202602%02dT100000", 2+i), n)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

var benchInputs = []struct {
	name string
	data []byte
}{
	{"small", benchCalendar(3, 0)},            // a 3-attendee invitation
	{"large", benchCalendar(20, 10)},          // weekly event, 10 overrides, 20 attendees each
	{"attendees1000", benchCalendar(1000, 0)}, // one event, 1,000 attendees
}

func BenchmarkDecode(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Decode(in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeGoIcal(b *testing.B) {
	for _, in := range benchInputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ical.NewDecoder(bytes.NewReader(in.data)).Decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, in := range benchInputs {
		cal, err := Decode(in.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(Encode(cal))))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Encode(cal)
			}
		})
	}
}

func BenchmarkEncodeGoIcal(b *testing.B) {
	for _, in := range benchInputs {
		cal, err := Decode(in.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name, func(b *testing.B) {
			var buf bytes.Buffer
			if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchInputsMatchGoIcal keeps the benchmark inputs honest: both
// decoders must read them the same.
func TestBenchInputsMatchGoIcal(t *testing.T) {
	for _, in := range benchInputs {
		got, err := Decode(in.data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := decodeGoIcal(in.data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoders disagree", in.name)
		}
	}
}
