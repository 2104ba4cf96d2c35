package itip

import (
	"math/rand"
	"testing"

	"github.com/emersion/go-ical"
)

// TestSameAttendeeParams checks the one-pass comparison against its
// definition, Partstat equal and sameParams without status, on random
// parameter sets drawn from names and values that exercise every branch
// (PARTSTAT absent, empty or in another case; RSVP, SCHEDULE-* and X-
// parameters ignored; extra and missing names).
func TestSameAttendeeParams(t *testing.T) {
	names := []string{ical.ParamParticipationStatus, ical.ParamRSVP, ical.ParamCommonName, ical.ParamRole, ParamScheduleStatus, "X-FOO"}
	values := [][]string{{"NEEDS-ACTION"}, {"needs-action"}, {"ACCEPTED"}, {""}, {}, {"a", "b"}, {"A", "B"}}
	r := rand.New(rand.NewSource(1))
	random := func() ical.Params {
		p := ical.Params{}
		for _, n := range names {
			if r.Intn(2) == 0 {
				p[n] = values[r.Intn(len(values))]
			}
		}
		return p
	}
	for i := 0; i < 20000; i++ {
		a, b := random(), random()
		if r.Intn(3) == 0 {
			b = ical.Params{}
			for k, v := range a {
				b[k] = v
			}
		}
		pa, pb := &ical.Prop{Params: a}, &ical.Prop{Params: b}
		want := Partstat(pa) == Partstat(pb) && sameParams(a, b, true)
		if got := sameAttendeeParams(a, b); got != want {
			t.Fatalf("sameAttendeeParams(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}
