package freebusy

import (
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// prefilterMargin widens the range the cheap pre-filter compares against,
// in seconds. Wall-clock times are compared as if they were UTC; no UTC
// offset exceeds a day, and two days also cover a nominal DURATION that
// spans a DST change.
const prefilterMargin = 2 * 24 * 3600

// mayOverlap reports whether the components of one UID can have an
// instance overlapping [startUnix, endUnix). It never allocates and never
// resolves a TZID: wall-clock times are compared as if they were UTC, with
// the range widened by prefilterMargin. A component is known to stay out
// of the range when
//   - it has no RRULE: its one instance, DTSTART to its end, is outside;
//   - it has RRULEs: all its instances start at or after DTSTART, which is
//     after the range, or every RRULE has an UNTIL and the last possible
//     instance ends before the range.
//
// A component with RDATE (which may precede DTSTART), or with a value the
// filter cannot read, is always a candidate: the expander decides, and
// reports what is wrong.
func mayOverlap(comps []*ical.Component, startUnix, endUnix int64) bool {
	for _, comp := range comps {
		if componentMayOverlap(comp, startUnix, endUnix) {
			return true
		}
	}
	return false
}

func componentMayOverlap(comp *ical.Component, startUnix, endUnix int64) bool {
	if len(comp.Props["RDATE"]) > 0 {
		return true
	}
	dtstart := comp.Props["DTSTART"]
	if len(dtstart) == 0 {
		return true
	}
	s, _, ok := wallClock(dtstart[0].Value)
	if !ok {
		return true
	}
	if s-prefilterMargin >= endUnix {
		return false // no instance starts before DTSTART (RDATE aside)
	}
	dur, ok := wallDuration(comp)
	if !ok {
		return true
	}
	last := s // the latest possible start of an instance
	for _, r := range comp.Props["RRULE"] {
		until, ok := ruleUntil(r.Value)
		if !ok {
			return true // unbounded, or bounded by COUNT only
		}
		last = max(last, until)
	}
	return last+dur+prefilterMargin > startUnix
}

// ruleUntil returns the UNTIL of an RRULE value as wall-clock seconds,
// extended to the end of the day for a DATE, and whether there is one
// that can be read.
func ruleUntil(rule string) (int64, bool) {
	for len(rule) > 0 {
		part := rule
		if i := strings.IndexByte(rule, ';'); i >= 0 {
			part, rule = rule[:i], rule[i+1:]
		} else {
			rule = ""
		}
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "UNTIL") {
			continue
		}
		secs, isDate, ok := wallClock(strings.ToUpper(value))
		if !ok {
			return 0, false
		}
		if isDate {
			secs += 24 * 3600
		}
		return secs, true
	}
	return 0, false
}

// wallClock reads a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS, with an
// optional Z) as seconds since the Unix epoch as if it were UTC.
func wallClock(v string) (secs int64, isDate, ok bool) {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	if len(v) > 0 && v[len(v)-1] == 'Z' {
		v = v[:len(v)-1]
	}
	var hh, mm, ss int64
	switch {
	case len(v) == 8:
		isDate = true
	case len(v) == 15 && v[8] == 'T':
		var ok1, ok2, ok3 bool
		hh, ok1 = digits(v[9:11])
		mm, ok2 = digits(v[11:13])
		ss, ok3 = digits(v[13:15])
		if !ok1 || !ok2 || !ok3 || hh > 24 || mm > 59 || ss > 60 {
			return 0, false, false
		}
	default:
		return 0, false, false
	}
	y, ok1 := digits(v[0:4])
	m, ok2 := digits(v[4:6])
	d, ok3 := digits(v[6:8])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false, false
	}
	return daysFromCivil(y, m, d)*86400 + hh*3600 + mm*60 + ss, isDate, true
}

func digits(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 here
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// pruneOverrides returns comps without the overrides that cannot matter
// in [startUnix, endUnix): those that neither occur in the range (by their
// own DTSTART and end) nor replace a master instance that would (by their
// RECURRENCE-ID and the master's duration). Expanding fewer overrides
// costs less; the result is the same. Overrides with a RANGE parameter,
// or values the filter cannot read, are kept, and so is everything when
// the master has RDATE;VALUE=PERIOD (instances of their own length). A
// dropped override is not checked for errors either. comps is not modified; a new
// slice is allocated only when something is dropped.
func pruneOverrides(comps []*ical.Component, startUnix, endUnix int64) []*ical.Component {
	return pruneOverridesInto(nil, comps, startUnix, endUnix)
}

// pruneOverridesInto is pruneOverrides building a shortened list in buf's
// memory (which must not be comps').
func pruneOverridesInto(buf, comps []*ical.Component, startUnix, endUnix int64) []*ical.Component {
	if len(comps) < 2 {
		return comps
	}
	masterDur := int64(-1)
	for _, comp := range comps {
		if len(comp.Props["RECURRENCE-ID"]) == 0 {
			for _, rd := range comp.Props["RDATE"] {
				if len(rd.Params["VALUE"]) > 0 {
					return comps // PERIOD instances have their own durations
				}
			}
			d, ok := wallDuration(comp)
			if !ok {
				return comps
			}
			masterDur = d
			break
		}
	}
	var kept []*ical.Component
	for i, comp := range comps {
		if keepOverride(comp, masterDur, startUnix, endUnix) {
			if kept != nil {
				kept = append(kept, comp)
			}
			continue
		}
		if kept == nil {
			if cap(buf) < len(comps)-1 {
				buf = make([]*ical.Component, 0, len(comps)-1)
			}
			kept = append(buf[:0], comps[:i]...)
		}
	}
	if kept == nil {
		return comps
	}
	return kept
}

// keepOverride reports whether comp (a master, or an override of a master
// whose instances last masterDur seconds; -1 when there is no master) may
// matter in the range.
func keepOverride(comp *ical.Component, masterDur, startUnix, endUnix int64) bool {
	rid := comp.Props["RECURRENCE-ID"]
	if len(rid) == 0 || len(rid[0].Params["RANGE"]) > 0 {
		return true
	}
	if componentMayOverlap(comp, startUnix, endUnix) {
		return true
	}
	if masterDur < 0 {
		return false // nothing to replace
	}
	r, _, ok := wallClock(rid[0].Value)
	if !ok {
		return true
	}
	return r-prefilterMargin < endUnix && r+masterDur+prefilterMargin > startUnix
}

// wallDuration returns how long the instances of comp last, read from its
// wall-clock DTSTART and DTEND, or DURATION, with the RFC 5545 defaults.
func wallDuration(comp *ical.Component) (int64, bool) {
	dtstart := comp.Props["DTSTART"]
	if len(dtstart) == 0 {
		return 0, false
	}
	s, isDate, ok := wallClock(dtstart[0].Value)
	if !ok {
		return 0, false
	}
	if dtend := comp.Props["DTEND"]; len(dtend) > 0 {
		e, _, ok := wallClock(dtend[0].Value)
		if !ok {
			return 0, false
		}
		return max(e-s, 0), true
	}
	if dp := comp.Props["DURATION"]; len(dp) > 0 {
		d, err := recurrence.ParseDuration(dp[0].Value)
		if err != nil || d < 0 {
			return 0, false
		}
		return int64(d.Seconds()), true
	}
	if isDate {
		return 24 * 3600, true
	}
	return 0, true
}
