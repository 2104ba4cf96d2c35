package recurrence

import (
	"slices"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// masterStream yields the master's instances in ascending start order:
// DTSTART, every RRULE and RDATE instance, minus EXDATEs and instances
// replaced by overrides. Each instance costs one step.
type masterStream struct {
	obj    *object
	b      *budget
	rules  []*ruleIter
	heads  []time.Time // next instant of each rule; zero when exhausted
	rdates []rdate     // sorted, consumed from the front
	exKeys map[time.Time]bool
	exDays map[[3]int]bool // EXDATE;VALUE=DATE on a DATE-TIME master
	last   time.Time
	seeded bool
}

type rdate struct {
	start time.Time
	end   time.Time // zero: use the master's duration
}

// Instances starting before from may be skipped (zero: keep all);
// horizon is the end of the instants needed.
func (obj *object) masterStream(res *tz.Resolver, floating *time.Location, from, horizon time.Time, b *budget) (*masterStream, error) {
	return obj.masterStreamIn(nil, res, floating, from, horizon, b)
}

// streamScratch is memory an Expander reuses for one master stream after
// another.
type streamScratch struct {
	ms     masterStream
	iters  []ruleIter
	rules  []*ruleIter
	heads  []time.Time
	rdates []rdate
}

// masterStreamIn is masterStream using sc's memory (sc nil: new memory).
func (obj *object) masterStreamIn(sc *streamScratch, res *tz.Resolver, floating *time.Location, from, horizon time.Time, b *budget) (*masterStream, error) {
	if obj.master == nil {
		return nil, nil
	}
	var ms *masterStream
	if sc != nil {
		sc.ms = masterStream{obj: obj, b: b, rdates: sc.rdates[:0]}
		ms = &sc.ms
	} else {
		ms = &masterStream{obj: obj, b: b, rdates: make([]rdate, 0, 1)}
	}
	// DTSTART is always an instance, and comes first (RDATEs are sorted
	// after it).
	ms.rdates = append(ms.rdates, rdate{start: obj.span.start.Time})
	start := obj.span.start
	dateOnly := start.Kind == tz.Date
	for _, p := range obj.master.Props[ical.PropExceptionDates] {
		vs, err := parseDateList(&p, res, floating, obj.x)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if err := b.spend(1); err != nil {
				return nil, err
			}
			if v.Kind == tz.Date && !dateOnly {
				if ms.exDays == nil {
					ms.exDays = map[[3]int]bool{}
				}
				y, m, d := v.Time.Date()
				ms.exDays[[3]int{y, int(m), d}] = true
				continue
			}
			if ms.exKeys == nil {
				ms.exKeys = make(map[time.Time]bool)
			}
			ms.exKeys[Key(v)] = true
		}
	}
	for _, p := range obj.master.Props[ical.PropRecurrenceDates] {
		ps, err := ParsePeriodList(&p, res, floating)
		if err != nil {
			return nil, err
		}
		for _, x := range ps {
			if err := b.spend(1); err != nil {
				return nil, err
			}
			ms.rdates = append(ms.rdates, rdate{start: x.Start.Time, end: x.End})
		}
	}
	if rest := ms.rdates[1:]; len(rest) > 1 {
		slices.SortStableFunc(rest, func(a, b rdate) int { return a.start.Compare(b.start) })
	}
	if sc != nil {
		sc.rdates = ms.rdates[:0]
		if cap(sc.iters) < len(obj.rules) {
			sc.iters = make([]ruleIter, len(obj.rules))
		}
		ms.rules, ms.heads = sc.rules[:0], sc.heads[:0]
	}
	for i, r := range obj.rules {
		var into *ruleIter
		if sc != nil {
			into = &sc.iters[:len(obj.rules)][i]
		}
		it, err := newRuleIterIn(into, r, start.Time, dateOnly, from, horizon, b)
		if err != nil {
			return nil, err
		}
		if obj.x != nil {
			it.zones = &obj.x.memos
		}
		ms.rules = append(ms.rules, it)
		ms.heads = append(ms.heads, time.Time{})
	}
	if sc != nil {
		sc.rules, sc.heads = ms.rules[:0], ms.heads[:0]
	}
	return ms, nil
}

// next returns the next instance; ok is false when there is none left.
func (ms *masterStream) next() (Instance, bool, error) {
	if !ms.seeded {
		ms.seeded = true
		for i := range ms.rules {
			if err := ms.advance(i); err != nil {
				return Instance{}, false, err
			}
		}
	}
	for {
		// Pick the earliest of the rules' heads and the next RDATE.
		best, bestRule := time.Time{}, -1
		for i, h := range ms.heads {
			if !h.IsZero() && (best.IsZero() || h.Before(best)) {
				best, bestRule = h, i
			}
		}
		var end time.Time
		if len(ms.rdates) > 0 && (best.IsZero() || !ms.rdates[0].start.After(best)) {
			best, end, bestRule = ms.rdates[0].start, ms.rdates[0].end, -1
			ms.rdates = ms.rdates[1:]
		} else if bestRule >= 0 {
			if err := ms.advance(bestRule); err != nil {
				return Instance{}, false, err
			}
		}
		if best.IsZero() {
			return Instance{}, false, nil
		}
		if !ms.last.IsZero() && best.Equal(ms.last) {
			continue // the same instant from two sources
		}
		ms.last = best
		key := best.UTC()
		if ms.exKeys != nil && ms.exKeys[key] || ms.obj.isReplaced(key) {
			continue
		}
		if ms.exDays != nil {
			y, m, d := best.Date()
			if ms.exDays[[3]int{y, int(m), d}] {
				continue
			}
		}
		in := Instance{Start: best, End: end, RecurrenceID: key, AllDay: ms.obj.span.allDay, Component: ms.obj.master}
		if f := ms.obj.futureFor(key); f != nil {
			in.Start = best.Add(f.delta)
			if !end.IsZero() {
				in.End = end.Add(f.delta)
			} else {
				in.End = f.dur.AddTo(in.Start)
			}
			in.Component, in.Override = f.comp, true
		} else if end.IsZero() {
			in.End = ms.obj.span.end(best)
		}
		return in, true, nil
	}
}

func (ms *masterStream) advance(i int) error {
	t, ok, err := ms.rules[i].Next()
	if err != nil {
		return err
	}
	if !ok {
		t = time.Time{}
	}
	ms.heads[i] = t
	return nil
}
