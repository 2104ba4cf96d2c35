package queue

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// previousOld is an organizer's stored series with an override that only
// carol attends, a time zone, an alarm and private properties.
const previousOld = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n" +
	"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n" +
	"TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261120T100000Z\r\nDTSTART;TZID=Europe/Berlin:20261203T100000\r\n" +
	"DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Review\r\nLOCATION:Room 1\r\nSEQUENCE:2\r\n" +
	"X-PRIVATE-NOTE:organizer only\r\nATTACH:https://example.org/minutes\r\n" +
	"ORGANIZER;CN=Alice:mailto:alice@example.org\r\n" +
	"ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=1.1:mailto:bob@remote.example\r\n" +
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:soon\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261120T100000Z\r\nRECURRENCE-ID;TZID=America/New_York:20261210T040000\r\n" +
	"DTSTART;TZID=America/New_York:20261210T050000\r\nDURATION:PT1H\r\nSUMMARY:Review with Carol\r\n" +
	"ORGANIZER;CN=Alice:mailto:alice@example.org\r\nATTENDEE:mailto:carol@remote.example\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestPreviousView(t *testing.T) {
	old, err := ics.Decode([]byte(previousOld))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		recipient   string
		want, avoid []string
		components  int
	}{
		{"mailto:BOB@remote.example", // addresses compare like calendar user addresses
			[]string{"TZID:Europe/Berlin", "DTSTART;TZID=Europe/Berlin:20261203T100000", "RRULE:FREQ=WEEKLY;COUNT=4",
				"SUMMARY:Review\r\n", "LOCATION:Room 1", "SEQUENCE:2", "ORGANIZER;CN=Alice:", "ATTENDEE;CN=Bob:mailto:bob@remote.example"},
			[]string{"America/New_York", "Carol", "VALARM", "X-PRIVATE-NOTE", "ATTACH", "PARTSTAT", "SCHEDULE-STATUS"},
			2},
		{"mailto:carol@remote.example",
			[]string{"TZID:America/New_York", "RECURRENCE-ID;TZID=America/New_York:20261210T040000", "SUMMARY:Review with Carol"},
			[]string{"Europe/Berlin", "Room 1", "bob@remote.example", "RRULE"},
			2},
		{"mailto:dave@remote.example", nil, []string{"VEVENT", "VTIMEZONE"}, 0},
	} {
		view := PreviousView(old, tc.recipient)
		got, err := ics.Decode(view)
		if err != nil {
			t.Fatalf("%s: the view does not decode: %v\n%s", tc.recipient, err, view)
		}
		if len(got.Children) != tc.components {
			t.Errorf("%s: %d components, want %d:\n%s", tc.recipient, len(got.Children), tc.components, view)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(view), w) {
				t.Errorf("%s: view lacks %q:\n%s", tc.recipient, w, view)
			}
		}
		for _, a := range tc.avoid {
			if strings.Contains(string(view), a) {
				t.Errorf("%s: view holds %q:\n%s", tc.recipient, a, view)
			}
		}
	}
	if got, err := ics.Decode(PreviousView(nil, "mailto:bob@remote.example")); err != nil || len(got.Children) != 0 {
		t.Errorf("the view of no event: %v, %v; want a calendar without components", got, err)
	}
	if again, err := ics.Decode([]byte(previousOld)); err != nil || string(ics.Encode(again)) != string(ics.Encode(old)) {
		t.Errorf("PreviousView changed the calendar it was given (%v)", err)
	}
}

// TestPreviousViewsShared: recipients who were in the same components
// share one view; the others get their own, equal to PreviousView's.
func TestPreviousViewsShared(t *testing.T) {
	old, err := ics.Decode([]byte(strings.Replace(previousOld, "ATTENDEE:mailto:carol", "ATTENDEE:mailto:dave@remote.example\r\nATTENDEE:mailto:carol", 1)))
	if err != nil {
		t.Fatal(err)
	}
	v := NewPreviousViews(old)
	bob, carol, dave := v.For("mailto:bob@remote.example"), v.For("mailto:carol@remote.example"), v.For("mailto:dave@remote.example")
	if &carol[0] != &dave[0] {
		t.Error("carol and dave, in the same override, got separate views")
	}
	if string(bob) == string(carol) {
		t.Error("bob, in the series, got carol's view of the override")
	}
	for _, r := range []string{"mailto:bob@remote.example", "mailto:carol@remote.example", "mailto:erin@remote.example"} {
		if got, want := v.For(r), PreviousView(old, r); string(got) != string(want) {
			t.Errorf("%s: For gave\n%s\nPreviousView\n%s", r, got, want)
		}
	}
}

func BenchmarkPreviousView(b *testing.B) {
	old, err := ics.Decode([]byte(previousOld))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		PreviousView(old, "mailto:bob@remote.example")
	}
}

// PreviousView keeps what a mail's list of changes compares, for one
// recipient.
func ExamplePreviousView() {
	old, err := ics.Decode([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\n" +
		"UID:u1\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:20261203T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Review\r\n" +
		"LOCATION:Room 1\r\nX-NOTE:private\r\nORGANIZER:mailto:alice@example.org\r\n" +
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@remote.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		panic(err)
	}
	fmt.Print(strings.ReplaceAll(string(PreviousView(old, "mailto:bob@remote.example")), "\r\n", "\n"))
	// Output:
	// BEGIN:VCALENDAR
	// PRODID:-//go-autoschedule//previous view//EN
	// VERSION:2.0
	// BEGIN:VEVENT
	// UID:u1
	// DTSTAMP:20261120T100000Z
	// ATTENDEE:mailto:bob@remote.example
	// DTSTART:20261203T100000Z
	// DURATION:PT1H
	// LOCATION:Room 1
	// ORGANIZER:mailto:alice@example.org
	// SUMMARY:Review
	// END:VEVENT
	// END:VCALENDAR
}
