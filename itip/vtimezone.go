package itip

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// RFC 5545 §3.6.5 wants a VTIMEZONE for every TZID an object uses, but
// CalDAV servers may accept objects without them (RFC 7809) and many
// clients send "TZID=Europe/Berlin" alone. A message leaves the server for
// clients that may not know IANA names, so the organizer's messages carry
// a generated VTIMEZONE for every TZID they reference that the object does
// not define itself.

// vtzHorizon is how far past the latest referenced instant (or now, if
// later) a VTIMEZONE covers a rule without UNTIL. Rules still followed at
// the end of the range are written without UNTIL, so they carry on.
const vtzHorizon = 2 // years

// maxGeneratedVTimezones bounds the VTIMEZONEs one Plan call generates:
// each distinct IANA or Windows TZID of the object costs one.
const maxGeneratedVTimezones = 16

// vtzEarliest is the earliest instant a generated VTIMEZONE covers: older
// values are taken as this one (the embedded zones are exact from 1800).
var vtzEarliest = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)

// vtzSupply generates the missing VTIMEZONEs of one Plan call, once per
// TZID, so that all its messages share the same component.
type vtzSupply struct {
	now       time.Time
	scope     [2]*Object          // old and new version (nil when absent): the ranges cover both
	scoped    bool                // setScope was called
	spans     map[string]*vtzSpan // TZID → instants referenced
	generated map[string]*ical.Component
	resolver  *tz.Resolver // without a calendar: IANA and Windows names only
	cache     tz.VTimezoneCache
}

// vtzSpan is the range of instants written with one TZID.
type vtzSpan struct{ from, to time.Time }

func (s *vtzSpan) add(t time.Time) {
	if s.from.IsZero() || t.Before(s.from) {
		s.from = t
	}
	if s.to.IsZero() || t.After(s.to) {
		s.to = t
	}
}

// setScope names the versions of the object the messages are built from,
// either of which may be nil, and the time of the plan; the first call
// wins.
func (s *vtzSupply) setScope(now time.Time, old, new *Object) {
	if !s.scoped {
		s.now, s.scope, s.scoped = now.UTC(), [2]*Object{old, new}, true
	}
}

// finishMessage is finishMessage with a generated VTIMEZONE for each TZID
// the components reference that tzsrc defines no VTIMEZONE for and that
// names an IANA (or Windows) zone. A TZID that resolves neither way is
// left as it is.
func (s *vtzSupply) finishMessage(cal *ical.Calendar, tzsrc []*Object, comps []*ical.Component) {
	ids := finishMessage(cal, tzsrc, comps)
	if len(ids) == 0 {
		return
	}
	n := 0 // the leading VTIMEZONEs finishMessage put in
	for n < len(cal.Children) && cal.Children[n].Name == ical.CompTimezone {
		n++
	}
	have := make(map[string]bool, n)
	for _, c := range cal.Children[:n] {
		have[propValue(c, ical.PropTimezoneID)] = true
	}
	// Past the limit, the zones of the start, end and instance keys matter
	// most: sort them first, each part by name for a stable order.
	primary := map[string]bool{}
	for _, c := range comps {
		for _, name := range [...]string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue, ical.PropRecurrenceID} {
			if p := firstProp(c.Props, name); p != nil {
				primary[p.Params.Get(ical.ParamTimezoneID)] = true
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if primary[ids[i]] != primary[ids[j]] {
			return primary[ids[i]]
		}
		return ids[i] < ids[j]
	})
	var add []*ical.Component
	for _, id := range ids {
		if !have[id] {
			if vtz := s.vtimezone(id); vtz != nil {
				add = append(add, vtz)
			}
		}
	}
	cal.Children = slices.Insert(cal.Children, n, add...)
}

// vtimezone returns the generated VTIMEZONE for tzid, or nil when tzid is
// no IANA or Windows zone or the limit of generated zones is reached.
func (s *vtzSupply) vtimezone(tzid string) *ical.Component {
	if vtz, ok := s.generated[tzid]; ok {
		return vtz
	}
	if s.generated == nil {
		s.generated = make(map[string]*ical.Component)
		s.resolver = tz.NewResolver(nil)
	}
	var vtz *ical.Component
	if len(s.generated) < maxGeneratedVTimezones {
		vtz = s.generate(tzid)
	}
	s.generated[tzid] = vtz
	return vtz
}

func (s *vtzSupply) generate(tzid string) *ical.Component {
	loc, err := s.resolver.Location(tzid)
	if err != nil {
		return nil
	}
	if s.spans == nil {
		s.spans = make(map[string]*vtzSpan)
		for _, o := range s.scope {
			if o == nil {
				continue
			}
			for _, c := range o.Calendar.Children {
				if c.Name != ical.CompTimezone {
					s.scanComponent(c)
				}
			}
		}
	}
	span := vtzSpan{from: s.now, to: s.now}
	if sp := s.spans[tzid]; sp != nil {
		span = *sp
	}
	if span.from.Before(vtzEarliest) {
		span.from = vtzEarliest
	}
	if max := span.from.AddDate(tz.MaxVTimezoneYears-2, 0, 0); span.to.After(max) {
		span.to = max
	}
	if span.to.Before(span.from) {
		span.to = span.from
	}
	vtz, err := s.cache.VTimezone(tzid, loc, span.from, span.to)
	if err != nil {
		return nil // out of range: the message goes out as the object came in
	}
	return vtz
}

// scanComponent records the instants c (and its sub-components) writes
// with a TZID: DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE, RDATE …; a
// recurrence rule extends them to its UNTIL, or vtzHorizon years past the
// latest of them and now when it has none.
func (s *vtzSupply) scanComponent(c *ical.Component) {
	local := map[string]*vtzSpan{}
	var walk func(c *ical.Component)
	walk = func(c *ical.Component) {
		for _, props := range c.Props {
			for i := range props {
				id := props[i].Params.Get(ical.ParamTimezoneID)
				if id == "" {
					continue
				}
				sp := local[id]
				if sp == nil {
					sp = &vtzSpan{}
					local[id] = sp
				}
				for _, v := range strings.Split(props[i].Value, ",") {
					v, _, _ = strings.Cut(strings.TrimSpace(v), "/") // PERIOD: its start
					if t, err := time.Parse("20060102T150405", v); err == nil {
						sp.add(t) // the wall clock as UTC: a day off at most, years count
					}
				}
			}
		}
		for _, child := range c.Children {
			walk(child)
		}
	}
	walk(c)
	ruleEnd, bounded := time.Time{}, false
	if r := firstProp(c.Props, ical.PropRecurrenceRule); r != nil {
		ruleEnd, bounded = ruleUntil(r.Value)
	}
	for id, sp := range local {
		if sp.from.IsZero() {
			continue
		}
		if firstProp(c.Props, ical.PropRecurrenceRule) != nil {
			if bounded {
				sp.add(ruleEnd)
			} else {
				end := sp.to
				if s.now.After(end) {
					end = s.now
				}
				sp.add(end.AddDate(vtzHorizon, 0, 0))
			}
		}
		if all := s.spans[id]; all != nil {
			all.add(sp.from)
			all.add(sp.to)
		} else {
			s.spans[id] = sp
		}
	}
}

// ruleUntil returns the UNTIL of an RRULE value (as a wall clock in UTC
// fields) and whether it has one.
func ruleUntil(rule string) (time.Time, bool) {
	for _, part := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "UNTIL") {
			continue
		}
		v = strings.TrimSuffix(strings.TrimSpace(v), "Z")
		for _, layout := range [...]string{"20060102T150405", "20060102"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}
