package recurrence

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// randomSimpleRule returns a rule that parseSimpleRule accepts: DAILY or
// WEEKLY with any of INTERVAL, COUNT or UNTIL (in its three forms),
// BYDAY and WKST, in random order and letter case.
func randomSimpleRule(rng *rand.Rand, start time.Time) string {
	weekly := rng.Intn(2) == 0
	parts := []string{"FREQ=DAILY"}
	if weekly {
		parts[0] = "FREQ=WEEKLY"
	}
	if rng.Intn(3) > 0 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", 1+rng.Intn(5)))
	}
	switch rng.Intn(5) {
	case 0, 1:
		parts = append(parts, fmt.Sprintf("COUNT=%d", 1+rng.Intn(80)))
	case 2:
		u := start.Add(time.Duration(rng.Int63n(int64(3 * 366 * 24 * time.Hour))))
		parts = append(parts, "UNTIL="+u.UTC().Format("20060102T150405Z"))
	case 3:
		u := start.Add(time.Duration(rng.Int63n(int64(3*366*24*time.Hour))) - 24*time.Hour)
		if rng.Intn(2) == 0 {
			parts = append(parts, "UNTIL="+u.Format("20060102T150405"))
		} else {
			parts = append(parts, "UNTIL="+u.Format("20060102"))
		}
	}
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	if weekly && rng.Intn(3) > 0 {
		rng.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
		parts = append(parts, "BYDAY="+strings.Join(days[:1+rng.Intn(7)], ","))
	}
	if rng.Intn(3) == 0 {
		parts = append(parts, "WKST="+days[rng.Intn(7)])
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	s := strings.Join(parts, ";")
	if rng.Intn(4) == 0 {
		s = strings.ToLower(s)
	}
	if rng.Intn(4) == 0 {
		s += ";"
	}
	return s
}

