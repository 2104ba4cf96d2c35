package freebusy

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

var (
	jan5  = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	jan12 = time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
)

// calendar decodes a VCALENDAR wrapped around body.
func calendar(t testing.TB, body string) *ical.Calendar {
	t.Helper()
	text := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + strings.TrimSpace(body) + "\nEND:VCALENDAR\n"
	cal, err := ics.Decode(crlf([]byte(text)))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, text)
	}
	return cal
}

func event(t testing.TB, props ...string) *ical.Calendar {
	t.Helper()
	return calendar(t, "BEGIN:VEVENT\nUID:u\nDTSTAMP:20250101T000000Z\n"+strings.Join(props, "\n")+"\nEND:VEVENT")
}

func TestComputeInvalidQuery(t *testing.T) {
	tests := []struct {
		name string
		q    Query
	}{
		{"zero", Query{}},
		{"no end", Query{Start: jan5}},
		{"inverted", Query{Start: jan12, End: jan5}},
		{"empty", Query{Start: jan5, End: jan5}},
		{"too long", Query{Start: jan5, End: jan12, Limits: recurrence.Limits{MaxWindow: 24 * time.Hour}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Compute(context.Background(), tt.q, nil)
			if !errors.Is(err, ErrInvalidQuery) || res != nil {
				t.Errorf("Compute = %v, %v; want ErrInvalidQuery", res, err)
			}
		})
	}
}

func TestComputeContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	obj := Object{Calendar: event(t, "DTSTART:20260105T100000Z", "DTEND:20260105T110000Z")}
	_, err := Compute(ctx, Query{Start: jan5, End: jan12}, []Object{obj})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestComputeProblemsDoNotHideOthers(t *testing.T) {
	objects := []Object{
		{Calendar: nil},
		{Calendar: event(t, "DTSTART;TZID=Nowhere/Land:20260105T100000", "DTEND;TZID=Nowhere/Land:20260105T110000")},
		{Calendar: event(t, "DTSTART:20260106T100000Z", "DTEND:20260106T110000Z")},
		{Calendar: event(t, "DTSTART:20260107T100000Z", "DURATION:PT1X")},
		{Calendar: event(t, "DTSTART:20260108T100000Z", "DTEND:20260108T110000Z", "RRULE:FREQ=SOMETIMES")},
		{Calendar: event(t, "DTSTART:20260109T100000Z", "DTEND:20260109T110000Z"), Transparent: true},
		{Calendar: calendar(t, "BEGIN:VFREEBUSY\nUID:fb\nFREEBUSY:20260110T100000Z/garbage\nEND:VFREEBUSY")},
	}
	res, err := Compute(context.Background(), Query{Start: jan5, End: jan12}, objects)
	if err != nil {
		t.Fatal(err)
	}
	want := []Period{{time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 11, 0, 0, 0, time.UTC), Busy}}
	if fmt.Sprint(res.Periods) != fmt.Sprint(want) {
		t.Errorf("Periods %v, want %v", res.Periods, want)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%d:%s:%s", p.Index, p.UID, problemKind(p.Err)))
		if !strings.Contains(p.Error(), "freebusy: object") {
			t.Errorf("Error() = %q", p.Error())
		}
	}
	if strings.Join(got, " ") != "1:u:unknown-tzid 3:u:invalid-recurrence 4:u:invalid-recurrence 6:fb:invalid-value" {
		t.Errorf("Problems %v", got)
	}
	var unknown *ObjectError
	if !errors.As(res.Problems[0], &unknown) || !errors.Is(unknown, tz.ErrUnknownTZID) {
		t.Errorf("problem does not unwrap to tz.ErrUnknownTZID: %v", res.Problems[0])
	}
}

func TestComputeLimitCountsCappedInstances(t *testing.T) {
	obj := Object{Calendar: event(t, "DTSTART:20260105T000000Z", "DURATION:PT30M", "RRULE:FREQ=HOURLY")}
	q := Query{Start: jan5, End: jan12, Limits: recurrence.Limits{MaxInstances: 3}}
	res, err := Compute(context.Background(), q, []Object{obj})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Periods); got != "[20260105T000000Z/20260105T003000Z BUSY 20260105T010000Z/20260105T013000Z BUSY 20260105T020000Z/20260105T023000Z BUSY]" {
		t.Errorf("Periods %s", got)
	}
	if len(res.Problems) != 1 || !errors.Is(res.Problems[0], recurrence.ErrLimit) {
		t.Errorf("Problems %v, want one ErrLimit", res.Problems)
	}
}

