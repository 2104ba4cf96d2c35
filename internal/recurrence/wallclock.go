package recurrence

import (
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
