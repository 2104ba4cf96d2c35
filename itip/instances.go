package itip

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// errUndecided is returned by instancesAddedOrMoved when the instance sets
// cannot be compared within the expansion limits.
var errUndecided = errors.New("itip: instance sets not comparable within limits")

// instancesAddedOrMoved reports whether newC (a master in newObj), compared
// with oldC (the same master in oldObj), adds recurrence instances or
// moves existing ones: the condition for a reschedule (RFC 6638 §3.2.8).
// A change of DTSTART, DTEND, DURATION or DUE always counts. A change of
// RRULE, RDATE or EXDATE counts only when the new recurrence set holds an
// instance the old one does not: shortening a series (COUNT=10 to
// COUNT=5, the "this and future" split), an equivalent UNTIL or an
// equivalent rewriting of the rule reschedules nobody.
//
// The sets are compared with the bounded expander over the span of both
// versions. An error wrapping errUndecided means the comparison is beyond
// the expansion limits (or both rules repeat forever with different
// frequencies or intervals, which no finite window proves equal); callers
// then fall back to the textual comparison of timesMoved.
func instancesAddedOrMoved(oldObj *Object, oldC *ical.Component, newObj *Object, newC *ical.Component) (bool, error) {
	a, b := recurTimingOf(oldObj, oldC), recurTimingOf(newObj, newC)
	if !a.valid || !b.valid {
		return false, errUndecided
	}
	if !a.start.Equal(b.start) || a.date != b.date || a.length != b.length || a.hasEnd != b.hasEnd {
		return true, nil
	}
	if !recurrenceChanged(a, b) && sameStartZone(oldC, newC) {
		return false, nil
	}
	if a.rrule == "" && b.rrule == "" {
		return timesMoved(a, b), nil // RDATE and EXDATE values only: exact already
	}
	ctx := context.Background()
	lim := recurrence.DefaultLimits()
	oldComps, newComps := []*ical.Component{oldC}, []*ical.Component{newC}
	firstA, _, unboundedA, err := recurrence.Bounds(ctx, oldComps, oldObj.resolver, oldObj.floating, lim)
	if err != nil {
		return false, errors.Join(errUndecided, err)
	}
	firstB, lastB, unboundedB, err := recurrence.Bounds(ctx, newComps, newObj.resolver, newObj.floating, lim)
	if err != nil {
		return false, errors.Join(errUndecided, err)
	}
	if firstB.IsZero() {
		return false, nil // the new version has no instance at all
	}
	from := firstA
	if firstA.IsZero() || firstB.Before(firstA) {
		from = firstB
	}
	var to time.Time
	switch {
	case unboundedB && !unboundedA:
		return true, nil // instances after the old last one
	case unboundedB:
		// Both repeat forever: a window shows equal sets only when the
		// rules share their period.
		if ruleCycle(a.rrule) != ruleCycle(b.rrule) {
			return false, errUndecided
		}
		to = from.Add(lim.MaxWindow)
	default:
		to = lastB.Add(time.Second)
	}
	if to.Sub(from) > lim.MaxWindow {
		return false, errUndecided
	}
	type span struct{ start, end time.Time }
	old := make(map[int64]span)
	err = recurrence.Expand(ctx, oldComps, oldObj.resolver, oldObj.floating, from, to, lim, func(in recurrence.Instance) bool {
		old[in.RecurrenceID.Unix()] = span{in.Start, in.End}
		return true
	})
	if err != nil {
		return false, errors.Join(errUndecided, err)
	}
	added := false
	err = recurrence.Expand(ctx, newComps, newObj.resolver, newObj.floating, from, to, lim, func(in recurrence.Instance) bool {
		s, ok := old[in.RecurrenceID.Unix()]
		if !ok || !s.start.Equal(in.Start) || !s.end.Equal(in.End) {
			added = true
			return false
		}
		return true
	})
	if err != nil {
		return false, errors.Join(errUndecided, err)
	}
	return added, nil
}

// recurrenceChanged reports whether the recurrence of b differs from a's
// in a way the textual comparison cannot rule out as harmless: another
// RRULE, an added RDATE or a removed EXDATE.
func recurrenceChanged(a, b recurTiming) bool {
	return a.rrule != b.rrule || !subset(b.rdates, a.rdates) || !subset(a.exdates, b.exdates)
}

// sameStartZone reports whether DTSTART carries the same TZID in both: the
// same instant in another zone repeats at other instants across DST.
func sameStartZone(a, b *ical.Component) bool {
	pa, pb := firstProp(a.Props, ical.PropDateTimeStart), firstProp(b.Props, ical.PropDateTimeStart)
	if pa == nil || pb == nil {
		return pa == pb
	}
	return pa.Params.Get(ical.ParamTimezoneID) == pb.Params.Get(ical.ParamTimezoneID)
}

// ruleCycle is the FREQ and INTERVAL of a normalized RRULE.
func ruleCycle(rrule string) string {
	freq, interval := "", "1"
	for _, part := range strings.Split(rrule, ";") {
		switch k, v, _ := strings.Cut(part, "="); k {
		case "FREQ":
			freq = v
		case "INTERVAL":
			interval = strings.TrimLeft(v, "0")
		}
	}
	return freq + "/" + interval
}

// rescheduled reports whether new component b reschedules old component
// a (RFC 6638 §3.2.8): instancesAddedOrMoved, or the textual comparison
// of timesMoved when the instance sets are beyond the limits.
func rescheduled(ao *Object, a *ical.Component, bo *Object, b *ical.Component) bool {
	moved, err := instancesAddedOrMoved(ao, a, bo, b)
	if err != nil {
		return timesMoved(recurTimingOf(ao, a), recurTimingOf(bo, b))
	}
	return moved
}

// isInstance reports whether master (in o) generates an instance whose
// original start is key. When the expansion is beyond the limits it
// answers true: the caller then treats key as it would any instance.
func isInstance(o *Object, master *ical.Component, key time.Time) bool {
	found := false
	err := recurrence.Expand(context.Background(), []*ical.Component{master}, o.resolver, o.floating,
		key, key.Add(time.Second), recurrence.DefaultLimits(), func(in recurrence.Instance) bool {
			found = in.RecurrenceID.Equal(key)
			return !found
		})
	return found || err != nil
}
