package recurrence

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// TestExpanderParseMatchesResolver feeds well-formed and malformed DATE
// and DATE-TIME values (days past the month's end, hour 24, second 60,
// year 0, lower-case z, spaces, VALUE and TZID parameters, times in DST
// gaps and overlaps) to the Expander's direct readers and to tz.Resolver
// / parseOne, which must agree exactly, errors included.
func TestExpanderParseMatchesResolver(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	berlin, err := tz.NewResolver(nil).Location("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	saoPaulo, err := tz.NewResolver(nil).Location("America/Sao_Paulo") // DST began at midnight
	if err != nil {
		t.Fatal(err)
	}
	res := tz.NewResolver(nil)
	x := NewExpander()
	pick := func(xs ...string) string { return xs[rng.Intn(len(xs))] }
	for i := 0; i < 20000; i++ {
		date := fmt.Sprintf("%s%02d%02d", pick("0000", "0001", "1999", "2024", "2026", "9999"), 1+rng.Intn(13), rng.Intn(33))
		switch rng.Intn(3) {
		case 0:
			date = fmt.Sprintf("%04d%02d%02d", 2020+rng.Intn(8), []int{3, 10, 2, 4}[rng.Intn(4)], 1+rng.Intn(31))
		case 1:
			date = fmt.Sprintf("%04d%02d%02d", 2008+rng.Intn(10), []int{10, 11, 2}[rng.Intn(3)], 1+rng.Intn(30))
		}
		clock := fmt.Sprintf("%02d%02d%02d", []int{0, 1, 2, 3, 9, 23, 24}[rng.Intn(7)], []int{0, 30, 59, 60}[rng.Intn(4)], []int{0, 59, 60}[rng.Intn(3)])
		v := pick(date, date+"T"+clock, date+"T"+clock+"Z", date+"T"+clock+"z", " "+date, date+"T"+clock+" ", date+"X"+clock, date[:7])
		p := ical.NewProp(ical.PropDateTimeStart)
		p.Value = v
		if vt := pick("", "", "DATE", "date", "DATE-TIME", "PERIOD"); vt != "" {
			p.Params.Set("VALUE", vt)
		}
		tzid := pick("", "", "Europe/Berlin", "America/New_York", "Nowhere/Nothing", "UTC")
		if tzid != "" {
			p.Params.Set("TZID", tzid)
		}
		floating := []*time.Location{time.UTC, berlin, saoPaulo, nil}[rng.Intn(4)]
		got, gotErr := x.parse(p, res, floating)
		want, wantErr := res.Parse(p, floating)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("%q VALUE=%q TZID=%q: Expander %v %v, Resolver %v %v", v, p.Params.Get("VALUE"), tzid, got, gotErr, want, wantErr)
		}
		isDate := rng.Intn(3) == 0
		if lv, ok := x.parseListValue(v, isDate, tzid, res, floating); ok {
			ref, err := parseOne(v, isDate, tzid, res, floating)
			if err != nil || lv != ref {
				t.Fatalf("list value %q (date %v, TZID %q): Expander %v, parseOne %v %v", v, isDate, tzid, lv, ref, err)
			}
		}
	}
}
