package recurrence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Instance is one occurrence of a calendar object.
type Instance struct {
	// Start and End bound the occurrence, in the zone of its DTSTART
	// (floating and DATE values in the floating location).
	Start, End time.Time
	// RecurrenceID is the UTC key of the instance: its original start (for
	// a non-recurring object, its start; for an override, its
	// RECURRENCE-ID).
	RecurrenceID time.Time
	// AllDay is true when the start is a DATE.
	AllDay bool
	// Component is the master, or the override that replaces this
	// instance. Callers decide what to do with STATUS:CANCELLED ones.
	Component *ical.Component
	// Override is true when Component carries a RECURRENCE-ID.
	Override bool
}

// Expand yields, in ascending start order, the occurrences of one object
// that overlap [start, end): comps are the components of one UID (a master
// with RRULE/RDATE/EXDATE plus RECURRENCE-ID overrides; there may be no
// master, only overrides). An instance overlaps when it starts before end
// and ends after start; one that lasts no time overlaps when start <= its
// start < end (RFC 4791 §9.9).
//
// Overrides replace the master's instance with the same RECURRENCE-ID and
// are tested against the window by their own DTSTART and end, so a moved
// instance appears where it was moved to. An override whose RECURRENCE-ID
// names no instance of the master is still yielded: it is a real
// component. An override with RECURRENCE-ID;RANGE=THISANDFUTURE also
// moves every later instance (not itself overridden) by the same amount,
// gives it the override's length and makes the override its Component
// (Override true, RecurrenceID still the instance's original start).
//
// res resolves TZIDs (see tz.NewResolver); floating gives DATE and
// floating values their zone and must not be nil. Expansion stops early
// when yield returns false. Errors: ErrLimit (a *LimitError) when lim is
// exceeded, ErrInvalid for malformed recurrence data, tz errors for bad
// dates, and ctx.Err() when ctx ends.
func Expand(ctx context.Context, comps []*ical.Component, res *tz.Resolver, floating *time.Location,
	start, end time.Time, lim Limits, yield func(Instance) bool) error {
	x := Expander{oneShot: true}
	return x.Expand(ctx, comps, res, floating, start, end, lim, yield)
}

// expand is Expand with the step budget supplied (tests read it back).
func expand(comps []*ical.Component, res *tz.Resolver, floating *time.Location,
	start, end time.Time, lim Limits, b *budget, yield func(Instance) bool) error {
	x := Expander{oneShot: true}
	return x.expand(comps, res, floating, start, end, lim, b, yield)
}

