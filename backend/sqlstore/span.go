package sqlstore

import (
	"database/sql"
	"strings"
	"time"
)

// Time-range candidates come from the index (calendar_id, span_class,
// first_ts, last_ts). Objects are classed by the length of their span
// last − first: an object of a class whose spans are at most b seconds
// can only overlap [start, end) when first >= start − b, so each class is
// a range scan bounded on both sides, however many objects lie before or
// after the range. A one-sided scan of "last >= start" would read every
// object that ends after start: half a calendar for a query about today.
const (
	// spanClasses is the number of classes of bounded objects whose span
	// has an upper bound (spanBound); class spanClasses holds longer ones.
	spanClasses = 6
	// spanLong: bounded, but longer than every bound (ten years).
	spanLong = spanClasses
	// spanOpen: a first occurrence but no last (an unbounded rule).
	spanOpen = 100
	// spanTimeless: no time at all; every range query returns it.
	spanTimeless = 101
)

// spanBound returns the longest span, in seconds, of class c < spanClasses.
func spanBound(c int) int64 {
	const day = 24 * 60 * 60
	switch c {
	case 0:
		return 60 * 60
	case 1:
		return day
	case 2:
		return 7 * day
	case 3:
		return 31 * day
	case 4:
		return 366 * day
	default:
		return 10 * 366 * day
	}
}

// spanClass returns the class of an object with the stored first and last
// seconds.
func spanClass(first, last sql.NullInt64) int {
	switch {
	case !first.Valid:
		return spanTimeless
	case !last.Valid:
		return spanOpen
	}
	span := last.Int64 - first.Int64
	for c := 0; c < spanClasses; c++ {
		if span <= spanBound(c) {
			return c
		}
	}
	return spanLong
}

// rangeQuery returns the SQL (with "?" placeholders) and arguments that
// select the ids of the candidates of calendar calID for [start, end); a
// zero start or end leaves that side open. Every branch is an index range
// scan of one class.
func rangeQuery(calID int64, start, end time.Time) (string, []any) {
	var (
		branches []string
		args     []any
	)
	const prefix = `SELECT id FROM objects WHERE calendar_id = ? AND span_class = ?`
	branches = append(branches, prefix)
	args = append(args, calID, spanTimeless)

	var s, e int64
	if !start.IsZero() {
		s = floorSeconds(start).Int64
	}
	if !end.IsZero() {
		e = ceilSeconds(end).Int64
	}
	open := prefix
	args = append(args, calID, spanOpen)
	if !end.IsZero() {
		open += ` AND first_ts < ?`
		args = append(args, e)
	}
	branches = append(branches, open)

	for c := 0; c <= spanLong; c++ {
		b := prefix
		args = append(args, calID, c)
		if !start.IsZero() {
			if c < spanClasses {
				b += ` AND first_ts >= ?`
				args = append(args, s-spanBound(c))
			}
			b += ` AND last_ts >= ?`
			args = append(args, s)
		}
		if !end.IsZero() {
			b += ` AND first_ts < ?`
			args = append(args, e)
		}
		branches = append(branches, b)
	}
	return strings.Join(branches, " UNION ALL "), args
}
