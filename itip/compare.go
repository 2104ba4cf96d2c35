package itip

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// change classifies how a component differs for its attendees.
type change uint8

const (
	changeNone   change = iota
	changeStatus        // only attendees' PARTSTAT or RSVP
	changeFull          // anything an attendee must see
)

// volatileProp reports properties that never make a change visible to
// attendees: stamps, the revision number and client-private X- properties
// (clients such as Thunderbird rewrite X-MOZ-* on every save).
func volatileProp(name string) bool {
	switch name {
	case ical.PropDateTimeStamp, ical.PropSequence, ical.PropLastModified, ical.PropCreated:
		return true
	}
	return strings.HasPrefix(name, "X-")
}

// instanceProps are the properties an override replaces or drops when
// it is derived from its master.
func instanceProp(name string) bool {
	switch name {
	case ical.PropRecurrenceID, ical.PropRecurrenceRule, ical.PropRecurrenceDates,
		ical.PropExceptionDates, ical.PropDateTimeStart, ical.PropDateTimeEnd,
		ical.PropDuration, ical.PropDue:
		return true
	}
	return false
}

// compareOptions tune compareComponents.
type compareOptions struct {
	derived          bool // b is an override derived from master a
	ignoreExdateAdds bool
}

// compareComponents classifies how b differs from a for attendees.
// VALARMs and other sub-components are ignored: they are personal.
func compareComponents(a, b *ical.Component, o compareOptions) change {
	result := changeNone
	shared := 0 // names of b that a has too
	for name, bp := range b.Props {
		ap, ok := a.Props[name]
		if ok {
			shared++
		}
		if volatileProp(name) || (o.derived && instanceProp(name)) {
			continue
		}
		switch name {
		case ical.PropAttendee:
			if c := compareAttendees(ap, bp); c > result {
				result = c
			}
		case ical.PropExceptionDates:
			if o.ignoreExdateAdds {
				if !exdatesOnlyAdded(ap, bp) {
					return changeFull
				}
				continue
			}
			if !samePropList(ap, bp) {
				return changeFull
			}
		default:
			if !samePropList(ap, bp) {
				return changeFull
			}
		}
	}
	if shared == len(a.Props) {
		return result // a has no name b lacks
	}
	for name := range a.Props {
		if volatileProp(name) || (o.derived && instanceProp(name)) {
			continue
		}
		if _, ok := b.Props[name]; !ok {
			return changeFull
		}
	}
	return result
}

// exdatesOnlyAdded reports whether the EXDATE values of b are a superset of
// those of a, compared textually value by value.
func exdatesOnlyAdded(a, b []ical.Prop) bool {
	have := make(map[string]struct{}, len(b))
	for i := range b {
		for _, v := range strings.Split(b[i].Value, ",") {
			have[b[i].Params.Get(ical.ParamTimezoneID)+"|"+strings.TrimSpace(v)] = struct{}{}
		}
	}
	for i := range a {
		for _, v := range strings.Split(a[i].Value, ",") {
			if _, ok := have[a[i].Params.Get(ical.ParamTimezoneID)+"|"+strings.TrimSpace(v)]; !ok {
				return false
			}
		}
	}
	return true
}

// samePropList compares two lists of same-named properties as multisets,
// ignoring the scheduling parameters.
func samePropList(a, b []ical.Prop) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 1 {
		return sameProp(&a[0], &b[0])
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = propKey(&a[i]), propKey(&b[i])
	}
	sort.Strings(ka)
	sort.Strings(kb)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

// sameProp compares value and parameters, ignoring the scheduling
// parameters; ORGANIZER values compare as calendar user addresses.
func sameProp(a, b *ical.Prop) bool {
	if a.Value != b.Value && !(a.Name == ical.PropOrganizer && caladdr.Equal(a.Value, b.Value)) {
		return false
	}
	return sameParams(a.Params, b.Params, false)
}

