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
// reports what is wrong. So are the components of a group with an
// override that has RANGE=THISANDFUTURE.
func mayOverlap(comps []*ical.Component, startUnix, endUnix int64) bool {
	for _, comp := range comps {
		if componentMayOverlap(comp, startUnix, endUnix) {
			return true
		}
	}
	// An override with RANGE=THISANDFUTURE may move the master's
	// instances from anywhere into the range.
	return len(comps) > 1 && movesLater(comps)
}

func componentMayOverlap(comp *ical.Component, startUnix, endUnix int64) bool {
	if len(comp.Props["RDATE"]) > 0 {
		return true
	}
	s, isDate, ok := wallStart(comp)
	if !ok {
		return true
	}
	if s-prefilterMargin >= endUnix {
		return false // no instance starts before DTSTART (RDATE aside)
	}
	dur, ok := wallDuration(comp, s, isDate)
	if !ok {
		return true
	}
	return rulesMayReach(comp, s, dur, startUnix)
}

// rulesMayReach reports whether an instance of comp (no RDATE, DTSTART
// at the wall-clock second s, instances dur seconds long) may end after
// startUnix: false only when every RRULE has an UNTIL (or there is none)
// and the last possible instance ends before it.
func rulesMayReach(comp *ical.Component, s, dur, startUnix int64) bool {
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
// optional Z) as seconds since the Unix epoch as if it were UTC. It is
// lenient (a day up to 31 in any month, hour 24, second 60): a value it
// accepts wrongly is still read by the expander, which reports it.
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
		_ = v[14]
		hh, mm, ss = twoDigits(v[9], v[10]), twoDigits(v[11], v[12]), twoDigits(v[13], v[14])
		if hh < 0 || mm < 0 || ss < 0 || hh > 24 || mm > 59 || ss > 60 {
			return 0, false, false
		}
	default:
		return 0, false, false
	}
	_ = v[7]
	c, yy := twoDigits(v[0], v[1]), twoDigits(v[2], v[3])
	m, d := twoDigits(v[4], v[5]), twoDigits(v[6], v[7])
	y := c*100 + yy
	if c < 0 || yy < 0 || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false, false
	}
	return recurrence.DaysFromCivil(y, m, d)*86400 + hh*3600 + mm*60 + ss, isDate, true
}

// twoDigits reads two decimal digits; -1 when either is not one.
func twoDigits(a, b byte) int64 {
	a, b = a-'0', b-'0'
	if a > 9 || b > 9 {
		return -1
	}
	return int64(a)*10 + int64(b)
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
			_, d, ok := wallSpan(comp)
			if !ok {
				return comps
			}
			masterDur = d
			break
		}
	}
	var kept []*ical.Component
	for i, comp := range comps {
		if keepOverride(comp, firstProp(comp, "RECURRENCE-ID"), masterDur, startUnix, endUnix) {
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
	if kept == nil || movesLater(kept) {
		return comps
	}
	return kept
}

// movesLater reports whether one of kept has RANGE=THISANDFUTURE (any
// RANGE, to be safe). Such an override moves the master's later
// instances, and with them the instances other overrides replace: an
// override whose RECURRENCE-ID is far from the range may then replace
// an instance moved into it, so nothing may be dropped. An override
// with RANGE that keepOverride drops moves nothing into or out of the
// range, nor any instance another override replaces.
func movesLater(kept []*ical.Component) bool {
	for _, comp := range kept {
		if rid := firstProp(comp, "RECURRENCE-ID"); rid != nil && len(rid.Params) > 0 && len(rid.Params["RANGE"]) > 0 {
			return true
		}
	}
	return false
}

// keepOverride reports whether comp, whose RECURRENCE-ID is rid (nil for
// a master, which is always kept), may matter in the range, as an
// override of a master whose instances last masterDur seconds (-1 when
// there is no master). Its RANGE parameter is read only when the
// override would otherwise be dropped and could move instances into the
// range: that takes a RECURRENCE-ID before the range's end, or a start of
// its own before it.
func keepOverride(comp *ical.Component, rid *ical.Prop, masterDur, startUnix, endUnix int64) bool {
	if rid == nil {
		return true
	}
	// An override is one instance at its own DTSTART: the expander reads
	// no RRULE or RDATE of it.
	s, isDate, ok := wallStart(comp)
	if !ok {
		return true
	}
	if s-prefilterMargin < endUnix {
		dur, ok := wallDuration(comp, s, isDate)
		if !ok || s+dur+prefilterMargin > startUnix {
			return true
		}
	}
	if masterDur < 0 {
		return false // nothing to replace or move
	}
	r, _, ok := wallClock(rid.Value)
	if !ok {
		return true
	}
	if r-prefilterMargin < endUnix && r+masterDur+prefilterMargin > startUnix {
		return true // the instance it replaces may be in the range
	}
	// RANGE=THISANDFUTURE moves every later instance by the override's
	// own start minus r: each moved one starts after s. When both s and
	// r are after the range, nothing moves into it or out of it.
	if s-prefilterMargin >= endUnix && r-prefilterMargin >= endUnix {
		return false
	}
	return len(rid.Params["RANGE"]) > 0
}

// firstProp returns comp's first property called name, or nil.
func firstProp(comp *ical.Component, name string) *ical.Prop {
	if ps := comp.Props[name]; len(ps) > 0 {
		return &ps[0]
	}
	return nil
}

// wallSpan reads comp's wall-clock DTSTART and how long its instances
// last (see wallDuration); ok is false when a value is missing or cannot
// be read.
func wallSpan(comp *ical.Component) (start, dur int64, ok bool) {
	start, isDate, ok := wallStart(comp)
	if !ok {
		return 0, 0, false
	}
	dur, ok = wallDuration(comp, start, isDate)
	return start, dur, ok
}

// wallStart reads comp's DTSTART as wall-clock seconds.
func wallStart(comp *ical.Component) (start int64, isDate, ok bool) {
	dtstart := comp.Props["DTSTART"]
	if len(dtstart) == 0 {
		return 0, false, false
	}
	return wallClock(dtstart[0].Value)
}

// wallDuration returns how long the instances of comp, which starts at
// the wall-clock second start, last: from DTEND or DURATION, with the
// RFC 5545 defaults (a DATE lasts a day, a DATE-TIME no time).
func wallDuration(comp *ical.Component, start int64, isDate bool) (int64, bool) {
	if dtend := comp.Props["DTEND"]; len(dtend) > 0 {
		e, _, ok := wallClock(dtend[0].Value)
		if !ok {
			return 0, false
		}
		return max(e-start, 0), true
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
