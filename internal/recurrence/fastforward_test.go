package recurrence

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// TestFastForwardMatchesFullWalk compares, for many rules, the instances
// Expand finds in a window far from DTSTART (where it skips ahead) with
// those found by walking the rule from DTSTART without skipping.
func TestFastForwardMatchesFullWalk(t *testing.T) {
	rules := []string{
		"FREQ=YEARLY", "FREQ=YEARLY;INTERVAL=3", "FREQ=YEARLY;BYMONTH=1,7;BYDAY=1MO,-1FR",
		"FREQ=YEARLY;BYWEEKNO=20;BYDAY=TU", "FREQ=YEARLY;BYYEARDAY=1,100,-1", "FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=5", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
		"FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=2WE;BYHOUR=8,17",
		"FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR", "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,TU",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0,30",
		"FREQ=DAILY", "FREQ=DAILY;INTERVAL=10", "FREQ=DAILY;BYDAY=MO,WE;BYMONTH=3,10",
		"FREQ=HOURLY;INTERVAL=7", "FREQ=HOURLY;INTERVAL=5;BYDAY=FR", "FREQ=MINUTELY;INTERVAL=97;BYHOUR=9,10,11",
	}
	starts := []string{
		"DTSTART;TZID=Europe/Berlin:20200229T093000",
		"DTSTART;TZID=America/New_York:20190103T234500",
		"DTSTART:20180531T120000Z",
		"DTSTART:20171231T000000",
	}
	windows := [][2]time.Time{
		{time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)},
		{time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 3, 15, 0, 0, 0, 0, time.UTC)},
	}
	checked := 0
	for _, rr := range rules {
		for _, ds := range starts {
			cal, comps := event(t, ds, "DURATION:PT50M", "RRULE:"+rr)
			res := tz.NewResolver(cal)
			obj, err := (&Expander{}).prepare(comps, res, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range windows {
				var fast []string
				err := Expand(context.Background(), comps, res, time.UTC, w[0], w[1], Limits{MaxSteps: 1 << 22},
					func(in Instance) bool { fast = append(fast, in.Start.UTC().Format(time.RFC3339)); return true })
				if err != nil {
					t.Fatalf("%s %s: %v", rr, ds, err)
				}
				// Reference: walk from DTSTART, no skipping.
				b := &budget{ctx: context.Background(), max: 1 << 22}
				ms, err := obj.masterStream(res, time.UTC, time.Time{}, w[1], b)
				if err != nil {
					t.Fatal(err)
				}
				var slow []string
				for {
					in, ok, err := ms.next()
					if err != nil {
						t.Fatal(err)
					}
					if !ok || !in.Start.Before(w[1]) {
						break
					}
					if overlaps(in.Start, in.End, w[0], w[1]) {
						slow = append(slow, in.Start.UTC().Format(time.RFC3339))
					}
				}
				if fmt.Sprint(fast) != fmt.Sprint(slow) {
					t.Errorf("%s from %s in %s: fast-forward %v\nfull walk %v", rr, ds, w[0].Format("2006-01-02"), fast, slow)
				}
				checked += len(slow)
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d instances compared", checked)
	}
	t.Logf("%d instances compared", checked)
}
