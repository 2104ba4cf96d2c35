package tz

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// ErrVTimezoneGeneration is wrapped by the errors of GenerateVTimezone:
// an empty or over-long TZID, a nil location, or a range that is reversed,
// outside the years 1 to 9999 or longer than MaxVTimezoneYears.
var ErrVTimezoneGeneration = errors.New("tz: cannot generate VTIMEZONE")

// MaxVTimezoneYears is the longest range, in years, GenerateVTimezone
// covers in one VTIMEZONE.
const MaxVTimezoneYears = 200

// maxGeneratedChanges bounds the offset changes one generated VTIMEZONE
// describes (real zones have at most a few per year).
const maxGeneratedChanges = 10 * (MaxVTimezoneYears + vtzLookahead)

// vtzLookahead is how many years after the range GenerateVTimezone looks
// at to recognise the rules in force at its end.
const vtzLookahead = 8

// GenerateVTimezone returns a VTIMEZONE component (RFC 5545 §3.6.5) named
// tzid that describes loc from the start of the year before from to the
// end of the year of to, so that a recipient without the IANA database
// places every instant of that range as loc does.
//
// Each offset change becomes an onset of a STANDARD or DAYLIGHT
// observance, whose DTSTART is the local time of the onset in the offset
// in force before it (TZOFFSETFROM). Changes that recur every year on the
// same n-th (or last) weekday of a month at the same local time are
// written as one observance with RRULE:FREQ=YEARLY;BYMONTH=…;BYDAY=…; the
// rule has an UNTIL when the zone stopped following it within the range
// and none when it is still followed in the last year, so that it carries
// on past to. Other changes are listed with RDATE. A zone whose offset does
// not change within the range gets one STANDARD (or DAYLIGHT) observance
// with equal TZOFFSETFROM and TZOFFSETTO. TZNAME is loc's abbreviation.
//
// The output is deterministic: the same arguments give the same
// properties and observances in the same order.
func GenerateVTimezone(tzid string, loc *time.Location, from, to time.Time) (*ical.Component, error) {
	if strings.TrimSpace(tzid) == "" || len(tzid) > maxTZIDLen {
		return nil, fmt.Errorf("%w: TZID %q", ErrVTimezoneGeneration, tzid)
	}
	if loc == nil {
		return nil, fmt.Errorf("%w: %q: no location", ErrVTimezoneGeneration, tzid)
	}
	y0, y1 := from.UTC().Year()-1, to.UTC().Year()
	if to.Before(from) || y0 < 1 || y1 > 9999 || y1-y0 > MaxVTimezoneYears {
		return nil, fmt.Errorf("%w: %q: range %s to %s (years 1 to 9999, at most %d years)",
			ErrVTimezoneGeneration, tzid, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), MaxVTimezoneYears)
	}
	start := time.Date(y0, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(y1+1, 1, 1, 0, 0, 0, 0, time.UTC)
	// Rules are recognised on the changes of a few more years: that tells
	// a "last Sunday" from a "fourth Sunday" rule, and whether a rule
	// still followed at the end of the range is about to stop.
	lookYear := min(y1+vtzLookahead, 9999)
	changes, initial, err := zoneChanges(loc, start, time.Date(lookYear+1, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrVTimezoneGeneration, tzid, err)
	}
	if len(changes) > 0 && !changes[0].at.Before(end) {
		changes = nil // none within the range
	}

	vtz := ical.NewComponent(ical.CompTimezone)
	// Raw, not TEXT-escaped: TZID parameters that reference it are
	// compared byte for byte.
	vtz.Props.Set(&ical.Prop{Name: ical.PropTimezoneID, Params: ical.Params{}, Value: tzid})
	if len(changes) == 0 {
		// The offset is the same all through the range, so the observance
		// may start anywhere before it: 1970 is what most writers use, and
		// readers that expand onsets only up to some year (2200 here) see it.
		wall := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		if start.Before(wall) {
			wall = start.Add(time.Duration(initial.offset) * time.Second)
		}
		vtz.Children = []*ical.Component{observanceComponent(initial.isDST, wall, initial.offset, initial.offset, initial.abbr)}
		return vtz, nil
	}
	var obs []generatedObservance
	for _, group := range groupChanges(changes) {
		obs = append(obs, observancesOf(group, end, lookYear)...)
	}
	sort.SliceStable(obs, func(i, j int) bool { return obs[i].first.Before(obs[j].first) })
	vtz.Children = make([]*ical.Component, len(obs))
	for i := range obs {
		vtz.Children[i] = obs[i].component
	}
	return vtz, nil
}

// zoneChange is one change of loc's local time type.
type zoneChange struct {
	at       time.Time // the instant, in UTC
	from, to int       // UTC offsets before and after, seconds east
	dst      bool      // whether the new type is daylight saving time
	name     string    // abbreviation of the new type
}

// wall returns the local time of the change in the offset before it, as
// UTC fields: what DTSTART and RDATE of its observance say.
func (c *zoneChange) wall() time.Time {
	return c.at.Add(time.Duration(c.from) * time.Second)
}