func TestComputeAvailabilityProblems(t *testing.T) {
	good := calendar(t, `BEGIN:VAVAILABILITY
UID:ok
DTSTAMP:20250101T000000Z
DTSTART:20260105T000000Z
DTEND:20260106T000000Z
BEGIN:AVAILABLE
UID:slot
DTSTAMP:20250101T000000Z
DTSTART:20260105T090000Z
DTEND:20260105T170000Z
END:AVAILABLE
BEGIN:AVAILABLE
UID:broken
DTSTAMP:20250101T000000Z
DTSTART;TZID=Nowhere/Land:20260105T180000
DTEND;TZID=Nowhere/Land:20260105T190000
END:AVAILABLE
END:VAVAILABILITY`)
	bad := calendar(t, `BEGIN:VAVAILABILITY
UID:bad-bounds
DTSTAMP:20250101T000000Z
DTSTART:20260107T000000Z
DTEND;TZID=Nowhere/Land:20260108T000000
END:VAVAILABILITY
BEGIN:VAVAILABILITY
UID:duration-without-start
DTSTAMP:20250101T000000Z
DURATION:P1D
END:VAVAILABILITY`)
	q := Query{Start: jan5, End: jan12, Availability: []*ical.Calendar{nil, good, bad}}
	res, err := Compute(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Periods); got != "[20260105T000000Z/20260105T090000Z BUSY-UNAVAILABLE 20260105T170000Z/20260106T000000Z BUSY-UNAVAILABLE]" {
		t.Errorf("Periods %s", got)
	}
	var got []string
	for _, p := range res.Problems {
		if !p.Availability {
			t.Errorf("problem %v not marked Availability", p)
		}
		got = append(got, fmt.Sprintf("%d:%s:%s", p.Index, p.UID, problemKind(p.Err)))
	}
	if strings.Join(got, " ") != "1:ok:unknown-tzid 2:bad-bounds:unknown-tzid 2:duration-without-start:invalid-recurrence" {
		t.Errorf("Problems %v", got)
	}
}

func TestMerge(t *testing.T) {
	at := func(h int) time.Time { return jan5.Add(time.Duration(h) * time.Hour) }
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	in := []Period{
		{at(5), at(6), BusyTentative},
		{at(1), at(2), Busy},
		{at(2), at(3), Busy},                       // adjacent: coalesced
		{at(2), at(3), BusyTentative},              // other type: kept apart
		{at(0), at(4), Free},                       // FREE: dropped
		{at(7), at(7), Busy},                       // empty: dropped
		{at(9), at(8), Busy},                       // inverted: dropped
		{at(4).In(berlin), at(5), ""},              // no type: BUSY, converted to UTC
		{at(4), at(4).Add(30 * time.Minute), Busy}, // inside the previous one
		{at(5), at(7), BusyTentative},
	}
	got := fmt.Sprint(Merge(in))
	want := "[20260105T010000Z/20260105T030000Z BUSY 20260105T020000Z/20260105T030000Z BUSY-TENTATIVE 20260105T040000Z/20260105T050000Z BUSY 20260105T050000Z/20260105T070000Z BUSY-TENTATIVE]"
	if got != want {
		t.Errorf("Merge = %s\nwant    %s", got, want)
	}
	for _, p := range Merge([]Period{{at(4).In(berlin), at(5).In(berlin), Busy}}) {
		if p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Errorf("%v not in UTC", p)
		}
	}
	if got := Merge(nil); len(got) != 0 {
		t.Errorf("Merge(nil) = %v", got)
	}
}

