package schedule

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// TestMergeOthersStatusPerInstance merges stored answers that differ by
// instance into a client's copy whose instances list the attendee with
// identical lines, which a shared decode gives one parameter map: each
// instance must get its own answer.
func TestMergeOthersStatusPerInstance(t *testing.T) {
	want := []string{"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"}
	client, err := ics.DecodeShared(sharedSeries("NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION", "NEEDS-ACTION"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := ics.DecodeShared(sharedSeries(want...))
	if err != nil {
		t.Fatal(err)
	}
	mergeOthersStatus(client, stored, []string{"mailto:cyrus@example.com"})
	for i, c := range client.Children {
		if got := itip.Partstat(itip.Attendee(c, "mailto:wilfredo@example.com")); got != want[i] {
			t.Errorf("component %d: PARTSTAT %s, want %s", i, got, want[i])
		}
	}
}