// sameParams compares parameter sets, ignoring SCHEDULE-* and client-private
// X- parameters and, with noStatus, also PARTSTAT and RSVP.
func sameParams(a, b ical.Params, noStatus bool) bool {
	skip := func(k string) bool {
		return ignoredParam(k) || (noStatus && (k == ical.ParamParticipationStatus || k == ical.ParamRSVP))
	}
	n, sameKeys := 0, len(a) == len(b)
	for k, av := range a {
		bv, ok := b[k]
		sameKeys = sameKeys && ok
		if skip(k) {
			continue
		}
		n++
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if av[i] != bv[i] && !strings.EqualFold(av[i], bv[i]) {
				return false
			}
		}
	}
	if sameKeys {
		return true // b has exactly a's keys, all compared
	}
	for k := range b {
		if !skip(k) {
			n--
		}
	}
	return n == 0
}

// sameAttendeeParams reports whether two ATTENDEE parameter sets agree on
// PARTSTAT (as Partstat reads it) and on every other parameter but RSVP,
// SCHEDULE-* and X- ones: Partstat(a) == Partstat(b) && sameParams(a, b,
// true), in one pass over the maps.
func sameAttendeeParams(a, b ical.Params) bool {
	skip := func(k string) bool { return k == ical.ParamRSVP || ignoredParam(k) }
	n, sameKeys, partstatSeen := 0, len(a) == len(b), false
	for k, av := range a {
		bv, ok := b[k]
		sameKeys = sameKeys && ok
		if k == ical.ParamParticipationStatus {
			partstatSeen = true
			if partstatOf(av) != partstatOf(bv) {
				return false
			}
			continue
		}
		if skip(k) {
			continue
		}
		n++
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if av[i] != bv[i] && !strings.EqualFold(av[i], bv[i]) {
				return false
			}
		}
	}
	if !partstatSeen && partstatOf(b[ical.ParamParticipationStatus]) != "NEEDS-ACTION" {
		return false
	}
	if sameKeys {
		return true // b has exactly a's keys, all compared
	}
	for k := range b {
		if k != ical.ParamParticipationStatus && !skip(k) {
			n--
		}
	}
	return n == 0
}

// ignoredParam reports parameters that never make a difference to other
// calendar users: the server-managed SCHEDULE-* ones and client-private
// X- ones (e.g. X-CALENDARSERVER-*, X-MOZ-*).
func ignoredParam(k string) bool {
	return strings.HasPrefix(k, "SCHEDULE-") || strings.HasPrefix(k, "X-")
}

// propKey is a canonical text of a property for multiset comparison.
func propKey(p *ical.Prop) string {
	var b strings.Builder
	names := make([]string, 0, len(p.Params))
	for k := range p.Params {
		if !ignoredParam(k) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strings.ToUpper(strings.Join(p.Params[k], ",")))
		b.WriteByte(';')
	}
	b.WriteByte(':')
	b.WriteString(p.Value)
	return b.String()
}

// compareAttendees classifies the difference between two ATTENDEE lists:
// a different set or different parameters is a full change, different
// PARTSTAT or RSVP only a status change.
func compareAttendees(a, b []ical.Prop) change {
	if len(a) != len(b) {
		return changeFull
	}
	result := changeNone
	for i := range b {
		var match *ical.Prop
		if i < len(a) && caladdr.Equal(a[i].Value, b[i].Value) {
			match = &a[i]
		} else {
			norm := caladdr.Normalize(b[i].Value)
			for j := range a {
				if caladdr.Normalize(a[j].Value) == norm {
					match = &a[j]
					break
				}
			}
		}
		if match == nil || !sameParams(match.Params, b[i].Params, true) {
			return changeFull
		}
		if Partstat(match) != Partstat(&b[i]) ||
			!strings.EqualFold(match.Params.Get(ical.ParamRSVP), b[i].Params.Get(ical.ParamRSVP)) {
			result = changeStatus
		}
	}
	return result
}

