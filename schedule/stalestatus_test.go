package schedule

import (
	"testing"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// TestMergeOthersStatusPerInstance merges stored answers that differ by
// instance into a client's copy whose instances list the attendee with
// identical lines, which a shared decode gives one parameter map: each
// instance must get its own answer.
func TestMergeOthersStatusPerInstance(t *testing.T) {
	event := func(partstats ...string) []byte {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN"}
		for i, ps := range partstats {
			lines = append(lines, "BEGIN:VEVENT", "UID:r1", "DTSTAMP:20260101T000000Z")
			if i == 0 {
				lines = append(lines, "DTSTART:20260105T100000Z", "RRULE:FREQ=WEEKLY;COUNT=10")
			} else {
				rid := []string{"", "20260112T100000Z", "20260119T100000Z", "20260126T100000Z"}[i]
				lines = append(lines, "RECURRENCE-ID:"+rid, "DTSTART:"+rid)
			}
			lines = append(lines, "ORGANIZER:mailto:o@x", "ATTENDEE;PARTSTAT="+ps+":mailto:w@x", "END:VEVENT")
		}
		return []byte(icsText(append(lines, "END:VCALENDAR")...))
	}
	client, err := ics.DecodeShared(event("NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := ics.DecodeShared(event("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"))
	if err != nil {
		t.Fatal(err)
	}
	mergeOthersStatus(client, stored, []string{"mailto:o@x"})
	for i, want := range []string{"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"} {
		if got := client.Children[i].Props[ical.PropAttendee][0].Params.Get(ical.ParamParticipationStatus); got != want {
			t.Errorf("component %d: PARTSTAT %s, want %s", i, got, want)
		}
	}
}