// zoneChanges lists the changes of loc's offset, DST flag or abbreviation
// in [start, end), and returns the type in force at start.
func zoneChanges(loc *time.Location, start, end time.Time) ([]zoneChange, zoneType, error) {
	prev := zoneTypeAt(start, loc)
	initial := prev
	var out []zoneChange
	for t := start; t.Before(end); {
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			break
		}
		if !next.After(t) { // a bound that changes nothing visible
			t = t.Add(time.Minute)
			continue
		}
		zt := zoneTypeAt(next, loc)
		if zt != prev {
			if len(out) >= maxGeneratedChanges {
				return nil, initial, fmt.Errorf("more than %d offset changes", maxGeneratedChanges)
			}
			out = append(out, zoneChange{at: next.UTC(), from: prev.offset, to: zt.offset, dst: zt.isDST, name: zt.abbr})
			prev = zt
		}
		t = next
	}
	return out, initial, nil
}

// observanceKey identifies the changes one observance can describe.
type observanceKey struct {
	dst      bool
	from, to int
	name     string
}

// groupChanges splits changes (in time order) by observanceKey, keeping
// time order within each group and first-appearance order of the groups.
func groupChanges(changes []zoneChange) [][]zoneChange {
	idx := map[observanceKey]int{}
	var groups [][]zoneChange
	for _, c := range changes {
		k := observanceKey{c.dst, c.from, c.to, c.name}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], c)
	}
	return groups
}

// generatedObservance is one STANDARD or DAYLIGHT being generated.
type generatedObservance struct {
	first     time.Time // its first onset, for ordering
	component *ical.Component
}

// observancesOf turns the changes of one group into observances: each
// run of at least two yearly changes on the same weekday rule becomes an
// RRULE observance, and the remaining changes one observance with RDATEs.
// Runs and changes from end on are left out; lastYear is the last year
// looked at: a run reaching it is taken as the zone's current rule and
// left without UNTIL.
func observancesOf(group []zoneChange, end time.Time, lastYear int) []generatedObservance {
	var out []generatedObservance
	var singles []zoneChange
	for i := 0; i < len(group) && group[i].at.Before(end); {
		j, rule := yearlyRun(group, i)
		if j-i < 2 {
			singles = append(singles, group[i])
			i++
			continue
		}
		first, last := &group[i], &group[j-1]
		c := observanceComponent(first.dst, first.wall(), first.from, first.to, first.name)
		if last.at.Year() < lastYear {
			rule += ";UNTIL=" + last.at.Format("20060102T150405Z")
		}
		c.Props.Add(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rule})
		out = append(out, generatedObservance{first: first.at, component: c})
		i = j
	}
	if len(singles) > 0 {
		first := &singles[0]
		c := observanceComponent(first.dst, first.wall(), first.from, first.to, first.name)
		for k := 1; k < len(singles); k++ {
			// One value per RDATE: some readers fail on lists.
			c.Props.Add(&ical.Prop{Name: ical.PropRecurrenceDates, Params: ical.Params{},
				Value: singles[k].wall().Format("20060102T150405")})
		}
		out = append(out, generatedObservance{first: first.at, component: c})
	}
	return out
}

// yearlyRun returns the end (exclusive) of the longest run of changes
// starting at group[i] that fall in consecutive years, in the same month,
// at the same local time, on the same n-th or last weekday, and the
// RRULE describing it (without UNTIL). A run of one has no rule.
func yearlyRun(group []zoneChange, i int) (int, string) {
	w := group[i].wall()
	nth, last := weekOfMonth(w)
	nthOK, lastOK := nth <= 4, last
	j := i + 1
	for ; j < len(group); j++ {
		prev, cur := group[j-1].wall(), group[j].wall()
		if cur.Year() != prev.Year()+1 || cur.Month() != w.Month() || cur.Weekday() != w.Weekday() ||
			cur.Hour() != w.Hour() || cur.Minute() != w.Minute() || cur.Second() != w.Second() {
			break
		}
		n, l := weekOfMonth(cur)
		okN, okL := nthOK && n == nth, lastOK && l
		if !okN && !okL {
			break
		}
		nthOK, lastOK = okN, okL
	}
	if j-i < 2 {
		return j, ""
	}
	// When both fit (a few years of a "last Sunday" rule often fall on the
	// fourth), the last-weekday reading wins: it is what tzdata's rules
	// say far more often.
	week := "-1"
	if !lastOK {
		week = strconv.Itoa(nth)
	}
	day := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[w.Weekday()]
	return j, fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s%s", int(w.Month()), week, day)
}

// weekOfMonth returns which occurrence of its weekday in its month the
// day of t is (1 to 5) and whether it is the last one.
func weekOfMonth(t time.Time) (nth int, last bool) {
	d := t.Day()
	daysInMonth := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return (d-1)/7 + 1, d+7 > daysInMonth
}

// observanceComponent returns a STANDARD (or DAYLIGHT when dst) with
// DTSTART, TZOFFSETFROM, TZOFFSETTO and TZNAME.
func observanceComponent(dst bool, wall time.Time, from, to int, name string) *ical.Component {
	kind := ical.CompTimezoneStandard
	if dst {
		kind = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(kind)
	c.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: wall.Format("20060102T150405")})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: formatUTCOffset(from)})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: formatUTCOffset(to)})
	if name != "" {
		c.Props.Set(&ical.Prop{Name: ical.PropTimezoneName, Params: ical.Params{}, Value: name})
	}
	return c
}

// formatUTCOffset renders seconds east of UTC as a UTC-OFFSET value
// (RFC 5545 §3.3.14): ±hhmm, or ±hhmmss when there are seconds.
func formatUTCOffset(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	s := fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf("%02d", off%60)
	}
	return s
}
