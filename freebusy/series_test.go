package freebusy

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestPruneSeriesIsSafe checks on random series that the pre-filter of
// pruneSeries and pruneOverrides changes nothing Compute finds: the same
// objects give the same periods with the pre-filter on and off. The
// series mix in what the pre-filter must not get wrong: overrides of
// another UID (kept or dropped), a second master, the master not first,
// RANGE=THISANDFUTURE overrides moving later instances into or out of
// the window, and windows far from and near to each override.
func TestPruneSeriesIsSafe(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	handled, pruned := 0, 0
	for i := 0; i < 1500; i++ {
		tzid := []string{"", ";TZID=Europe/Berlin", ";TZID=America/New_York"}[rng.Intn(3)]
		z := "Z"
		if tzid != "" {
			z = ""
		}
		at := func(tm time.Time) string { return tm.Format("20060102T150405") + z }
		start := jan5.Add(time.Duration(rng.Intn(60*24)-40*24) * time.Hour)
		master := func(uid string) string {
			rule := []string{"FREQ=DAILY", "FREQ=WEEKLY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;UNTIL=" + start.AddDate(0, 0, rng.Intn(60)).UTC().Format("20060102T150405Z")}[rng.Intn(4)]
			return fmt.Sprintf("BEGIN:VEVENT\nUID:%s\nDTSTAMP:20250101T000000Z\nDTSTART%s:%s\nDTEND%s:%s\nRRULE:%s\nEND:VEVENT\n",
				uid, tzid, at(start), tzid, at(start.Add(time.Duration(1+rng.Intn(48))*time.Hour)), rule)
		}
		var comps []string
		for _, day := range rng.Perm(90)[:1+rng.Intn(7)] {
			rid := start.AddDate(0, 0, day)
			moved := rid.Add(time.Duration(rng.Intn(60*24)-30*24) * time.Hour)
			uid, ridParam := "s", ""
			if rng.Intn(6) == 0 {
				uid = "other"
			}
			if rng.Intn(4) == 0 {
				ridParam = ";RANGE=THISANDFUTURE"
			}
			comps = append(comps, fmt.Sprintf("BEGIN:VEVENT\nUID:%s\nDTSTAMP:20250101T000000Z\nRECURRENCE-ID%s%s:%s\nDTSTART%s:%s\nDURATION:PT%dH\nEND:VEVENT\n",
				uid, tzid, ridParam, at(rid), tzid, at(moved), 1+rng.Intn(30)))
		}
		switch rng.Intn(10) {
		case 0:
			comps = append(comps, master("s")) // the master last
		case 1:
			comps = append([]string{master("s")}, append(comps, master("other"))...)
		default:
			comps = append([]string{master("s")}, comps...)
		}
		obj := []Object{{Calendar: calendar(t, strings.Join(comps, ""))}}
		ws := jan5.Add(time.Duration(rng.Intn(60*24)-20*24) * time.Hour)
		q := Query{Start: ws, End: ws.Add(time.Duration(1+rng.Intn(20*24)) * time.Hour), Location: berlin}
		periods := func(prefilter bool) string {
			c := newComputation(q, q.limits())
			if c.prefilter && !prefilter {
				c.prefilter = false
			}
			if err := c.objects(context.Background(), 0, obj); err != nil {
				t.Fatal(err)
			}
			c.compact()
			return fmt.Sprint(c.periods())
		}
		if run, _ := adjacentRun(obj[0].Calendar.Children, "VEVENT"); len(run) > 1 {
			var buf []*ical.Component
			kept, ok := pruneSeries(&buf, run, q.Start.Unix(), q.End.Unix())
			if ok {
				handled++
				if len(kept) < len(run) {
					pruned++
				}
			}
		}
		if on, off := periods(true), periods(false); on != off {
			t.Fatalf("the pre-filter changed the periods in [%v, %v):\n%s\nwith:    %s\nwithout: %s", q.Start, q.End, strings.Join(comps, ""), on, off)
		}
	}
	if handled < 500 || pruned < 300 {
		t.Errorf("pruneSeries handled %d and pruned %d of 1500 objects: the test is not exercising it", handled, pruned)
	}
}