func TestSubtract(t *testing.T) {
	s := func(a, b int) span {
		return span{jan5.Add(time.Duration(a) * time.Hour), jan5.Add(time.Duration(b) * time.Hour)}
	}
	str := func(xs []span) string {
		var b strings.Builder
		for _, x := range xs {
			fmt.Fprintf(&b, "[%d,%d)", int(x.start.Sub(jan5).Hours()), int(x.end.Sub(jan5).Hours()))
		}
		return b.String()
	}
	tests := []struct {
		a, b []span
		want string
	}{
		{[]span{s(0, 10)}, nil, "[0,10)"},
		{[]span{s(0, 10)}, []span{s(2, 3), s(5, 7)}, "[0,2)[3,5)[7,10)"},
		{[]span{s(0, 10)}, []span{s(0, 10)}, ""},
		{[]span{s(0, 10)}, []span{s(-5, 2), s(8, 20)}, "[2,8)"},
		{[]span{s(0, 2), s(4, 6), s(8, 10)}, []span{s(1, 9)}, "[0,1)[9,10)"},
		{[]span{s(0, 2), s(4, 6)}, []span{s(2, 4)}, "[0,2)[4,6)"},
	}
	for _, tt := range tests {
		if got := str(subtract(tt.a, tt.b)); got != tt.want {
			t.Errorf("subtract(%s, %s) = %s, want %s", str(tt.a), str(tt.b), got, tt.want)
		}
	}
	if got := str(normalize([]span{s(5, 6), s(0, 2), s(1, 3), s(3, 4), s(7, 7)})); got != "[0,4)[5,6)" {
		t.Errorf("normalize = %s", got)
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]Type{
		"": Busy, "busy": Busy, "FREE": Free, "Busy-Tentative": BusyTentative,
		" BUSY-UNAVAILABLE ": BusyUnavailable, "X-OUT-OF-OFFICE": Busy,
	} {
		if got := ParseType(in); got != want {
			t.Errorf("ParseType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWallClock(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   time.Time
		isDate bool
		ok     bool
	}{
		{"20260105T093000Z", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC), false, true},
		{"20260105T093000", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC), false, true},
		{"20260105", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), true, true},
		{"20240229T235959", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), false, true},
		{"19000301", time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), true, true},
		{"00010101", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true, true},
		{"00000101", time.Time{}, false, false},
		{"2026010", time.Time{}, false, false},
		{"20261305", time.Time{}, false, false},
		{"2026-01-05", time.Time{}, false, false},
		{"20260105T0930", time.Time{}, false, false},
		{"20260105X093000", time.Time{}, false, false},
		{"20260105T996000", time.Time{}, false, false},
	} {
		secs, isDate, ok := wallClock(tt.in)
		if ok != tt.ok || (ok && (secs != tt.want.Unix() || isDate != tt.isDate)) {
			t.Errorf("wallClock(%q) = %d, %v, %v; want %d, %v, %v", tt.in, secs, isDate, ok, tt.want.Unix(), tt.isDate, tt.ok)
		}
	}
}

// TestPrefilterIsSafe checks on random events that the cheap pre-filter
// never drops an event the expander finds in the range.
func TestPrefilterIsSafe(t *testing.T) {
	zones := []string{"", "Z", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin", "America/New_York"}
	rng := rand.New(rand.NewSource(1))
	floating, err := time.LoadLocation("Pacific/Kiritimati") // +14: the far edge
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		zone := zones[rng.Intn(len(zones))]
		start := jan5.Add(time.Duration(rng.Intn(12*24*60)-8*24*60) * time.Minute)
		value := func(tm time.Time, name string) string {
			switch zone {
			case "Z":
				return name + ":" + tm.Format("20060102T150405Z")
			case "":
				return name + ":" + tm.Format("20060102T150405")
			default:
				return name + ";TZID=" + zone + ":" + tm.Format("20060102T150405")
			}
		}
		props := []string{value(start, "DTSTART")}
		switch rng.Intn(4) {
		case 0:
			props = append(props, value(start.Add(time.Duration(rng.Intn(3000))*time.Minute), "DTEND"))
		case 1:
			props = append(props, fmt.Sprintf("DURATION:P%dDT%dM", rng.Intn(3), rng.Intn(600)))
		case 2:
			props = []string{"DTSTART;VALUE=DATE:" + start.Format("20060102")}
			if rng.Intn(2) == 0 {
				props = append(props, "DTEND;VALUE=DATE:"+start.AddDate(0, 0, 1+rng.Intn(3)).Format("20060102"))
			}
		}
		switch rng.Intn(5) {
		case 0:
			until := start.Add(time.Duration(rng.Intn(10*24*60)-24*60) * time.Minute)
			props = append(props, "RRULE:FREQ=DAILY;UNTIL="+until.UTC().Format("20060102T150405Z"))
		case 1:
			until := start.AddDate(0, 0, rng.Intn(10)-1)
			props = append(props, "RRULE:FREQ=HOURLY;INTERVAL=7;UNTIL="+until.Format("20060102"))
		case 2:
			props = append(props, fmt.Sprintf("RRULE:FREQ=WEEKLY;COUNT=%d", 1+rng.Intn(3)))
		}
		if strings.HasPrefix(props[0], "DTSTART;VALUE=DATE") && strings.Contains(strings.Join(props, ";"), "HOURLY") {
			props = props[:len(props)-1] // RFC 5545: no time-of-day rules on DATE starts
		}
		cal := event(t, props...)
		comps := cal.Children
		ws := jan5.Add(time.Duration(rng.Intn(48)) * time.Hour)
		we := ws.Add(time.Duration(1+rng.Intn(24)) * time.Hour)
		found := false
		err := recurrence.Expand(context.Background(), comps, tz.NewResolver(cal), floating, ws, we, recurrence.Limits{}, func(recurrence.Instance) bool {
			found = true
			return false
		})
		if err != nil {
			t.Fatalf("%v: %v", props, err)
		}
		if found && !mayOverlap(comps, ws.Unix(), we.Unix()) {
			t.Fatalf("pre-filter dropped %v for [%v, %v)", props, ws, we)
		}
	}
}

