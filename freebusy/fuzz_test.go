package freebusy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// addFixtureSeeds adds every .ics file of the golden cases to f's corpus.
func addFixtureSeeds(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(goldenDir, "*", "*.ics"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(crlf(data))
	}
	f.Add(crlf([]byte(b5Request)))
}

// FuzzParseRequest checks that any input yields a request or a
// *RequestError, never a panic, and that an accepted request can be
// answered.
func FuzzParseRequest(f *testing.F) {
	addFixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := ics.Decode(data)
		if err != nil {
			return
		}
		req, err := ParseRequest(cal)
		if err != nil {
			var re *RequestError
			if !asRequestError(err, &re) {
				t.Fatalf("error %v is not a *RequestError", err)
			}
			return
		}
		if !req.End.After(req.Start) || req.Start.Location() != time.UTC || len(req.Attendees) == 0 {
			t.Fatalf("accepted an invalid request: %+v", req)
		}
		reply := Reply(req.ResponseInfo(req.Attendees[0], req.Start), []Period{{req.Start, req.End, Busy}})
		if _, err := ics.Decode(ics.Encode(reply)); err != nil {
			t.Fatalf("reply does not decode: %v\n%s", err, ics.Encode(reply))
		}
	})
}

func asRequestError(err error, target **RequestError) bool {
	re, ok := err.(*RequestError)
	if ok {
		*target = re
	}
	return ok
}

// FuzzCompute feeds any decodable calendar as a calendar object and as an
// availability calendar: Compute must not panic, must stay within its
// limits, and must return well-formed periods.
func FuzzCompute(f *testing.F) {
	addFixtureSeeds(f)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := ics.Decode(data)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q := Query{
			Start:        time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
			End:          time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC),
			Addresses:    []string{"mailto:alice@example.com", "mailto:bob@example.com"},
			Location:     berlin,
			Availability: []*ical.Calendar{cal},
			Limits:       recurrence.Limits{MaxSteps: 5000, MaxInstances: 500},
		}
		res, err := Compute(ctx, q, []Object{{Calendar: cal}})
		if err != nil {
			t.Fatalf("Compute failed on a valid query: %v", err)
		}
		checkInvariants(t, q, res.Periods)
		for _, p := range res.Problems {
			if p.Err == nil || p.Error() == "" {
				t.Fatalf("empty problem %+v", p)
			}
		}
	})
}
