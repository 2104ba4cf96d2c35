package freebusy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// ComponentAvailability is the name of RFC 7953's VAVAILABILITY
// component (go-ical does not name it). Objects whose component it is
// belong in Query.Availability, not among Compute's objects.
const ComponentAvailability = "VAVAILABILITY"

// Component and property names of RFC 7953.
const (
	compAvailability = ComponentAvailability
	compAvailable    = "AVAILABLE"
	propBusyType     = "BUSYTYPE"
)

// maxAvailabilityComponents bounds the VAVAILABILITY components one query
// reads; those beyond it are reported as problems and ignored. Combining
// layers costs time proportional to their number times their free time.
const maxAvailabilityComponents = 1000

// lowestPriority is the rank of PRIORITY:0 (undefined) and of a missing or
// malformed PRIORITY: below 9, the lowest defined priority.
const lowestPriority = 10

// availabilityLayer is one VAVAILABILITY component within the query range.
type availabilityLayer struct {
	priority int    // 1 (highest) … 10 (PRIORITY 0 or none)
	busyType Type   // BUSYTYPE, BUSY-UNAVAILABLE by default
	bounds   span   // DTSTART to DTEND, clipped to the query range
	free     []span // its AVAILABLE instances, clipped to bounds
}

// availability adds the busy time implied by the user's VAVAILABILITY
// components (RFC 7953 §4):
//
//   - A VAVAILABILITY covers DTSTART to DTEND (or DTSTART plus DURATION);
//     without DTSTART it starts at the beginning of time, without an end
//     it lasts forever. Within that span, time not covered by one of its
//     AVAILABLE components (each expanded with RRULE, RDATE, EXDATE and
//     RECURRENCE-ID like an event) is busy with its BUSYTYPE, by default
//     BUSY-UNAVAILABLE.
//   - Where components overlap, the one with the higher PRIORITY decides
//     (1 is highest, 9 lowest, 0 or none below 9): time it covers is not
//     affected by components of lower priority.
//   - Components of equal priority are combined: time covered by one of
//     them is free if any of them has an AVAILABLE block there, else busy
//     with each covering component's BUSYTYPE.
//
// Busy time from availability is reported alongside busy time from events;
// periods of different types may overlap.
func (c *computation) availability(ctx context.Context) error {
	var layers []*availabilityLayer
	count := 0
	for i, cal := range c.q.Availability {
		if cal == nil || cal.Component == nil {
			continue
		}
		res := tz.NewResolver(cal)
		for _, comp := range cal.Children {
			if comp.Name != compAvailability {
				continue
			}
			if count >= maxAvailabilityComponents {
				c.problem(true, i, propValue(comp, "UID"), &recurrence.LimitError{Which: "VAVAILABILITY components", Limit: maxAvailabilityComponents})
				continue
			}
			count++
			layer, err := c.availabilityLayer(ctx, comp, res)
			if err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
					return err
				}
				c.problem(true, i, propValue(comp, "UID"), err)
			}
			if layer != nil {
				layers = append(layers, layer)
			}
		}
	}
	c.overlay(layers)
	return nil
}

// availabilityLayer reads one VAVAILABILITY. It returns nil when the
// component does not reach into the query range. A problem with one of its
// AVAILABLE components is returned together with the layer, which then
// holds the other components' free time; a problem with the component's
// own bounds drops it (its extent is unknown).
func (c *computation) availabilityLayer(ctx context.Context, comp *ical.Component, res *tz.Resolver) (*availabilityLayer, error) {
	layer := &availabilityLayer{
		priority: lowestPriority,
		busyType: BusyUnavailable,
	}
	if bt := comp.Props[propBusyType]; len(bt) > 0 && strings.TrimSpace(bt[0].Value) != "" {
		layer.busyType = ParseType(bt[0].Value)
	}
	if p := comp.Props["PRIORITY"]; len(p) > 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(p[0].Value)); err == nil && n >= 1 && n <= 9 {
			layer.priority = n
		}
	}
	bounds, err := c.availabilityBounds(comp, res)
	if err != nil {
		return nil, err
	}
	var ok bool
	if layer.bounds, ok = clip(bounds, c.start, c.end); !ok {
		return nil, nil
	}
	var errs []error
	for _, g := range groupComponents(comp.Children, compAvailable) {
		err := recurrence.Expand(ctx, g.comps, res, c.loc, layer.bounds.start, layer.bounds.end, c.lim, func(in recurrence.Instance) bool {
			if s, ok := clip(span{in.Start, in.End}, layer.bounds.start, layer.bounds.end); ok {
				layer.free = append(layer.free, s)
			}
			return true
		})
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return nil, err
			}
			errs = append(errs, fmt.Errorf("AVAILABLE %q: %w", g.uid, err))
		}
	}
	layer.free = normalize(layer.free)
	return layer, errors.Join(errs...)
}

// availabilityBounds returns the span a VAVAILABILITY covers; open ends
// are the query range's ends.
func (c *computation) availabilityBounds(comp *ical.Component, res *tz.Resolver) (span, error) {
	b := span{c.start, c.end}
	hasStart := false
	if p := comp.Props["DTSTART"]; len(p) > 0 {
		v, err := res.Parse(&p[0], c.loc)
		if err != nil {
			return b, fmt.Errorf("DTSTART: %w", err)
		}
		b.start, hasStart = v.Time, true
	}
	if p := comp.Props["DTEND"]; len(p) > 0 {
		v, err := res.Parse(&p[0], c.loc)
		if err != nil {
			return b, fmt.Errorf("DTEND: %w", err)
		}
		b.end = v.Time
	} else if p := comp.Props["DURATION"]; len(p) > 0 {
		if !hasStart {
			return b, fmt.Errorf("%w: VAVAILABILITY has DURATION without DTSTART", recurrence.ErrInvalid)
		}
		d, err := recurrence.ParseNominalDuration(p[0].Value)
		if err != nil {
			return b, fmt.Errorf("DURATION: %w", err)
		}
		b.end = d.AddTo(b.start)
	}
	return b, nil
}

// overlay turns the layers into busy periods, highest priority first: each
// priority level decides the time it covers that no higher level covered.
func (c *computation) overlay(layers []*availabilityLayer) {
	slices.SortStableFunc(layers, func(a, b *availabilityLayer) int { return a.priority - b.priority })
	var decided []span
	for i := 0; i < len(layers); {
		j := i
		var free, covered []span
		for ; j < len(layers) && layers[j].priority == layers[i].priority; j++ {
			free = append(free, layers[j].free...)
			covered = append(covered, layers[j].bounds)
		}
		free = normalize(free)
		for _, l := range layers[i:j] {
			busy := subtract(subtract([]span{l.bounds}, free), decided)
			for _, s := range busy {
				c.add(s.start, s.end, l.busyType)
			}
		}
		decided = normalize(append(decided, covered...))
		i = j
	}
}
