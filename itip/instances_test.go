package itip

import (
	"strings"
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// masterWith parses a weekly Berlin event whose master carries the given
// recurrence lines.
func masterWith(t testing.TB, lines ...string) *Object {
	t.Helper()
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20260302T100000\r\nDTEND;TZID=Europe/Berlin:20260302T110000\r\n" +
		strings.Join(lines, "\r\n") + "\r\nORGANIZER:mailto:alice@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, err := ics.Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseObject(cal, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestInstancesAddedOrMoved(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new []string
		moved    bool
		undecide bool
	}{
		{"count shortened", []string{"RRULE:FREQ=WEEKLY;COUNT=10"}, []string{"RRULE:FREQ=WEEKLY;COUNT=5"}, false, false},
		{"count extended", []string{"RRULE:FREQ=WEEKLY;COUNT=5"}, []string{"RRULE:FREQ=WEEKLY;COUNT=10"}, true, false},
		{"equivalent until", []string{"RRULE:FREQ=WEEKLY;COUNT=10"}, []string{"RRULE:FREQ=WEEKLY;UNTIL=20260504T080000Z"}, false, false},
		{"equivalent rewrite", []string{"RRULE:FREQ=WEEKLY;COUNT=10"}, []string{"RRULE:FREQ=WEEKLY;COUNT=10;INTERVAL=1;BYDAY=MO;WKST=MO"}, false, false},
		{"other weekday", []string{"RRULE:FREQ=WEEKLY;COUNT=10"}, []string{"RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,TU"}, true, false},
		{"forever to bounded", []string{"RRULE:FREQ=WEEKLY"}, []string{"RRULE:FREQ=WEEKLY;COUNT=3"}, false, false},
		{"bounded to forever", []string{"RRULE:FREQ=WEEKLY;COUNT=3"}, []string{"RRULE:FREQ=WEEKLY"}, true, false},
		{"forever rewritten", []string{"RRULE:FREQ=WEEKLY"}, []string{"RRULE:FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=MO"}, false, false},
		{"forever other cycle", []string{"RRULE:FREQ=WEEKLY"}, []string{"RRULE:FREQ=DAILY;INTERVAL=7"}, false, true},
		{"exdate removed", []string{"RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20260309T100000"}, []string{"RRULE:FREQ=WEEKLY;COUNT=5"}, true, false},
		{"rrule and exdate", []string{"RRULE:FREQ=WEEKLY;COUNT=5"}, []string{"RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Berlin:20260309T100000"}, false, false},
		{"rdate added", []string{"RRULE:FREQ=WEEKLY;COUNT=5"}, []string{"RRULE:FREQ=WEEKLY;COUNT=4", "RDATE;TZID=Europe/Berlin:20260304T100000"}, true, false},
		{"beyond the window", []string{"RRULE:FREQ=YEARLY;COUNT=100"}, []string{"RRULE:FREQ=YEARLY;COUNT=90"}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := masterWith(t, tc.old...), masterWith(t, tc.new...)
			moved, err := instancesAddedOrMoved(a, a.Master, b, b.Master)
			if (err != nil) != tc.undecide {
				t.Fatalf("err = %v, want undecided %v", err, tc.undecide)
			}
			if err == nil && moved != tc.moved {
				t.Errorf("moved = %v, want %v", moved, tc.moved)
			}
			// rescheduled falls back to the textual comparison: any other RRULE.
			if got := rescheduled(a, a.Master, b, b.Master); tc.undecide && !got {
				t.Error("undecided comparison must reschedule")
			}
		})
	}
}

// BenchmarkInstancesAddedOrMoved measures the instance-set comparison of a
// weekly series shortened from COUNT=52 to COUNT=26.
func BenchmarkInstancesAddedOrMoved(b *testing.B) {
	a, n := masterWith(b, "RRULE:FREQ=WEEKLY;COUNT=52"), masterWith(b, "RRULE:FREQ=WEEKLY;COUNT=26")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if moved, err := instancesAddedOrMoved(a, a.Master, n, n.Master); err != nil || moved {
			b.Fatal(moved, err)
		}
	}
}