// TestSimpleRulesMatchRRuleGo compares, for many random simple rules,
// DTSTARTs (UTC, floating, DATE, and zones with DST changes, including
// times in the gaps and overlaps) and windows, the arithmetic iteration
// with the rrule-go path, through Expand (which also skips ahead for
// COUNT rules) and Bounds. EXDATE, RDATE and an override are added now
// and then, since they combine with the rule's instances.
func TestSimpleRulesMatchRRuleGo(t *testing.T) {
	zones := []string{"", "Z", "DATE", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Tokyo"}
	rng := rand.New(rand.NewSource(20260321))
	instances, skippedCount := 0, 0
	shared := NewExpander() // reused throughout: scratch memory, zone and rule caches
	for i := 0; i < 3000; i++ {
		zone := zones[rng.Intn(len(zones))]
		start := time.Date(1995+rng.Intn(35), time.Month(1+rng.Intn(12)), 1+rng.Intn(28), rng.Intn(24), 15*rng.Intn(4), 0, 0, time.UTC)
		if rng.Intn(4) == 0 {
			// Near the DST changes of most zones, at times in their gaps
			// and overlaps.
			month := []time.Month{time.March, time.April, time.October, time.November}[rng.Intn(4)]
			start = time.Date(start.Year(), month, 1+rng.Intn(31), []int{0, 1, 2, 3}[rng.Intn(4)], 30, 0, 0, time.UTC)
		}
		var dtstart string
		switch zone {
		case "":
			dtstart = "DTSTART:" + start.Format("20060102T150405")
		case "Z":
			dtstart = "DTSTART:" + start.Format("20060102T150405Z")
		case "DATE":
			dtstart = "DTSTART;VALUE=DATE:" + start.Format("20060102")
		default:
			dtstart = "DTSTART;TZID=" + zone + ":" + start.Format("20060102T150405")
		}
		rule := randomSimpleRule(rng, start)
		if _, ok := parseSimpleRule(rule); !ok {
			t.Fatalf("%s: not recognised as simple", rule)
		}
		lines := []string{dtstart, "RRULE:" + rule}
		if zone == "DATE" {
			lines = append(lines, fmt.Sprintf("DURATION:P%dD", 1+rng.Intn(3)))
		} else {
			lines = append(lines, fmt.Sprintf("DURATION:PT%dM", 15*rng.Intn(12)))
		}
		valueOf := func(t time.Time) string {
			switch zone {
			case "":
				return ":" + t.Format("20060102T150405")
			case "Z":
				return ":" + t.Format("20060102T150405Z")
			case "DATE":
				return ";VALUE=DATE:" + t.Format("20060102")
			}
			return ";TZID=" + zone + ":" + t.Format("20060102T150405")
		}
		if rng.Intn(4) == 0 {
			lines = append(lines, "EXDATE"+valueOf(start.AddDate(0, 0, 7*rng.Intn(20))))
		}
		if rng.Intn(6) == 0 {
			lines = append(lines, "RDATE"+valueOf(start.AddDate(0, 0, rng.Intn(400)).Add(time.Hour)))
		}
		cal, comps := event(t, lines...)
		if rng.Intn(5) == 0 {
			// An override of a possible instance, moved by an hour.
			rid := start.AddDate(0, 0, 7*rng.Intn(30))
			ocal, oc := event(t, "RECURRENCE-ID"+valueOf(rid), "DTSTART"+valueOf(rid.Add(time.Hour)), "SUMMARY:moved")
			_ = ocal
			comps = append(comps, oc[0])
		}
		ws := start.Add(time.Duration(rng.Int63n(int64(4*366*24*time.Hour))) - 30*24*time.Hour)
		we := ws.Add(time.Duration(1 + rng.Int63n(int64(366*24*time.Hour))))
		ws, we = ws.Add(-time.Duration(rng.Intn(3))*time.Hour), we.Truncate(time.Hour)
		if !we.After(ws) {
			we = ws.Add(24 * time.Hour)
		}
		res := tz.NewResolver(cal)
		lim := Limits{MaxSteps: 1 << 22}
		run := func(x *Expander) string {
			var b strings.Builder
			err := x.Expand(context.Background(), comps, res, time.UTC, ws, we, lim, func(in Instance) bool {
				b.WriteString(formatInstance(in) + "\n")
				return true
			})
			if err != nil {
				t.Fatalf("%s %s: %v", dtstart, rule, err)
			}
			return b.String()
		}
		fast, general := run(shared), run(&Expander{general: true})
		if fast != general {
			t.Fatalf("%s RRULE:%s window %s..%s:\nsimple:\n%s\nrrule-go:\n%s", dtstart, rule,
				ws.Format(time.RFC3339), we.Format(time.RFC3339), fast, general)
		}
		instances += strings.Count(fast, "\n")
		if strings.Contains(strings.ToUpper(rule), "COUNT") && ws.Sub(start) > 60*24*time.Hour {
			skippedCount++
		}
		bounds := func(x *Expander) string {
			f, l, u, err := x.bounds(context.Background(), comps, res, time.UTC, lim)
			return fmt.Sprint(f, l, u, err)
		}
		if bf, bg := bounds(&Expander{}), bounds(&Expander{general: true}); bf != bg {
			t.Fatalf("%s RRULE:%s: Bounds simple %s, rrule-go %s", dtstart, rule, bf, bg)
		}
	}
	if instances < 20000 || skippedCount < 300 {
		t.Fatalf("only %d instances compared, %d COUNT rules skipped ahead", instances, skippedCount)
	}
	t.Logf("%d instances compared; %d COUNT windows far from DTSTART", instances, skippedCount)
}

// TestSimpleRuleParserAgrees checks that parseSimpleRule accepts only
// rules parseGeneralRule accepts, for well-formed and malformed text.
func TestSimpleRuleParserAgrees(t *testing.T) {
	for _, s := range []string{
		"FREQ=WEEKLY", "freq=weekly;byday=mo,tu", "RRULE:FREQ=DAILY", "rrule:FREQ=DAILY", " FREQ=DAILY ;",
		"FREQ=DAILY;;INTERVAL=2", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;INTERVAL=1000001", "FREQ=DAILY;INTERVAL=+2",
		"FREQ=DAILY;COUNT=0", "FREQ=DAILY;COUNT=-1", "FREQ=DAILY;COUNT=99999999999999999999", "FREQ=DAILY;COUNT=2;UNTIL=20260101",
		"FREQ=DAILY;FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,,TU", "FREQ=WEEKLY;BYDAY=MO,", "FREQ=WEEKLY;BYDAY=1MO", "FREQ=WEEKLY;BYDAY=MO,MO",
		"FREQ=DAILY;BYDAY=MO", "FREQ=WEEKLY;WKST=XX", "FREQ=WEEKLY;UNTIL=2026", "FREQ=WEEKLY;UNTIL=20261301T000000Z",
		"FREQ=WEEKLY;UNTIL=20260101t000000z", "FREQ=WEEKLY;X-FOO=1", "INTERVAL=2", "FREQ=MONTHLY", "FREQ=WEEKLY;BYDAY= MO",
		"FREQ=WEEKLY;INTERVAL=", "FREQ=WEEKLY;=2", "FREQ=WEEKLY;BYDAY", "FREQ=weekly;until=20260101T000000z",
	} {
		sr, simple := parseSimpleRule(s)
		gr, err := parseGeneralRule(s)
		if simple && err != nil {
			t.Errorf("%q: simple, but the general parser says %v", s, err)
		}
		if simple && (sr.count != gr.count || sr.untilKind != gr.untilKind || !sr.untilWall.Equal(gr.untilWall) || !sr.untilUTC.Equal(gr.untilUTC)) {
			t.Errorf("%q: parsers disagree on COUNT/UNTIL", s)
		}
	}
	for _, s := range []string{"FREQ=WEEKLY", "freq=weekly;byday=mo,tu", "RRULE:FREQ=DAILY", " FREQ=DAILY;", "FREQ=WEEKLY;BYDAY=MO,MO",
		"FREQ=DAILY;;INTERVAL=2", "FREQ=WEEKLY;UNTIL=20260101", "FREQ=weekly;until=20260101T000000z", "WKST=SU;FREQ=WEEKLY;COUNT=3"} {
		if _, ok := parseSimpleRule(s); !ok {
			t.Errorf("%q: plain rule not recognised as simple", s)
		}
	}
}

// TestExpanderZonesPerCalendar checks that an Expander shared between
// objects resolves a TZID defined by each object's own VTIMEZONE with
// that object's definition, and that a VTIMEZONE reusing an IANA name
// does not change what that name means (tz.Resolver prefers the IANA
// zone, which the Expander's zone cache relies on).
func TestExpanderZonesPerCalendar(t *testing.T) {
	vtz := func(tzid, offset string) string {
		return "BEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:" + offset + "\r\nTZOFFSETTO:" + offset +
			"\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	}
	object := func(tzid, offset string) (*ical.Calendar, []*ical.Component) {
		s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + vtz(tzid, offset) +
			"BEGIN:VEVENT\r\nUID:z\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=" + tzid + ":20260310T090000\r\n" +
			"DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal, err := ics.Decode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return cal, objectComponents(cal)
	}
	x := NewExpander()
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ tzid, offset, want string }{
		{"Office", "+0500", "2026-03-10T04:00:00Z"},
		{"Office", "-0300", "2026-03-10T12:00:00Z"},
		{"Europe/Berlin", "+0500", "2026-03-10T08:00:00Z"}, // the IANA zone, not the VTIMEZONE
		{"Office", "+0500", "2026-03-10T04:00:00Z"},
	} {
		cal, comps := object(c.tzid, c.offset)
		for _, oneOff := range []bool{false, true} {
			cs := comps
			if oneOff {
				cs = []*ical.Component{comps[0]}
				delete(cs[0].Props, ical.PropRecurrenceRule)
			}
			var got, want []string
			collect := func(dst *[]string) func(Instance) bool {
				return func(in Instance) bool { *dst = append(*dst, in.Start.UTC().Format(time.RFC3339)); return true }
			}
			if err := x.Expand(context.Background(), cs, tz.NewResolver(cal), time.UTC, from, to, Limits{}, collect(&got)); err != nil {
				t.Fatal(err)
			}
			if err := Expand(context.Background(), cs, tz.NewResolver(cal), time.UTC, from, to, Limits{}, collect(&want)); err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[0] != c.want || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s (one-off %v): Expander %v, Expand %v, want first %s", c.tzid, c.offset, oneOff, got, want, c.want)
			}
		}
	}
}