func (x *Expander) expand(comps []*ical.Component, res *tz.Resolver, floating *time.Location,
	start, end time.Time, lim Limits, b *budget, yield func(Instance) bool) error {
	if end.Before(start) {
		return fmt.Errorf("%w: window ends before it starts", ErrInvalid)
	}
	if end.Sub(start) > lim.MaxWindow {
		return &LimitError{Which: "window", Limit: int64(lim.MaxWindow)}
	}
	if len(comps) == 1 && comps[0] != nil && !x.general && isOneOff(comps[0]) {
		return x.expandOneOff(comps[0], res, floating, start, end, b, yield)
	}
	sc := x.takeScratch()
	defer x.releaseScratch(sc)
	var objMem *object
	var streamMem *streamScratch
	if sc != nil {
		objMem, streamMem = &sc.obj, &sc.stream
	}
	obj, err := x.prepareIn(objMem, comps, res, floating)
	if err != nil {
		return err
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	// Rule instances that start earlier than one instance's length before
	// the window cannot reach into it; three hours of slack cover local
	// clocks going back. RANGE=THISANDFUTURE overrides move instances by
	// their delta and change their length: widen by those too.
	minDelta, maxDelta, maxDur := time.Duration(0), time.Duration(0), obj.span.dur.Approx()
	for _, f := range obj.future {
		minDelta, maxDelta, maxDur = min(minDelta, f.delta), max(maxDelta, f.delta), max(maxDur, f.dur.Approx())
	}
	from := start.Add(-maxDelta - maxDur - 3*time.Hour)
	ms, err := obj.masterStreamIn(streamMem, res, floating, from, end.Add(-minDelta), b)
	if err != nil {
		return err
	}
	next := func() (Instance, bool, error) {
		if ms == nil {
			return Instance{}, false, nil
		}
		return ms.next()
	}
	if ms != nil && len(obj.future) > 0 {
		// Moved instances may come out of order: collect those in the
		// window (original starts up to end-minDelta), then sort.
		var buf []Instance
		for {
			in, ok, err := ms.next()
			if err != nil {
				return err
			}
			if !ok || !in.RecurrenceID.Before(end.Add(-minDelta)) {
				break
			}
			if overlaps(in.Start, in.End, start, end) {
				if len(buf) >= lim.MaxInstances {
					return &LimitError{Which: "instances", Limit: int64(lim.MaxInstances)}
				}
				buf = append(buf, in)
			}
		}
		sort.SliceStable(buf, func(i, j int) bool { return buf[i].Start.Before(buf[j].Start) })
		next = func() (Instance, bool, error) {
			if len(buf) == 0 {
				return Instance{}, false, nil
			}
			in := buf[0]
			buf = buf[1:]
			return in, true, nil
		}
	}
	yielded := 0
	emit := func(in Instance) (bool, error) {
		if !overlaps(in.Start, in.End, start, end) {
			return true, nil
		}
		if yielded >= lim.MaxInstances {
			return false, &LimitError{Which: "instances", Limit: int64(lim.MaxInstances)}
		}
		yielded++
		return yield(in), nil
	}
	ov := obj.overrides
	for done := false; ; {
		var in Instance
		if !done {
			var ok bool
			in, ok, err = next()
			if err != nil {
				return err
			}
			done = !ok || !in.Start.Before(end)
		}
		// Overrides that start before the master instance come first.
		for len(ov) > 0 && (done || ov[0].Start.Before(in.Start)) {
			cont, err := emit(ov[0])
			if err != nil || !cont {
				return err
			}
			ov = ov[1:]
		}
		if done {
			return nil
		}
		cont, err := emit(in)
		if err != nil || !cont {
			return err
		}
	}
}

// Bounds returns the start of the first and the end of the last occurrence
// of one object (overrides at the times they were moved to). unbounded is
// true when a rule repeats forever (no COUNT or UNTIL) or its instances
// reach year 9999; last is then only the latest end seen, to be ignored.
// An object that occupies no time returns zero times.
//
// A COUNT or UNTIL rule is walked to its end. When that takes more than
// lim.MaxSteps, Bounds returns what it found with unbounded set to true
// and an error matching ErrLimit, so that an index can still store the
// object as starting at first and never ending.
func Bounds(ctx context.Context, comps []*ical.Component, res *tz.Resolver, floating *time.Location, lim Limits) (first, last time.Time, unbounded bool, err error) {
	x := Expander{oneShot: true}
	return x.bounds(ctx, comps, res, floating, lim)
}

func (x *Expander) bounds(ctx context.Context, comps []*ical.Component, res *tz.Resolver, floating *time.Location, lim Limits) (first, last time.Time, unbounded bool, err error) {
	lim = lim.withDefaults()
	obj, err := x.prepare(comps, res, floating)
	if err != nil {
		return time.Time{}, time.Time{}, false, err
	}
	note := func(s, e time.Time) {
		if first.IsZero() || s.Before(first) {
			first = s
		}
		if last.IsZero() || e.After(last) {
			last = e
		}
	}
	for _, o := range obj.overrides {
		note(o.Start, o.End)
	}
	if obj.master == nil {
		return first, last, false, nil
	}
	for _, r := range obj.rules {
		if r.count == 0 && r.untilKind == untilNone && !r.empty {
			unbounded = true
		}
	}
	b := &budget{ctx: ctx, max: lim.MaxSteps}
	horizon := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	ms, err := obj.masterStream(res, floating, time.Time{}, horizon, b)
	if err != nil {
		return time.Time{}, time.Time{}, false, err
	}
	for {
		in, ok, err := ms.next()
		if errors.Is(err, ErrLimit) {
			return first, last, true, err
		}
		if err != nil {
			return time.Time{}, time.Time{}, false, err
		}
		if !ok {
			break
		}
		note(in.Start, in.End)
		if unbounded {
			break // only the first instance matters
		}
		if in.Start.Year() >= 9999 {
			unbounded = true
			break
		}
	}
	return first, last, unbounded, nil
}

func overlaps(s, e, ws, we time.Time) bool {
	if !e.After(s) {
		return !s.Before(ws) && s.Before(we)
	}
	return s.Before(we) && e.After(ws)
}

// object is one UID's components, parsed.
type object struct {
	master    *ical.Component
	span      span
	rules     []*rule
	overrides []Instance         // sorted by start
	x         *Expander          // that prepared it
	replaced  map[time.Time]bool // keys of overrides, once there are many
	ridKeys   []time.Time        // keys of overrides (UTC), in input order
	future    []futureRange      // RANGE=THISANDFUTURE overrides, sorted by key
}

// futureRange is an override with RANGE=THISANDFUTURE: every later
// instance of the master (not itself overridden) moves by delta, lasts
// dur and takes its properties from comp (RFC 5545 §3.8.4.4).
type futureRange struct {
	key   time.Time
	delta time.Duration
	dur   NominalDuration
	comp  *ical.Component
}

// fewOverrides is how many override keys are searched one by one before
// a map is built.
const fewOverrides = 16

// isReplaced reports whether an override has the key k (a UTC time, so
// that == compares instants).
func (obj *object) isReplaced(k time.Time) bool {
	if len(obj.ridKeys) > fewOverrides {
		return obj.replaced[k]
	}
	for _, r := range obj.ridKeys {
		if r == k {
			return true
		}
	}
	return false
}

func (obj *object) addReplaced(k time.Time) {
	obj.ridKeys = append(obj.ridKeys, k)
	if len(obj.ridKeys) <= fewOverrides {
		return
	}
	if obj.replaced == nil {
		obj.replaced = make(map[time.Time]bool)
	}
	if len(obj.replaced) == 0 {
		for _, r := range obj.ridKeys {
			obj.replaced[r] = true
		}
	}
	obj.replaced[k] = true
}

// futureFor returns the THISANDFUTURE override governing an instance with
// key k: the last one whose key is before k. It returns nil if none.
func (obj *object) futureFor(k time.Time) *futureRange {
	if len(obj.future) == 0 {
		return nil
	}
	i := sort.Search(len(obj.future), func(i int) bool { return !obj.future[i].key.Before(k) })
	if i == 0 {
		return nil
	}
	return &obj.future[i-1]
}

func (x *Expander) prepare(comps []*ical.Component, res *tz.Resolver, floating *time.Location) (*object, error) {
	return x.prepareIn(nil, comps, res, floating)
}

// prepareIn is prepare filling obj, which must be empty (nil: a new one).
func (x *Expander) prepareIn(obj *object, comps []*ical.Component, res *tz.Resolver, floating *time.Location) (*object, error) {
	if floating == nil {
		return nil, fmt.Errorf("%w: floating location is nil", ErrInvalid)
	}
	if res == nil {
		res = tz.NewResolver(nil)
	}
	if obj == nil {
		obj = &object{}
	}
	obj.x = x
	for _, c := range comps {
		if c == nil {
			continue
		}
		rid := firstProp(c, ical.PropRecurrenceID)
		if rid == nil {
			if obj.master != nil {
				return nil, fmt.Errorf("%w: more than one component without RECURRENCE-ID", ErrInvalid)
			}
			obj.master = c
			continue
		}
		rv, err := x.parse(rid, res, floating)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ical.PropRecurrenceID, err)
		}
		key := Key(rv)
		if obj.isReplaced(key) {
			return nil, fmt.Errorf("%w: two overrides for RECURRENCE-ID %s", ErrInvalid, rid.Value)
		}
		obj.addReplaced(key)
		sp, ok, err := x.componentSpan(c, res, floating)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		obj.overrides = append(obj.overrides, Instance{
			Start: sp.start.Time, End: sp.end(sp.start.Time), RecurrenceID: key,
			AllDay: sp.allDay, Component: c, Override: true,
		})
		if strings.EqualFold(param(rid, ical.ParamRange), "THISANDFUTURE") {
			obj.future = append(obj.future, futureRange{key: key, delta: sp.start.Time.Sub(rv.Time), dur: sp.dur, comp: c})
		}
	}
	if len(obj.overrides) > 1 {
		slices.SortStableFunc(obj.overrides, func(a, b Instance) int { return a.Start.Compare(b.Start) })
	}
	if len(obj.future) > 1 {
		slices.SortFunc(obj.future, func(a, b futureRange) int { return a.key.Compare(b.key) })
	}
	if obj.master != nil {
		sp, ok, err := x.componentSpan(obj.master, res, floating)
		if err != nil {
			return nil, err
		}
		if !ok {
			obj.master = nil
			return obj, nil
		}
		obj.span = sp
		if sp.due {
			return obj, nil // RRULE needs DTSTART (RFC 5545 §3.8.5.3)
		}
		for _, p := range obj.master.Props[ical.PropRecurrenceRule] {
			r, err := x.rule(p.Value)
			if err != nil {
				return nil, err
			}
			obj.rules = append(obj.rules, r)
		}
	}
	return obj, nil
}

