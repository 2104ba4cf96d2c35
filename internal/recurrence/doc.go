// Package recurrence expands recurring iCalendar components (RFC 5545
// RRULE, RDATE, EXDATE and RECURRENCE-ID overrides) into instances,
// safely: every expansion is bounded by Limits (rule steps, instances,
// window length) and a context, so hostile or pathological rules such as
// FREQ=SECONDLY without end, COUNT=1000000000 or BY* lists that multiply to
// millions of candidates end quickly with an error matching ErrLimit
// instead of consuming the server.
//
// It is the single expansion used by iTIP processing, free-busy and the
// stores' time-range index, so that all of them agree on which instances
// exist and how they are keyed: an instance's key (Instance.RecurrenceID,
// Key) is the UTC instant of its original start, never the raw string.
//
// Typical use:
//
//	res := tz.NewResolver(cal)
//	err := recurrence.Expand(ctx, comps, res, time.UTC, from, to,
//		recurrence.Limits{}, func(in recurrence.Instance) bool {
//			fmt.Println(in.Start, in.End)
//			return true
//		})
//
// To expand many objects in a row (free-busy, an index rebuild), use one
// Expander per goroutine: it shares resolved zones, parsed rules and
// scratch memory between calls, with the same results as Expand.
//
// The most common rules, FREQ=DAILY or FREQ=WEEKLY with INTERVAL, COUNT or
// UNTIL, plain BYDAY weekdays and WKST and no other BY* part, are iterated
// by arithmetic on the wall clock: the first instance in the window and
// its index for COUNT are computed, not walked to. A component that
// occurs once (no RRULE, RDATE, EXDATE or overrides) is read without an
// iterator. Randomised tests prove both identical to the general path.
//
// All other rules are iterated with github.com/teambition/rrule-go, driven one
// step at a time on zone-free wall-clock readings. This package maps each
// reading to instants itself (RFC 5545 §3.3.5: a repeated local time means
// its first occurrence, a skipped one is taken with the offset before the
// gap), so a 09:00 weekly meeting stays at 09:00 local time across DST
// changes. For HOURLY, MINUTELY and SECONDLY rules a local time that occurs
// twice yields both instants and a gap never yields an instant twice, so an
// hourly rule neither duplicates nor loses an hour when clocks change.
//
// Work is bounded in four ways. (1) Before iterating, rules on which
// rrule-go would search without end inside one step are recognised and
// treated as producing nothing beyond DTSTART: impossible BY* combinations
// (BYMONTH=2;BYMONTHDAY=30), BYSETPOS beyond the set, times of day or
// weekdays the INTERVAL can never reach (FREQ=HOURLY;INTERVAL=24;BYHOUR=10
// from 09:00), and rules whose single period would hold more than 10 000
// candidates are refused with ErrLimit. (2) The search that remains is
// confined to about 400 years past the needed horizon by shifting the wall
// clock by whole 400-year Gregorian cycles, under which the calendar is
// identical. (3) A rule without COUNT skips ahead to the period, aligned
// to its INTERVAL, just before the window, so an event created in 1990 is
// not walked through 36 years (a simple rule skips ahead even with COUNT). (4) Every rule step, EXDATE and RDATE value
// counts against Limits.MaxSteps, yielded instances against MaxInstances,
// and the context is checked every 1024 steps. rrule-go panics (for
// example on year 0) are recovered into ErrInvalid.
//
// DTSTART is always an instance, and the first of a COUNT even when the
// rule itself would not produce it (RFC 5545 §3.3.10). EXDATE removes instances by instant (a
// DATE EXDATE on a DATE-TIME master removes that whole local day).
// Overrides (RECURRENCE-ID) replace the instance with the same key wherever
// they move it; RANGE=THISANDFUTURE ones also move and restyle every later
// instance. Helpers
// parse the list values go-ical does not: comma-separated EXDATE and RDATE
// (ParseDateList), RDATE;VALUE=PERIOD (ParsePeriodList) and DURATION
// (ParseDuration, ParseNominalDuration).
package recurrence
