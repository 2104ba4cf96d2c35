package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// MatchQuery reports whether a calendar object matches a calendar-query
// filter (RFC 4791 §9.7). It is what CalDAV.QueryCalendarObjects applies
// to the candidates a store returns, and differs from go-webdav's
// caldav.Match in ways that matter on a server:
//
//   - A time range on a component is decided on the object's occurrences
//     with the shared recurrence expander, within its step and instance
//     limits and ctx; an object too costly to expand counts as matching.
//     Each component is judged by the occurrences it produces, so the
//     master and its overrides match separately. Floating and DATE times
//     are read as UTC. Time ranges below the top-level components (on a
//     VALARM, say) are not evaluated and count as matching.
//   - A property filter matches when any instance of the property does,
//     and text-match compares case-insensitively (the i;ascii-casemap
//     collation, RFC 4791's default) against the unescaped text.
//   - A VTODO without DTSTART or DUE overlaps every time range.
//
// Errors are ctx's and those of malformed recurrence data.
func MatchQuery(ctx context.Context, filter caldav.CompFilter, cal *ical.Calendar) (bool, error) {
	if cal == nil || cal.Component == nil {
		return false, nil
	}
	m := &matcher{ctx: ctx, cal: cal, res: tz.NewResolver(cal), ranges: map[rangeKey]map[*ical.Component]bool{}}
	if !strings.EqualFold(filter.Name, cal.Name) {
		return filter.IsNotDefined, nil
	}
	if filter.IsNotDefined {
		return false, nil
	}
	return m.comp(filter, cal.Component, 0)
}

type rangeKey struct {
	comp       string
	start, end time.Time
}

type matcher struct {
	ctx context.Context
	cal *ical.Calendar
	res *tz.Resolver
	// ranges caches, per top-level component type and window, the
	// components that have an occurrence in the window.
	ranges map[rangeKey]map[*ical.Component]bool
}

// comp reports whether c (at depth 0 for VCALENDAR) satisfies f's time
// range, property filters and component filters.
func (m *matcher) comp(f caldav.CompFilter, c *ical.Component, depth int) (bool, error) {
	if !f.Start.IsZero() || !f.End.IsZero() {
		ok, err := m.inRange(c, depth, f.Start, f.End)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, pf := range f.Props {
		if !m.prop(pf, c) {
			return false, nil
		}
	}
	for _, cf := range f.Comps {
		found, matched := false, false
		for _, child := range c.Children {
			if !strings.EqualFold(child.Name, cf.Name) {
				continue
			}
			found = true
			if cf.IsNotDefined {
				break
			}
			ok, err := m.comp(cf, child, depth+1)
			if err != nil {
				return false, err
			}
			if ok {
				matched = true
				break
			}
		}
		if cf.IsNotDefined && found || !cf.IsNotDefined && !matched {
			return false, nil
		}
	}
	return true, nil
}

// inRange reports whether component c, at depth, has an occurrence
// overlapping [start, end).
func (m *matcher) inRange(c *ical.Component, depth int, start, end time.Time) (bool, error) {
	if depth != 1 {
		return true, nil // VCALENDAR itself, or a VALARM: not evaluated
	}
	name := strings.ToUpper(c.Name)
	if name == ical.CompToDo && c.Props.Get(ical.PropDateTimeStart) == nil && c.Props.Get(ical.PropDue) == nil {
		return true, nil
	}
	lim := recurrence.DefaultLimits()
	switch {
	case start.IsZero() && end.IsZero():
		return true, nil
	case end.IsZero() || end.Sub(start) > lim.MaxWindow && !start.IsZero():
		end = start.Add(lim.MaxWindow)
	case start.IsZero():
		start = end.Add(-lim.MaxWindow)
	}
	key := rangeKey{name, start, end}
	set, ok := m.ranges[key]
	if !ok {
		var comps []*ical.Component
		for _, sib := range m.cal.Children {
			if strings.EqualFold(sib.Name, name) {
				comps = append(comps, sib)
			}
		}
		set = map[*ical.Component]bool{}
		err := recurrence.Expand(m.ctx, comps, m.res, time.UTC, start.UTC(), end.UTC(), lim, func(in recurrence.Instance) bool {
			set[in.Component] = true
			return len(set) < len(comps)
		})
		switch {
		case err == nil:
		case m.ctx.Err() != nil:
			return false, m.ctx.Err()
		case errors.Is(err, recurrence.ErrLimit):
			for _, sib := range comps {
				set[sib] = true // too costly to decide: keep it
			}
		default:
			return false, fmt.Errorf("backend: time-range on %s: %w", name, err)
		}
		m.ranges[key] = set
	}
	return set[c], nil
}

// prop reports whether some property of c named pf.Name satisfies pf.
func (m *matcher) prop(pf caldav.PropFilter, c *ical.Component) bool {
	props := c.Props.Values(pf.Name)
	if len(props) == 0 {
		return pf.IsNotDefined
	}
	if pf.IsNotDefined {
		return false
	}
	for i := range props {
		if m.propMatches(pf, &props[i]) {
			return true
		}
	}
	return false
}

func (m *matcher) propMatches(pf caldav.PropFilter, p *ical.Prop) bool {
	if !pf.Start.IsZero() || !pf.End.IsZero() {
		v, err := m.res.Parse(p, time.UTC)
		if err != nil {
			return false
		}
		if v.Time.Before(pf.Start) || !pf.End.IsZero() && !v.Time.Before(pf.End) {
			return false
		}
	} else if pf.TextMatch != nil && !textMatches(*pf.TextMatch, p.Value) {
		return false
	}
	for _, prm := range pf.ParamFilter {
		values := p.Params.Values(prm.Name)
		if len(values) == 0 {
			if !prm.IsNotDefined {
				return false
			}
			continue
		}
		if prm.IsNotDefined {
			return false
		}
		if prm.TextMatch == nil {
			continue
		}
		found := false
		for _, v := range values {
			if textMatches(*prm.TextMatch, v) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// textMatches applies a text-match with the i;ascii-casemap collation to
// an iCalendar value, unescaping TEXT escapes first.
func textMatches(tm caldav.TextMatch, value string) bool {
	ok := strings.Contains(asciiLower(unescapeText(value)), asciiLower(tm.Text))
	return ok != tm.NegateCondition
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

var textUnescaper = strings.NewReplacer(`\\`, `\`, `\,`, `,`, `\;`, `;`, `\n`, "\n", `\N`, "\n")

func unescapeText(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	return textUnescaper.Replace(v)
}
