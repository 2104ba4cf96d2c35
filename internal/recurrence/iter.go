package recurrence

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/teambition/rrule-go"
)

// ctxEvery is how many steps pass between two context checks.
const ctxEvery = 1024

// maxPeriodCandidates caps the candidates rrule-go may materialise for one
// period of a rule (all of them are built inside a single iterator call):
// "every minute of every day" (1440 a day) or a yearly rule on every day
// at 24 hours (8784) pass; BY* lists multiplying to a million do not.
const maxPeriodCandidates = 10_000

// budget counts the steps of one object's expansion against MaxSteps and
// checks the context now and then.
type budget struct {
	ctx   context.Context
	steps int
	max   int
}

func (b *budget) spend(n int) error {
	before := b.steps
	b.steps += n
	if b.steps > b.max {
		return &LimitError{Which: "steps", Limit: int64(b.max)}
	}
	if before/ctxEvery != b.steps/ctxEvery {
		if err := b.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ruleIter yields the instants of one RRULE in ascending order. It drives
// rrule-go's iterator on zone-free wall-clock readings (see wallOf),
// shifted by whole 400-year cycles so that rrule-go's own search ends
// shortly after the horizon, and maps each reading to instants in loc.
type ruleIter struct {
	next     rrule.Next
	simple   simpleReadings // instead of next, when isSimple
	isSimple bool
	zone     zoneMemo   // for simple rules' readings, unless zones is set
	zones    *zoneMemos // an Expander's memos, shared with other objects
	shift    int        // years added to every reading given to rrule-go
	shiftSec int64      // the same shift in seconds (whole 400-year cycles)
	loc      *time.Location
	subDaily bool
	unitSecs int64 // INTERVAL in seconds for sub-daily rules
	b        *budget

	untilUTC time.Time // precise UNTIL for the UTC form; zero otherwise
	left     int       // instants still allowed by COUNT; 0 means no COUNT
	// dtstart, when checkStart, is compared with the rule's first
	// instant: RFC 5545 counts DTSTART as the first of COUNT occurrences
	// even when the rule does not produce it.
	dtstart    time.Time
	checkStart bool
	prevWall   time.Time
	pending    []time.Time // later occurrences of repeated wall-clock times
	peeked     time.Time
	hasPeek    bool
	last       time.Time
	done       bool
}

// newRuleIter prepares iteration of r from dtstart (a time in loc; for a
// DATE start, midnight in the floating location). Instances starting
// before from (zero: none) are not needed, so a rule without COUNT may
// skip ahead to it; horizon is an instant after which no instance is
// needed, and the iterator may stop soon after it. dateOnly says DTSTART
// is a DATE.
func newRuleIter(r *rule, dtstart time.Time, dateOnly bool, from, horizon time.Time, b *budget) (*ruleIter, error) {
	return newRuleIterIn(nil, r, dtstart, dateOnly, from, horizon, b)
}

// newRuleIterIn is newRuleIter building the iterator in it (nil: a new
// one), which is overwritten whole.
func newRuleIterIn(it *ruleIter, r *rule, dtstart time.Time, dateOnly bool, from, horizon time.Time, b *budget) (*ruleIter, error) {
	loc := dtstart.Location()
	// COUNT is applied here, to distinct instants, not by rrule-go to
	// wall-clock readings: a reading in a DST gap that maps onto the next
	// one must not use up an occurrence.
	if it == nil {
		it = new(ruleIter)
	}
	*it = ruleIter{loc: loc, b: b, left: r.count, dtstart: dtstart, checkStart: r.count > 0}
	if r.empty {
		it.done = true
		return it, nil
	}
	startWall := wallOf(dtstart)
	if r.isSimple {
		if startWall.Year() < 1 || startWall.Year() > 9999 {
			return nil, fmt.Errorf("%w: DTSTART year %d outside 1..9999", ErrInvalid, startWall.Year())
		}
		return it.startSimple(r, startWall, dateOnly, from), nil
	}
	if n := r.maxSetSize(); n > maxPeriodCandidates || n > b.max {
		return nil, &LimitError{Which: "rule", Limit: int64(min(maxPeriodCandidates, b.max))}
	}
	if startWall.Year() < minRuleYear || startWall.Year() > 9999 {
		return nil, fmt.Errorf("%w: DTSTART year %d outside %d..9999", ErrInvalid, startWall.Year(), minRuleYear)
	}
	o := r.opt
	it.subDaily = o.Freq >= rrule.HOURLY
	if it.subDaily {
		unit := int64(1)
		switch o.Freq {
		case rrule.HOURLY:
			unit = 3600
		case rrule.MINUTELY:
			unit = 60
		}
		it.unitSecs = unit * int64(o.Interval)
		if !r.reachable(startWall) {
			it.done = true
			return it, nil
		}
	}
	if !r.weekdayReachable(startWall) || !r.dayFiltersSatisfiable(startWall) {
		it.done = true
		return it, nil
	}

	untilWall := it.until(r, dateOnly)
	horizonWall := wallOf(horizon.In(loc)).AddDate(0, 0, 2)
	if !untilWall.IsZero() && untilWall.Before(horizonWall) {
		horizonWall = untilWall
	}
	if horizonWall.Before(startWall) {
		horizonWall = startWall
	}
	if !untilWall.IsZero() && untilWall.Before(startWall) {
		it.done = true
		return it, nil
	}
	iterStart := startWall
	if r.count == 0 && !from.IsZero() {
		if target := wallOf(from.In(loc)); target.After(startWall) {
			iterStart = fastForward(&o, startWall, target)
		}
	}
	it.shift = shiftYears(horizonWall.Year())
	it.shiftSec = int64(it.shift/probeYears) * secondsPer400Years
	o.Dtstart = iterStart.AddDate(it.shift, 0, 0)
	if !untilWall.IsZero() {
		o.Until = untilWall.AddDate(it.shift, 0, 0)
	}
	rr, err := safeNewRRule(o)
	if err != nil {
		return nil, err
	}
	it.next = rr.Iterator()
	it.prevWall = iterStart
	return it, nil
}

// until returns the last wall-clock reading r's UNTIL allows (zero: no
// UNTIL) and sets it.untilUTC for the UTC form.
func (it *ruleIter) until(r *rule, dateOnly bool) time.Time {
	switch r.untilKind {
	case untilUTC:
		it.untilUTC = r.untilUTC
		// Readings are wall clocks; give them a day of slack so no
		// reading is lost around a DST change, and compare instants here.
		return wallOf(r.untilUTC.In(it.loc)).AddDate(0, 0, 1)
	case untilFloating:
		return r.untilWall
	case untilDate:
		if !dateOnly {
			return r.untilWall.Add(24*time.Hour - time.Second) // the whole day
		}
		return r.untilWall
	}
	return time.Time{}
}

// startSimple prepares arithmetic iteration of a simple rule. Unlike
// rrule-go's walk, it skips ahead to from (unless zero) also for a COUNT
// rule: the index of the first instance kept is known, so the
// occurrences left are too.
func (it *ruleIter) startSimple(r *rule, startWall time.Time, dateOnly bool, from time.Time) *ruleIter {
	untilWall := it.until(r, dateOnly)
	if !untilWall.IsZero() && untilWall.Before(startWall) {
		it.done = true
		return it
	}
	it.simple, it.isSimple = newSimpleReadings(r.simple, startWall, untilWall), true
	sr := &it.simple
	it.prevWall = startWall
	if from.IsZero() {
		return it
	}
	target := wallOf(from.In(it.loc))
	if !target.After(startWall) {
		return it
	}
	skipped := sr.skipTo(floorDiv(target.Unix(), 86400))
	if skipped == 0 || r.count == 0 {
		return it
	}
	// Next counts DTSTART as the first occurrence when the rule does not
	// produce it; the first reading was skipped, so decide that here.
	left := int64(r.count) - skipped
	if !sr.startsWithDTSTART() {
		left--
	}
	it.checkStart = false
	if left <= 0 {
		it.done = true
		return it
	}
	it.left = int(left)
	return it
}

// safeNext calls an rrule-go iterator, turning a panic inside it (it
// indexes its tables without checks) into an error wrapping ErrInvalid.
func safeNext(next rrule.Next) (t time.Time, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, ok, err = time.Time{}, false, fmt.Errorf("%w: rrule-go failed: %v", ErrInvalid, r)
		}
	}()
	t, ok = next()
	return t, ok, nil
}