// TestManyOverrides checks override bookkeeping past the number searched
// one by one: every override replaces its instance, and a repeated
// RECURRENCE-ID is an error wherever it appears.
func TestManyOverrides(t *testing.T) {
	_, comps := event(t, "DTSTART:20260101T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=40")
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 2*fewOverrides; i++ {
		rid := base.AddDate(0, 0, i)
		_, oc := event(t, "RECURRENCE-ID:"+rid.Format("20060102T150405Z"), "DTSTART:"+rid.Add(30*time.Minute).Format("20060102T150405Z"), "DURATION:PT1H")
		comps = append(comps, oc[0])
	}
	for _, x := range []*Expander{NewExpander(), {oneShot: true}} {
		var moved, plain int
		err := x.Expand(context.Background(), comps, tz.NewResolver(nil), time.UTC, base, base.AddDate(0, 3, 0), Limits{}, func(in Instance) bool {
			if in.Override {
				moved++
			} else {
				plain++
			}
			return true
		})
		if err != nil || moved != 2*fewOverrides || plain != 40-2*fewOverrides {
			t.Fatalf("%d moved, %d plain, %v", moved, plain, err)
		}
	}
	dup := append([]*ical.Component(nil), comps...)
	dup = append(dup, comps[len(comps)-3])
	err := NewExpander().Expand(context.Background(), dup, tz.NewResolver(nil), time.UTC, base, base.AddDate(0, 3, 0), Limits{}, func(Instance) bool { return true })
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("repeated RECURRENCE-ID: %v", err)
	}
}