// isOneOff reports whether c is a whole object on its own that occurs
// once: no RECURRENCE-ID, RRULE, RDATE or EXDATE.
func isOneOff(c *ical.Component) bool {
	// RRULE first: a recurring master is told apart with one lookup.
	return len(c.Props[ical.PropRecurrenceRule]) == 0 && len(c.Props[ical.PropRecurrenceID]) == 0 &&
		len(c.Props[ical.PropRecurrenceDates]) == 0 && len(c.Props[ical.PropExceptionDates]) == 0
}

// expandOneOff is expand for a single component that occurs once: its
// span is read and yielded if it overlaps the window, with no iterator.
func (x *Expander) expandOneOff(c *ical.Component, res *tz.Resolver, floating *time.Location,
	start, end time.Time, b *budget, yield func(Instance) bool) error {
	if floating == nil {
		return fmt.Errorf("%w: floating location is nil", ErrInvalid)
	}
	if res == nil {
		res = tz.NewResolver(nil)
	}
	sp, ok, err := x.componentSpan(c, res, floating)
	if err != nil {
		return err
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	s := sp.start.Time
	in := Instance{Start: s, End: sp.end(s), RecurrenceID: s.UTC(), AllDay: sp.allDay, Component: c}
	if overlaps(in.Start, in.End, start, end) {
		yield(in)
	}
	return nil
}