// safeNewRRule is rrule.NewRRule with panics turned into ErrInvalid.
func safeNewRRule(o rrule.ROption) (r *rrule.RRule, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w: rrule-go failed: %v", ErrInvalid, p)
		}
	}()
	r, err = rrule.NewRRule(o)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return r, nil
}

// secondsPer400Years is the length of one Gregorian cycle.
const secondsPer400Years = 146097 * 86400

// fetch reads the next wall-clock reading from rrule-go and maps it.
func (it *ruleIter) fetch() (time.Time, bool, error) {
	if it.isSimple {
		w, ok := it.simple.next()
		if err := it.b.spend(1); err != nil || !ok {
			return time.Time{}, false, err
		}
		if it.zones != nil {
			return it.zones.instant(w, it.loc), true, nil
		}
		return it.zone.instant(w, it.loc), true, nil
	}
	w, ok, err := safeNext(it.next)
	if err != nil {
		return time.Time{}, false, err
	}
	cost := 1
	if ok && it.subDaily {
		w0 := time.Unix(w.Unix()-it.shiftSec, 0).UTC()
		// rrule-go walks sub-daily rules one INTERVAL at a time (skipping
		// whole days whose date is filtered out): charge that walk, not
		// just the instance.
		el := int64(w0.Sub(it.prevWall) / time.Second)
		days := el / 86400
		n := el / it.unitSecs
		if lim := days + 86400/it.unitSecs + 1; n > lim {
			n = lim
		}
		if n > 1 {
			cost = int(min(n, int64(it.b.max)+1))
		}
	}
	if err := it.b.spend(cost); err != nil {
		return time.Time{}, false, err
	}
	if !ok {
		return time.Time{}, false, nil
	}
	w = time.Unix(w.Unix()-it.shiftSec, 0).UTC()
	it.prevWall = w
	first, second, twice := resolveWall(w, it.loc)
	if twice && it.subDaily {
		i := sort.Search(len(it.pending), func(i int) bool { return !it.pending[i].Before(second) })
		it.pending = append(it.pending, time.Time{})
		copy(it.pending[i+1:], it.pending[i:])
		it.pending[i] = second
	}
	return first, true, nil
}

