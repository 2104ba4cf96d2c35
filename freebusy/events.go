package freebusy

import (
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// object counts the events and stored busy time of one calendar object.
func (c *computation) object(ctx context.Context, index int, cal *ical.Calendar) error {
	var res *tz.Resolver
	resolver := func() *tz.Resolver {
		if res == nil {
			res = c.resolverFor(cal)
		}
		return res
	}
	var expandErr error
	expandGroup := func(comps []*ical.Component) {
		err := c.expander.Expand(ctx, comps, resolver(), c.loc, c.start, c.end, c.lim, c.yieldFn)
		if err == nil {
			return
		}
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			expandErr = err
			return
		}
		c.problem(false, index, propValue(comps[0], "UID"), err)
	}
	handled := false
	if run, adjacent := adjacentRun(cal.Children, ical.CompEvent); c.prefilter && adjacent && len(run) > 1 {
		var kept []*ical.Component
		if kept, handled = pruneSeries(&c.pruned, run, c.startUnix, c.endUnix); kept != nil {
			c.types = c.types[:0]
			expandGroup(kept)
		}
	}
	if !handled {
		eachGroup(cal.Children, ical.CompEvent, func(comps []*ical.Component) {
			if expandErr != nil || (c.prefilter && !mayOverlap(comps, c.startUnix, c.endUnix)) {
				return
			}
			if c.prefilter {
				kept := pruneOverridesInto(c.pruned[:0], comps, c.startUnix, c.endUnix)
				if len(kept) < len(comps) {
					// Shortened: kept is in c.pruned's memory or in a larger
					// new buffer worth keeping; never in the calendar's own.
					c.pruned = kept[:0]
				}
				comps = kept
			}
			c.types = c.types[:0]
			expandGroup(comps)
		})
	}
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

// resolverFor returns a resolver for the TZIDs of cal. A calendar without
// VTIMEZONE resolves every TZID as a calendar-less resolver does (tz
// consults the calendar only for its VTIMEZONEs), so such calendars share
// c's.
func (c *computation) resolverFor(cal *ical.Calendar) *tz.Resolver {
	for _, child := range cal.Children {
		if len(child.Name) == len(ical.CompTimezone) && strings.EqualFold(child.Name, ical.CompTimezone) {
			return tz.NewResolver(cal)
		}
	}
	if c.zoneless == nil {
		c.zoneless = tz.NewResolver(nil)
	}
	return c.zoneless
}

// yield counts one event instance.
func (c *computation) yield(in recurrence.Instance) bool {
	c.add(in.Start, in.End, c.instanceType(in.Component))
	return true
}

// componentBusyType caches the busy type of one component.
type componentBusyType struct {
	comp *ical.Component
	t    Type
}

// instanceType returns the busy type an instance of comp has for the user.
// It is computed once per component of the group being expanded; a group
// has one component per override, so the cache is a short list.
func (c *computation) instanceType(comp *ical.Component) Type {
	for _, ct := range c.types {
		if ct.comp == comp {
			return ct.t
		}
	}
	t := c.componentType(comp)
	if len(c.types) < maxCachedTypes {
		c.types = append(c.types, componentBusyType{comp, t})
	}
	return t
}

// maxCachedTypes bounds the list instanceType searches: an object with
// thousands of overrides computes the type of the others each time.
const maxCachedTypes = 16

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
	// Whether the user is the ORGANIZER matters only for an unanswered
	// PARTSTAT: it is read then, once.
	organizer, knowOrganizer := false, false
	var part Type
	attendees := comp.Props["ATTENDEE"]
	for i := range attendees {
		a := &attendees[i]
		if !c.hasUser(a.Value) {
			continue
		}
		var partstat string // Params.Get without upper-casing the name
		if vs := a.Params["PARTSTAT"]; len(vs) > 0 {
			partstat = vs[0]
		}
		if !knowOrganizer && unanswered(partstat) {
			if ps := comp.Props["ORGANIZER"]; len(ps) > 0 {
				organizer = c.hasUser(ps[0].Value)
			}
			knowOrganizer = true
		}
		pt := partstatType(partstat, organizer)
		if part == "" || pt.rank() > part.rank() {
			part = pt
		}
	}
	if part != "" && part.rank() < t.rank() {
		t = part
	}
	return t
}

// maxCachedAddresses bounds the addresses hasUser remembers.
const maxCachedAddresses = 4096

// hasUser reports whether addr is one of the user's addresses,
// remembering the answer: the same few addresses appear in most objects,
// and normalising one allocates.
func (c *computation) hasUser(addr string) bool {
	if is, ok := c.isUser[addr]; ok {
		return is
	}
	is := c.users.Has(addr)
	if c.isUser == nil {
		c.isUser = make(map[string]bool)
	}
	if len(c.isUser) < maxCachedAddresses {
		c.isUser[addr] = is
	}
	return is
}

// partstatType maps the user's participation status to a busy type. An
// unanswered PARTSTAT (NEEDS-ACTION, or none: RFC 5545's default) is
// BUSY-TENTATIVE for an invitee, but BUSY when the user is also the
// ORGANIZER: they are attending the event they organize, and clients such
// as python-caldav's save_with_invites list the organizer as a
// NEEDS-ACTION attendee (RFC 6638 §9.1 counts the organizer's events as
// busy).
func partstatType(partstat string, organizer bool) Type {
	switch {
	case organizer && unanswered(partstat):
		return Busy
	case unanswered(partstat), equalFoldTrim(partstat, "TENTATIVE"):
		return BusyTentative
	case equalFoldTrim(partstat, "DECLINED"), equalFoldTrim(partstat, "DELEGATED"):
		return Free
	default:
		return Busy
	}
}

// unanswered reports whether a PARTSTAT says the user has not answered:
// NEEDS-ACTION, or none (RFC 5545's default).
func unanswered(partstat string) bool {
	return partstat == "" || equalFoldTrim(partstat, "NEEDS-ACTION")
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