func TestComputeMaxPeriods(t *testing.T) {
	q := Query{Start: jan5, End: jan12, MaxPeriods: 100}
	// 5040 one-minute instances, two minutes apart: 5040 periods.
	sparse := Object{Calendar: event(t, "DTSTART:20260105T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY;INTERVAL=2")}
	if _, err := Compute(context.Background(), q, []Object{sparse}); !errors.Is(err, ErrTooManyPeriods) {
		t.Errorf("error %v, want ErrTooManyPeriods", err)
	}
	// 10080 overlapping instances merge into one period: no overflow, and
	// merging as they come keeps the buffer small.
	dense := Object{Calendar: event(t, "DTSTART:20260105T000000Z", "DURATION:PT2M", "RRULE:FREQ=MINUTELY")}
	res, err := Compute(context.Background(), q, []Object{dense})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Periods); got != "[20260105T000000Z/20260112T000000Z BUSY]" {
		t.Errorf("Periods %s", got)
	}
}

func TestComputeParallelMatchesSequential(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	objects := benchObjects(t, 3089) // several workers, uneven chunks
	objects[5] = Object{Calendar: event(t, "DTSTART;TZID=Nowhere/Land:20260305T100000")}
	objects[2500] = Object{Calendar: event(t, "DTSTART:20260305T100000Z", "RRULE:FREQ=SECONDLY")}
	objects[3000].Transparent = true
	q := Query{
		Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Addresses: []string{"mailto:alice@example.com"},
	}
	par, err := Compute(context.Background(), q, objects)
	if err != nil {
		t.Fatal(err)
	}
	seq := newComputation(q, q.limits())
	if err := seq.objects(context.Background(), 0, objects); err != nil {
		t.Fatal(err)
	}
	seq.compact()
	if fmt.Sprint(par.Periods) != fmt.Sprint(seq.periods()) {
		t.Errorf("parallel and sequential periods differ: %d vs %d", len(par.Periods), len(seq.periods()))
	}
	if len(par.Periods) < 30 {
		t.Errorf("only %d periods: the data is not exercising anything", len(par.Periods))
	}
	var pp, sp []string
	for _, p := range par.Problems {
		pp = append(pp, fmt.Sprintf("%d %s", p.Index, p.UID))
	}
	for _, p := range seq.problems {
		sp = append(sp, fmt.Sprintf("%d %s", p.Index, p.UID))
	}
	if strings.Join(pp, ",") != "5 u,2500 u" || strings.Join(pp, ",") != strings.Join(sp, ",") {
		t.Errorf("problems: parallel %v, sequential %v", pp, sp)
	}
}

func TestComputeAvailabilityComponentLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < maxAvailabilityComponents+2; i++ {
		fmt.Fprintf(&b, "BEGIN:VAVAILABILITY\nUID:a%d\nDTSTAMP:20250101T000000Z\nDTSTART:20260105T%02d0000Z\nDTEND:20260105T%02d3000Z\nEND:VAVAILABILITY\n", i, i%24, i%24)
	}
	q := Query{Start: jan5, End: jan12, Availability: []*ical.Calendar{calendar(t, b.String())}}
	res, err := Compute(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 2 || !errors.Is(res.Problems[0], recurrence.ErrLimit) || res.Problems[1].UID != fmt.Sprintf("a%d", maxAvailabilityComponents+1) {
		t.Errorf("Problems %v", res.Problems)
	}
	if len(res.Periods) != 24 {
		t.Errorf("%d periods, want 24: %v", len(res.Periods), res.Periods)
	}
}