// Next returns the next instant of the rule, ascending and without
// repeats; ok is false when the rule is exhausted.
func (it *ruleIter) Next() (t time.Time, ok bool, err error) {
	for {
		if !it.hasPeek && !it.done {
			t, ok, err := it.fetch()
			if err != nil {
				return time.Time{}, false, err
			}
			if !ok || (!it.untilUTC.IsZero() && t.After(it.untilUTC)) {
				it.done = true
			} else {
				it.peeked, it.hasPeek = t, true
			}
		}
		var out time.Time
		switch {
		case len(it.pending) > 0 && (!it.hasPeek || it.pending[0].Before(it.peeked)):
			out = it.pending[0]
			it.pending = it.pending[1:]
			if !it.untilUTC.IsZero() && out.After(it.untilUTC) {
				continue
			}
		case it.hasPeek:
			out = it.peeked
			it.hasPeek = false
		default:
			return time.Time{}, false, nil
		}
		if !it.last.IsZero() && !out.After(it.last) {
			continue // a gap reading mapped onto an instant already given
		}
		it.last = out
		if it.checkStart {
			it.checkStart = false
			if !out.Equal(it.dtstart) {
				// DTSTART (yielded by the caller) takes one of the COUNT.
				it.left--
				if it.left == 0 {
					it.done, it.hasPeek, it.pending = true, false, nil
					return time.Time{}, false, nil
				}
			}
		}
		if it.left > 0 {
			it.left--
			if it.left == 0 {
				it.done, it.hasPeek, it.pending = true, false, nil
			}
		}
		return out, true, nil
	}
}