// FuzzSimpleRule checks on arbitrary text that the hand parser of simple
// rules accepts only what the general parser accepts, agreeing on COUNT
// and UNTIL, and that both iterations give the same instances.
func FuzzSimpleRule(f *testing.F) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "freq=daily;interval=3;until=20260301", "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,TU",
		"FREQ=DAILY;UNTIL=20260310T080000Z", "FREQ=WEEKLY;BYDAY=1MO", "FREQ=DAILY;COUNT=0"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, shift int64) {
		sr, ok := parseSimpleRule(s)
		if !ok {
			return
		}
		gr, err := parseGeneralRule(s)
		if err != nil {
			t.Fatalf("%q: simple, but %v", s, err)
		}
		if sr.count != gr.count || sr.untilKind != gr.untilKind || !sr.untilWall.Equal(gr.untilWall) || !sr.untilUTC.Equal(gr.untilUTC) {
			t.Fatalf("%q: parsers disagree on COUNT/UNTIL", s)
		}
		if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			return // not a property value the decoder takes
		}
		cal, comps := event(t, "DTSTART;TZID=Europe/Berlin:20260105T090000", "DURATION:PT1H", "RRULE:"+s)
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(shift%(5*365*24)) * time.Hour)
		res := tz.NewResolver(cal)
		out := func(x *Expander) string {
			var b strings.Builder
			err := x.Expand(context.Background(), comps, res, time.UTC, from, from.AddDate(0, 2, 0), Limits{MaxSteps: 1 << 20},
				func(in Instance) bool { b.WriteString(formatInstance(in) + "\n"); return true })
			return b.String() + fmt.Sprint(err)
		}
		if a, b := out(NewExpander()), out(&Expander{general: true}); a != b {
			t.Fatalf("%q from %s:\nsimple %s\nrrule-go %s", s, from, a, b)
		}
	})
}