// recurTiming is the schedule of one component: start, length, recurrence.
type recurTiming struct {
	start   time.Time
	date    bool
	length  time.Duration
	hasEnd  bool
	rrule   string
	rdates  []time.Time
	exdates []time.Time
	valid   bool
	c       *ical.Component // the component, for the textual fallback
}

// recurTimingOf extracts the recurTiming of c within o. An unparsable value
// (e.g. a TZID nobody can resolve in stored data) makes the recurTiming
// invalid; timesMoved then compares the properties as text.
func recurTimingOf(o *Object, c *ical.Component) recurTiming {
	t := recurTiming{c: c}
	start := firstProp(c.Props, ical.PropDateTimeStart)
	if start != nil {
		v, err := o.Time(start)
		if err != nil {
			return t
		}
		t.start, t.date = v.Time.UTC(), v.Kind == tz.Date
	}
	end := firstProp(c.Props, ical.PropDateTimeEnd)
	if end == nil {
		end = firstProp(c.Props, ical.PropDue)
	}
	if end != nil {
		v, err := o.Time(end)
		if err != nil {
			return t
		}
		t.length, t.hasEnd = v.Time.Sub(t.start), true
		if start == nil {
			t.start = v.Time.UTC() // a VTODO with only DUE
			t.length = 0
		}
	} else if d := firstProp(c.Props, ical.PropDuration); d != nil {
		dur, err := d.Duration()
		if err != nil {
			return t
		}
		t.length, t.hasEnd = dur, true
	}
	if r := firstProp(c.Props, ical.PropRecurrenceRule); r != nil {
		t.rrule = normalizeRRule(r.Value)
	}
	var err error
	if t.rdates, err = o.RecurrenceDateKeys(c); err != nil {
		return t
	}
	if t.exdates, err = o.ExcludedKeys(c); err != nil {
		return t
	}
	t.valid = true
	return t
}

// normalizeRRule orders the parts of an RRULE so that equal rules compare
// equal.
func normalizeRRule(v string) string {
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(v)), ";")
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

// timesMoved reports whether the change from a to b moves existing
// instances or adds new ones (RFC 6638 §3.2.8), conservatively: any other
// RRULE counts (instancesAddedOrMoved compares instance sets). When either
// side cannot be parsed, the time properties are compared as text, so an
// unparsable value never makes an unchanged schedule count as moved.
func timesMoved(a, b recurTiming) bool {
	if !a.valid || !b.valid {
		return !sameTimingText(a.c, b.c)
	}
	if !a.start.Equal(b.start) || a.date != b.date || a.length != b.length || a.hasEnd != b.hasEnd {
		return true
	}
	if a.rrule != b.rrule {
		return true
	}
	if !subset(b.rdates, a.rdates) { // RDATE added
		return true
	}
	return !subset(a.exdates, b.exdates) // EXDATE removed
}

// timingProps are the properties that place a component's instances in
// time (RFC 6638 §3.2.8).
var timingProps = [...]string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDuration,
	ical.PropDue, ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates}

// sameTimingText reports whether a and b have the same time properties,
// compared as text (values and parameters).
func sameTimingText(a, b *ical.Component) bool {
	if a == nil || b == nil {
		return a == b
	}
	for _, name := range timingProps {
		if !samePropList(a.Props[name], b.Props[name]) {
			return false
		}
	}
	return true
}

// subset reports whether every key of small is in big (both sorted).
func subset(small, big []time.Time) bool {
	j := 0
	for _, k := range small {
		for j < len(big) && big[j].Before(k) {
			j++
		}
		if j == len(big) || !big[j].Equal(k) {
			return false
		}
	}
	return true
}

// containsKey reports whether sorted keys hold k.
func containsKey(keys []time.Time, k time.Time) bool {
	i := sort.Search(len(keys), func(i int) bool { return !keys[i].Before(k) })
	return i < len(keys) && keys[i].Equal(k)
}
