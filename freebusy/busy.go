package freebusy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Compute computes the busy time of one calendar user within [q.Start, q.End)
// from their calendar objects and their availability.
//
// Every VEVENT instance (RRULE, RDATE, EXDATE and RECURRENCE-ID overrides
// expanded by internal/recurrence) that overlaps the range counts, typed
// per instance:
//   - TRANSP:TRANSPARENT or STATUS:CANCELLED: free (left out);
//   - the user is an ATTENDEE with PARTSTAT DECLINED or DELEGATED: free;
//   - STATUS:TENTATIVE, or the user's PARTSTAT is NEEDS-ACTION (also when
//     absent, RFC 5545's default, unless the user is the ORGANIZER) or
//     TENTATIVE: BUSY-TENTATIVE;
//   - otherwise BUSY.
//
// FREEBUSY properties of stored VFREEBUSY components count with their
// FBTYPE. Objects with Transparent set are skipped. Time outside the
// AVAILABLE blocks of q.Availability is busy as its VAVAILABILITY says (see
// availability.go for the rules).
//
// An object that cannot be read fully (a bad TZID, a malformed date, a
// recurrence limit) does not fail the answer: what could be read of it
// counts, and it is listed in Result.Problems. Compute fails only for an
// invalid query (ErrInvalidQuery) or when ctx is done.
func Compute(ctx context.Context, q Query, objects []Object) (*Result, error) {
	if q.Start.IsZero() || q.End.IsZero() {
		return nil, fmt.Errorf("%w: start and end are required", ErrInvalidQuery)
	}
	if !q.End.After(q.Start) {
		return nil, fmt.Errorf("%w: end %s is not after start %s", ErrInvalidQuery, q.End.UTC().Format(time.RFC3339), q.Start.UTC().Format(time.RFC3339))
	}
	lim := q.limits()
	if lim.MaxWindow > 0 && q.End.Sub(q.Start) > lim.MaxWindow {
		return nil, fmt.Errorf("%w: range of %s is longer than the limit of %s", ErrInvalidQuery, q.End.Sub(q.Start), lim.MaxWindow)
	}
	c := &computation{
		q:     q,
		lim:   lim,
		loc:   q.location(),
		start: q.Start,
		end:   q.End,
		users: caladdr.NewSet(q.Addresses...),
		types: make(map[*ical.Component]Type),
	}
	c.startUnix, c.endUnix = q.Start.Unix(), q.End.Unix()
	for i, obj := range objects {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if obj.Transparent || obj.Calendar == nil || obj.Calendar.Component == nil {
			continue
		}
		if err := c.object(ctx, i, obj.Calendar); err != nil {
			return nil, err
		}
	}
	if err := c.availability(ctx); err != nil {
		return nil, err
	}
	return &Result{Periods: Merge(c.periods), Problems: c.problems}, nil
}

// computation holds the state of one Compute call.
type computation struct {
	q                  Query
	lim                recurrence.Limits
	loc                *time.Location
	start, end         time.Time
	startUnix, endUnix int64
	users              caladdr.Set
	types              map[*ical.Component]Type
	periods            []Period
	problems           []*ObjectError
}

func (c *computation) problem(availability bool, index int, uid string, err error) {
	c.problems = append(c.problems, &ObjectError{Availability: availability, Index: index, UID: uid, Err: err})
}

// add records [start, end) as busy with type t, clipped to the range.
func (c *computation) add(start, end time.Time, t Type) {
	if t == Free {
		return
	}
	if start.Before(c.start) {
		start = c.start
	}
	if end.After(c.end) {
		end = c.end
	}
	if end.After(start) {
		c.periods = append(c.periods, Period{Start: start, End: end, Type: t})
	}
}

// object counts the events and stored busy time of one calendar object.
func (c *computation) object(ctx context.Context, index int, cal *ical.Calendar) error {
	var res *tz.Resolver
	resolver := func() *tz.Resolver {
		if res == nil {
			res = tz.NewResolver(cal)
		}
		return res
	}
	var expandErr error
	eachGroup(cal.Children, ical.CompEvent, func(uid string, comps []*ical.Component) {
		if expandErr != nil || !mayOverlap(comps, c.startUnix, c.endUnix) {
			return
		}
		err := recurrence.Expand(ctx, comps, resolver(), c.loc, c.start, c.end, c.lim, c.yield)
		if err == nil {
			return
		}
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			expandErr = err
			return
		}
		c.problem(false, index, uid, err)
	})
	if expandErr != nil {
		return expandErr
	}
	for _, child := range cal.Children {
		if child.Name == ical.CompFreeBusy {
			if err := c.storedFreeBusy(child, resolver()); err != nil {
				c.problem(false, index, propValue(child, "UID"), err)
			}
		}
	}
	return nil
}

// yield counts one event instance.
func (c *computation) yield(in recurrence.Instance) bool {
	c.add(in.Start, in.End, c.instanceType(in.Component))
	return true
}

// instanceType returns the busy type an instance of comp has for the user.
// It is computed once per component.
func (c *computation) instanceType(comp *ical.Component) Type {
	if t, ok := c.types[comp]; ok {
		return t
	}
	t := c.componentType(comp)
	c.types[comp] = t
	return t
}

func (c *computation) componentType(comp *ical.Component) Type {
	if equalFoldTrim(propValue(comp, "TRANSP"), "TRANSPARENT") {
		return Free
	}
	t := Busy
	switch status := propValue(comp, "STATUS"); {
	case equalFoldTrim(status, "CANCELLED"):
		return Free
	case equalFoldTrim(status, "TENTATIVE"):
		t = BusyTentative
	}
	if len(c.users) == 0 {
		return t
	}
	organizer := false
	if ps := comp.Props["ORGANIZER"]; len(ps) > 0 {
		organizer = c.users.Has(ps[0].Value)
	}
	var part Type
	for i := range comp.Props["ATTENDEE"] {
		a := &comp.Props["ATTENDEE"][i]
		if !c.users.Has(a.Value) {
			continue
		}
		pt := partstatType(a.Params.Get("PARTSTAT"), organizer)
		if part == "" || pt.rank() > part.rank() {
			part = pt
		}
	}
	if part != "" && part.rank() < t.rank() {
		t = part
	}
	return t
}

// partstatType maps the user's participation status to a busy type.
func partstatType(partstat string, organizer bool) Type {
	switch {
	case partstat == "" && organizer:
		return Busy
	case partstat == "", equalFoldTrim(partstat, "NEEDS-ACTION"), equalFoldTrim(partstat, "TENTATIVE"):
		return BusyTentative
	case equalFoldTrim(partstat, "DECLINED"), equalFoldTrim(partstat, "DELEGATED"):
		return Free
	default:
		return Busy
	}
}

// storedFreeBusy counts the FREEBUSY properties of a stored VFREEBUSY.
func (c *computation) storedFreeBusy(comp *ical.Component, res *tz.Resolver) error {
	var errs []error
	for i := range comp.Props["FREEBUSY"] {
		p := &comp.Props["FREEBUSY"][i]
		periods, err := freeBusyPeriods(p, res, c.loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t := ParseType(p.Params.Get("FBTYPE"))
		for _, x := range periods {
			c.add(x.Start.Time, x.End, t)
		}
	}
	return errors.Join(errs...)
}
