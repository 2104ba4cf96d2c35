package tz

import "time"

// FromWallClock returns the instant at which the clocks of loc show the
// wall-clock reading w (its year … second fields, whatever w's own
// location), following RFC 5545 §3.3.5 rather than the time package,
// whose choice in DST transitions is unspecified and differs between
// zones:
//
//   - a reading that occurs twice (clocks go back) denotes its first
//     occurrence, returned as first; the later one is returned as later,
//     with twice true;
//   - a reading that does not occur (clocks go forward) is taken with the
//     UTC offset in force before the gap, so 02:30 on a day clocks jump
//     from 02:00 to 03:00 becomes 03:30.
func FromWallClock(w time.Time, loc *time.Location) (first, later time.Time, twice bool) {
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	if loc == time.UTC {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC), time.Time{}, false
	}
	u := time.Date(y, mo, d, h, mi, s, 0, time.UTC).Unix() // the reading as if UTC
	// Zone offsets a day either side; no zone changes offset twice within
	// two days.
	_, offBefore := time.Unix(u-86400, 0).In(loc).Zone()
	_, offAfter := time.Unix(u+86400, 0).In(loc).Zone()
	if offBefore == offAfter {
		t := time.Unix(u-int64(offBefore), 0).In(loc)
		if _, o := t.Zone(); o == offBefore {
			return t, time.Time{}, false
		}
		// Two changes within two days: let the time package decide.
		return time.Date(y, mo, d, h, mi, s, 0, loc), time.Time{}, false
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
		return a, time.Time{}, false // in the gap: the offset before it
	}
}
