package recurrence

import (
	"math"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// wallOf returns the wall-clock reading (year … second) of t held in a
// time.Time in UTC, independent of any zone: rrule-go iterates on these
// so that its arithmetic is never disturbed by DST, and this package maps
// each reading to instants itself.
func wallOf(t time.Time) time.Time {
	_, off := t.Zone()
	return time.Unix(t.Unix()+int64(off), 0).UTC()
}

// resolveWall maps the reading w to instants in loc by RFC 5545 §3.3.5,
// exactly as the tz package parses DTSTART (see tz.FromWallClock), so
// that the rule's first reading and DTSTART always agree.
func resolveWall(w time.Time, loc *time.Location) (first, second time.Time, ok2 bool) {
	return tz.FromWallClock(w, loc)
}

// zoneMemo remembers one period of constant UTC offset of a location, so
// that wall-clock readings well inside it are mapped to instants without
// the three zone lookups of tz.FromWallClock. The result is the same:
// when the instants a day before and after a reading have the same
// offset, FromWallClock returns the reading minus that offset.
type zoneMemo struct {
	loc    *time.Location
	off    int64 // seconds east of UTC
	lo, hi int64 // the period, in Unix seconds: [lo, hi)
}

// covers reports whether z is loc's memo and the reading u (wall-clock
// Unix seconds) lies well inside its period.
func (z *zoneMemo) covers(u int64, loc *time.Location) bool {
	return z.loc == loc && u-86400 >= z.lo && u+86400 < z.hi
}

// instant returns the first instant at which loc's clocks read w (a wall
// clock held in UTC), as tz.FromWallClock does.
func (z *zoneMemo) instant(w time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return w
	}
	if u := w.Unix(); z.covers(u, loc) {
		return time.Unix(u-z.off, 0).In(loc)
	}
	return z.fill(w, loc)
}

// fill maps w by tz.FromWallClock and remembers the period of constant
// offset it falls in.
func (z *zoneMemo) fill(w time.Time, loc *time.Location) time.Time {
	t, _, _ := tz.FromWallClock(w, loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	z.loc, z.off, z.lo, z.hi = loc, int64(off), math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		z.lo = start.Unix()
	}
	if !end.IsZero() {
		z.hi = end.Unix()
	}
	return t
}

// zoneMemos holds some periods of constant offset, of one location or
// of several (objects of one user are written in a handful of zones, and
// their DTSTARTs and the queried window often lie on both sides of a DST
// change), replaced round-robin.
type zoneMemos struct {
	memos [16]zoneMemo
	next  int
	last  int // the memo that covered the previous reading
}

// instant is zoneMemo.instant with a memo covering w in loc, filling one
// when none does.
func (zs *zoneMemos) instant(w time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return w
	}
	u := w.Unix()
	// Readings come in runs of one zone and period: try the last memo
	// that covered one first.
	if z := &zs.memos[zs.last]; z.covers(u, loc) {
		return time.Unix(u-z.off, 0).In(loc)
	}
	for i := range zs.memos {
		if z := &zs.memos[i]; z.covers(u, loc) {
			zs.last = i
			return time.Unix(u-z.off, 0).In(loc)
		}
	}
	// A reading within a day of an offset change is never covered: it
	// is mapped afresh each time, and its period is remembered only if
	// no memo has it already, so that such readings do not push out the
	// memos of other zones and periods.
	var fresh zoneMemo
	t := fresh.fill(w, loc)
	for i := range zs.memos {
		if z := &zs.memos[i]; z.loc == loc && z.lo == fresh.lo && z.hi == fresh.hi {
			return t
		}
	}
	zs.memos[zs.next] = fresh
	zs.next = (zs.next + 1) % len(zs.memos)
	return t
}