func TestComputeOddFloatingZone(t *testing.T) {
	// A floating event is placed in q.Location, however far from UTC: the
	// pre-filter must not drop it by comparing wall clocks.
	far := time.FixedZone("far", -60*3600)
	obj := Object{Calendar: event(t, "DTSTART:20260102T200000", "DTEND:20260102T210000")}
	res, err := Compute(context.Background(), Query{Start: jan5, End: jan12, Location: far}, []Object{obj})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Periods); got != "[20260105T080000Z/20260105T090000Z BUSY]" {
		t.Errorf("Periods %s", got)
	}
}

// TestPruneOverridesIsSafe checks on random series that dropping the
// overrides pruneOverrides drops changes nothing the expander yields.
func TestPruneOverridesIsSafe(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	pruned := 0
	for i := 0; i < 1500; i++ {
		tzid := []string{"", ";TZID=Europe/Berlin", ";TZID=America/New_York"}[rng.Intn(3)]
		z := "Z"
		if tzid != "" {
			z = ""
		}
		at := func(tm time.Time) string { return tm.Format("20060102T150405") + z }
		start := jan5.Add(time.Duration(rng.Intn(40*24)-30*24) * time.Hour)
		dur := time.Duration(1+rng.Intn(72)) * time.Hour
		var b strings.Builder
		fmt.Fprintf(&b, "BEGIN:VEVENT\nUID:s\nDTSTAMP:20250101T000000Z\nDTSTART%s:%s\nDTEND%s:%s\n", tzid, at(start), tzid, at(start.Add(dur)))
		fmt.Fprintf(&b, "RRULE:FREQ=%s\n", []string{"DAILY", "WEEKLY;BYDAY=MO,TH", "DAILY;INTERVAL=3"}[rng.Intn(3)])
		if rng.Intn(8) == 0 {
			fmt.Fprintf(&b, "RDATE;VALUE=PERIOD:%s/P9D\n", start.Add(-5*24*time.Hour).UTC().Format("20060102T150405Z"))
		}
		b.WriteString("END:VEVENT\n")
		for _, day := range rng.Perm(60)[:1+rng.Intn(6)] {
			rid := start.AddDate(0, 0, day)
			moved := rid.Add(time.Duration(rng.Intn(30*24)-15*24) * time.Hour)
			// Some overrides carry a rule or RDATE of their own, which
			// the expander ignores, so pruning may too.
			extra := []string{"", "", "", "RRULE:FREQ=DAILY\n", "RDATE:" + jan5.Format("20060102T150405Z") + "\n"}[rng.Intn(5)]
			fmt.Fprintf(&b, "BEGIN:VEVENT\nUID:s\nDTSTAMP:20250101T000000Z\nRECURRENCE-ID%s:%s\nDTSTART%s:%s\nDURATION:PT%dH\n%sEND:VEVENT\n",
				tzid, at(rid), tzid, at(moved), 1+rng.Intn(30), extra)
		}
		cal := calendar(t, b.String())
		ws := jan5.Add(time.Duration(rng.Intn(30*24)) * time.Hour)
		we := ws.Add(time.Duration(1+rng.Intn(10*24)) * time.Hour)
		expand := func(comps []*ical.Component) string {
			var out strings.Builder
			err := recurrence.Expand(context.Background(), comps, tz.NewResolver(cal), berlin, ws, we, recurrence.Limits{}, func(in recurrence.Instance) bool {
				fmt.Fprintf(&out, "%v-%v-%p ", in.Start.UTC(), in.End.UTC(), in.Component)
				return true
			})
			if err != nil {
				fmt.Fprintf(&out, "error %v", err)
			}
			return out.String()
		}
		kept := pruneOverrides(cal.Children, ws.Unix(), we.Unix())
		if len(kept) < len(cal.Children) {
			pruned++
		}
		if full, got := expand(cal.Children), expand(kept); full != got {
			t.Fatalf("pruning changed the instances in [%v, %v):\n%s\nfull:   %s\npruned: %s", ws, we, b.String(), full, got)
		}
	}
	if pruned < 100 {
		t.Errorf("only %d of 1500 series pruned: the test is not exercising anything", pruned)
	}
}
