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
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
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

// instant returns the first instant at which loc's clocks read w (a wall
// clock held in UTC), as tz.FromWallClock does.
func (z *zoneMemo) instant(w time.Time, loc *time.Location) time.Time {
	if loc == time.UTC {
		return w
	}
	u := w.Unix()
	if z.loc == loc && u-86400 >= z.lo && u+86400 < z.hi {
		return time.Unix(u-z.off, 0).In(loc)
	}
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

// zoneMemos holds a zoneMemo for each of a few locations (objects of one
// user are written in a handful of zones), replaced round-robin.
type zoneMemos struct {
	memos [4]zoneMemo
	next  int
}

// instant is zoneMemo.instant with the memo of loc.
func (zs *zoneMemos) instant(w time.Time, loc *time.Location) time.Time {
	for i := range zs.memos {
		if zs.memos[i].loc == loc {
			return zs.memos[i].instant(w, loc)
		}
	}
	if loc == time.UTC {
		return w
	}
	z := &zs.memos[zs.next]
	zs.next = (zs.next + 1) % len(zs.memos)
	return z.instant(w, loc)
}
