package recurrence

import "time"

// wall is a wall-clock reading (year … second) held in a time.Time in UTC,
// independent of any zone: rrule-go iterates on these so that its
// arithmetic is never disturbed by DST, and this package maps each reading
// to instants itself.
func wallOf(t time.Time) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// resolveWall returns the instant(s) at which the wall clock w (a wallOf
// value) reads in loc, following RFC 5545 §3.3.5: a reading that occurs
// twice (clocks go back) denotes its first occurrence, returned as first,
// with the later one in second (ok2 true); a reading in a gap (clocks go
// forward) is taken with the offset in force before the gap, so 02:30 on
// a day clocks jump from 02:00 to 03:00 becomes 03:30.
func resolveWall(w time.Time, loc *time.Location) (first, second time.Time, ok2 bool) {
	if loc == time.UTC {
		return w, time.Time{}, false
	}
	u := w.Unix()
	_, offBefore := time.Unix(u-86400, 0).In(loc).Zone()
	_, offAfter := time.Unix(u+86400, 0).In(loc).Zone()
	if offBefore == offAfter {
		t := time.Unix(u-int64(offBefore), 0).In(loc)
		if _, o := t.Zone(); o == offBefore {
			return t, time.Time{}, false
		}
		// Two transitions within two days: let the time package decide.
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc), time.Time{}, false
	}
	a := time.Unix(u-int64(offBefore), 0).In(loc)
	b := time.Unix(u-int64(offAfter), 0).In(loc)
	_, oa := a.Zone()
	_, ob := b.Zone()
	aOK, bOK := oa == offBefore, ob == offAfter
	switch {
	case aOK && bOK:
		if b.Before(a) {
			a, b = b, a
		}
		if a.Equal(b) {
			return a, time.Time{}, false
		}
		return a, b, true
	case aOK:
		return a, time.Time{}, false
	case bOK:
		return b, time.Time{}, false
	default:
		// In the gap: the offset before it applies.
		return a, time.Time{}, false
	}
}
