package itip

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Object is a read-only view of one calendar object resource as a
// scheduling object (RFC 6638 §3.1): the components that share its UID,
// split into the master (the component without RECURRENCE-ID) and the
// overridden instances, keyed by the UTC instant of their RECURRENCE-ID.
//
// ParseObject checks the structural rules every scheduling operation relies
// on: one UID, one component type, at most one master, no two overrides of
// the same instance, and one ORGANIZER for all components.
type Object struct {
	// Calendar is the parsed calendar the view was built from. The view
	// points into it; it is not copied.
	Calendar *ical.Calendar
	// UID is the UID shared by all components.
	UID string
	// Kind is the component type: ical.CompEvent, ical.CompToDo or
	// another type, which the engine does not schedule.
	Kind string
	// Master is the component without RECURRENCE-ID; nil when the object
	// holds only overridden instances (e.g. an attendee invited to one
	// instance).
	Master *ical.Component
	// Overrides are the components with RECURRENCE-ID, sorted by Key.
	Overrides []Instance
	// Organizer is the ORGANIZER value of the components as written in the
	// first of them, or "" when no component has an ORGANIZER.
	Organizer string

	resolver *tz.Resolver
	floating *time.Location
}

// Instance is an overridden recurrence instance of an Object.
type Instance struct {
	// Key is the instant of the RECURRENCE-ID in UTC. A DATE or floating
	// RECURRENCE-ID is placed in the floating location first.
	Key time.Time
	// Component is the VEVENT or VTODO overriding that instance.
	Component *ical.Component
}

// ParseObject builds the view of cal. floating is the location of DATE and
// floating DATE-TIME values (the calendar's time zone); nil means UTC.
// Errors are *Error values with the ValidCalendarObjectResource,
// ValidCalendarData or SameOrganizerInAllComponents condition.
func ParseObject(cal *ical.Calendar, floating *time.Location) (*Object, error) {
	if cal == nil || cal.Component == nil {
		return nil, errorf(ValidCalendarData, "no calendar")
	}
	if !strings.EqualFold(cal.Name, ical.CompCalendar) {
		return nil, errorf(ValidCalendarData, "top-level component is %s, not VCALENDAR", cal.Name)
	}
	if floating == nil {
		floating = time.UTC
	}
	o := &Object{Calendar: cal, resolver: tz.NewResolver(cal), floating: floating}
	organizerSeen, organizerMissing := false, false
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
			continue
		case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
		default:
			continue // x-components and IANA components are carried along
		}
		if o.Kind == "" {
			o.Kind = c.Name
		} else if o.Kind != c.Name {
			return nil, errorf(ValidCalendarObjectResource, "mixes %s and %s components", o.Kind, c.Name)
		}
		uid := propValue(c, ical.PropUID)
		if uid == "" {
			return nil, errorf(ValidCalendarObjectResource, "%s without UID", c.Name)
		}
		if o.UID == "" {
			o.UID = uid
		} else if uid != o.UID {
			return nil, errorf(ValidCalendarObjectResource, "components have different UIDs (%q and %q)", o.UID, uid)
		}
		if org := firstProp(c.Props, ical.PropOrganizer); org != nil && strings.TrimSpace(org.Value) != "" {
			if !organizerSeen {
				o.Organizer = strings.TrimSpace(org.Value)
				organizerSeen = true
			} else if !caladdr.Equal(o.Organizer, org.Value) {
				return nil, errorf(SameOrganizerInAllComponents, "ORGANIZER %q and %q", o.Organizer, org.Value)
			}
			if len(c.Props[ical.PropOrganizer]) > 1 {
				return nil, errorf(SameOrganizerInAllComponents, "a component has more than one ORGANIZER")
			}
		} else {
			organizerMissing = true
		}
		rid := firstProp(c.Props, ical.PropRecurrenceID)
		if rid == nil {
			if o.Master != nil {
				return nil, errorf(ValidCalendarObjectResource, "more than one component without RECURRENCE-ID")
			}
			o.Master = c
			continue
		}
		key, err := o.InstanceKey(rid)
		if err != nil {
			return nil, wrapError(ValidCalendarData, "RECURRENCE-ID", err)
		}
		o.Overrides = append(o.Overrides, Instance{Key: key, Component: c})
	}
	if o.Kind == "" {
		return nil, errorf(ValidCalendarObjectResource, "no VEVENT, VTODO, VJOURNAL or VFREEBUSY component")
	}
	if organizerSeen && organizerMissing {
		return nil, errorf(SameOrganizerInAllComponents, "ORGANIZER is missing from some components")
	}
	sort.SliceStable(o.Overrides, func(i, j int) bool { return o.Overrides[i].Key.Before(o.Overrides[j].Key) })
	for i := 1; i < len(o.Overrides); i++ {
		if o.Overrides[i].Key.Equal(o.Overrides[i-1].Key) {
			return nil, errorf(ValidCalendarObjectResource, "two components override the instance %s", o.Overrides[i].Key.Format(time.RFC3339))
		}
	}
	return o, nil
}

// rebind returns the view of cal, a copy of o.Calendar with the same
// children in the same order (planCopy), without parsing it again.
func (o *Object) rebind(cal *ical.Calendar) *Object {
	n := *o
	n.Calendar = cal // VTIMEZONEs are shared, so the resolver (and its cache) stays valid
	n.Overrides = make([]Instance, len(o.Overrides))
	copy(n.Overrides, o.Overrides)
	// Overrides are sorted by instance and children are usually written
	// in that order too: the override after the last one found is tried
	// first, so the usual walk is linear.
	next := 0
	for i, c := range o.Calendar.Children {
		if c == o.Master {
			n.Master = cal.Children[i]
			continue
		}
		j := next
		if j >= len(o.Overrides) || o.Overrides[j].Component != c {
			if j = o.overrideIndex(c); j < 0 {
				continue // a VTIMEZONE or a component the view leaves out
			}
		}
		n.Overrides[j].Component = cal.Children[i]
		next = j + 1
	}
	return &n
}

// overrideIndex returns the index in o.Overrides of component c, or -1.
func (o *Object) overrideIndex(c *ical.Component) int {
	for j := range o.Overrides {
		if o.Overrides[j].Component == c {
			return j
		}
	}
	return -1
}

// DecodeObject decodes data with internal/ics and builds its view.
func DecodeObject(data []byte, floating *time.Location) (*Object, error) {
	cal, err := ics.Decode(data)
	if err != nil {
		return nil, wrapError(ValidCalendarData, "cannot decode", err)
	}
	return ParseObject(cal, floating)
}

// IsSchedulable reports whether the object is a VEVENT or VTODO with an
// ORGANIZER, the precondition for being a scheduling object resource.
func (o *Object) IsSchedulable() bool {
	return o.Organizer != "" && (o.Kind == ical.CompEvent || o.Kind == ical.CompToDo)
}

// Components returns the master (when present) followed by the overrides
// in instance order.
func (o *Object) Components() []*ical.Component {
	out := make([]*ical.Component, 0, len(o.Overrides)+1)
	if o.Master != nil {
		out = append(out, o.Master)
	}
	for _, in := range o.Overrides {
		out = append(out, in.Component)
	}
	return out
}

// Override returns the component overriding the instance at key, or nil.
func (o *Object) Override(key time.Time) *ical.Component {
	i := sort.Search(len(o.Overrides), func(i int) bool { return !o.Overrides[i].Key.Before(key) })
	if i < len(o.Overrides) && o.Overrides[i].Key.Equal(key) {
		return o.Overrides[i].Component
	}
	return nil
}

// InstanceKey returns the key of the instance a RECURRENCE-ID, EXDATE or
// RDATE value names: its instant in UTC. For list properties only the
// first value is used; see InstanceKeys.
func (o *Object) InstanceKey(p *ical.Prop) (time.Time, error) {
	// RECURRENCE-ID has one value: its key fits in a buffer on the stack.
	var buf [1]time.Time
	keys, err := appendInstanceKeys(buf[:0], o.resolver, p, o.floating)
	if err != nil {
		return time.Time{}, err
	}
	if len(keys) == 0 {
		return time.Time{}, fmt.Errorf("%w: empty %s", tz.ErrInvalidValue, p.Name)
	}
	return keys[0], nil
}

// InstanceKeys returns the keys of every value of a comma-separated DATE or
// DATE-TIME list property (EXDATE, RDATE). PERIOD values of RDATE are keyed
// by their start.
func (o *Object) InstanceKeys(p *ical.Prop) ([]time.Time, error) {
	return appendInstanceKeys(nil, o.resolver, p, o.floating)
}

// appendInstanceKeys appends the keys (recurrence.Key: the UTC instant)
// of every value of p to dst. internal/recurrence parses the list and caps
// its length.
func appendInstanceKeys(dst []time.Time, r *tz.Resolver, p *ical.Prop, floating *time.Location) ([]time.Time, error) {
	vs, err := recurrence.ParseDateList(p, r, floating)
	if err != nil {
		return dst, err
	}
	for _, v := range vs {
		dst = append(dst, recurrence.Key(v))
	}
	return dst, nil
}

// ExcludedKeys returns the keys of all EXDATE values of c, sorted.
func (o *Object) ExcludedKeys(c *ical.Component) ([]time.Time, error) {
	return o.listKeys(c, ical.PropExceptionDates)
}

// RecurrenceDateKeys returns the keys of all RDATE values of c, sorted.
func (o *Object) RecurrenceDateKeys(c *ical.Component) ([]time.Time, error) {
	return o.listKeys(c, ical.PropRecurrenceDates)
}

func (o *Object) listKeys(c *ical.Component, name string) ([]time.Time, error) {
	if c == nil {
		return nil, nil
	}
	var keys []time.Time
	for i := range c.Props[name] {
		var err error
		keys, err = appendInstanceKeys(keys, o.resolver, &c.Props[name][i], o.floating)
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	return keys, nil
}

// Time parses a DATE or DATE-TIME property of the object (DTSTART, DUE …)
// with the object's time zones and floating location.
func (o *Object) Time(p *ical.Prop) (tz.Value, error) {
	return o.resolver.Parse(p, o.floating)
}

// Timezones returns the VTIMEZONE components of the calendar that the
// properties of comps (and their sub-components) reference by TZID, in
// calendar order.
func (o *Object) Timezones(comps ...*ical.Component) []*ical.Component {
	return o.timezonesFor(referencedTZIDs(comps))
}

// referencedTZIDs returns the TZIDs the properties of comps (and their
// sub-components) reference, each once.
func referencedTZIDs(comps []*ical.Component) []string {
	var ids []string
	for _, c := range comps {
		ids = appendTZIDs(ids, c)
	}
	return ids
}

// timezonesFor returns the VTIMEZONE components of the calendar whose TZID
// is one of ids, in calendar order.
func (o *Object) timezonesFor(ids []string) []*ical.Component {
	if len(ids) == 0 {
		return nil
	}
	var out []*ical.Component
	for _, c := range o.Calendar.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		id := propValue(c, ical.PropTimezoneID)
		for _, want := range ids {
			if want == id {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func appendTZIDs(ids []string, c *ical.Component) []string {
	for _, props := range c.Props {
		for i := range props {
			// A direct lookup (Params.Get would upper-case the name first);
			// most properties have no parameters at all.
			if len(props[i].Params) == 0 {
				continue
			}
			vs := props[i].Params[ical.ParamTimezoneID]
			if len(vs) == 0 || vs[0] == "" {
				continue
			}
			id := vs[0]
			seen := false
			for _, have := range ids {
				if have == id {
					seen = true
					break
				}
			}
			if !seen {
				ids = append(ids, id)
			}
		}
	}
	for _, child := range c.Children {
		ids = appendTZIDs(ids, child)
	}
	return ids
}

// Agent is the value of a SCHEDULE-AGENT parameter (RFC 6638 §7.1).
type Agent uint8

// The SCHEDULE-AGENT values. Unknown values count as AgentNone.
const (
	AgentServer Agent = iota // SERVER or absent: the server schedules
	AgentClient              // CLIENT: the client schedules
	AgentNone                // NONE or unknown: nobody schedules
)

// ScheduleAgent returns the SCHEDULE-AGENT of an ORGANIZER or ATTENDEE
// property; nil counts as absent.
func ScheduleAgent(p *ical.Prop) Agent {
	if p == nil {
		return AgentServer
	}
	var v string
	if vs := p.Params[ParamScheduleAgent]; len(vs) > 0 {
		v = vs[0]
	}
	switch {
	case v == "" || strings.EqualFold(v, "SERVER"):
		return AgentServer
	case strings.EqualFold(v, "CLIENT"):
		return AgentClient
	default:
		return AgentNone
	}
}

// The scheduling parameters of RFC 6638 §7.
const (
	ParamScheduleAgent     = "SCHEDULE-AGENT"      // who schedules with this calendar user (§7.1)
	ParamScheduleForceSend = "SCHEDULE-FORCE-SEND" // force a REQUEST or REPLY (§7.2)
	ParamScheduleStatus    = "SCHEDULE-STATUS"     // status of the last message (§7.3)
)

// Involves reports whether addr (compared with caladdr.Equal) is the
// ORGANIZER of c or one of its ATTENDEEs.
func Involves(c *ical.Component, addr string) bool {
	if p := c.Props.Get(ical.PropOrganizer); p != nil && caladdr.Equal(p.Value, addr) {
		return true
	}
	return Attendee(c, addr) != nil
}

// Attendee returns the first ATTENDEE property of c whose address equals
// addr (compared with caladdr.Equal), or nil.
func Attendee(c *ical.Component, addr string) *ical.Prop {
	if c == nil {
		return nil
	}
	norm := caladdr.Normalize(addr)
	atts := c.Props[ical.PropAttendee]
	for i := range atts {
		if atts[i].Value == addr || caladdr.Normalize(atts[i].Value) == norm {
			return &atts[i]
		}
	}
	return nil
}

// Organizer returns the ORGANIZER property of c, or nil.
func Organizer(c *ical.Component) *ical.Prop {
	if c == nil {
		return nil
	}
	// Direct lookups: the names are upper-case already (Get would
	// upper-case them again on every call).
	if orgs := c.Props[ical.PropOrganizer]; len(orgs) > 0 {
		return &orgs[0]
	}
	return nil
}

// Partstat returns the PARTSTAT of an ATTENDEE property, upper-cased;
// absent means NEEDS-ACTION (RFC 5545 §3.2.12).
func Partstat(p *ical.Prop) string {
	if p == nil {
		return ""
	}
	return partstatOf(p.Params[ical.ParamParticipationStatus])
}

// partstatOf reads the values of a PARTSTAT parameter as Partstat does.
func partstatOf(vs []string) string {
	if len(vs) == 0 || vs[0] == "" {
		return "NEEDS-ACTION"
	}
	switch v := vs[0]; v {
	case "NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "COMPLETED", "IN-PROCESS":
		return v // the RFC 5545 values, upper-case already: no scan
	}
	return strings.ToUpper(vs[0])
}

// Sequence returns the SEQUENCE of c; absent or malformed means 0.
func Sequence(c *ical.Component) int {
	p := firstProp(c.Props, ical.PropSequence)
	if p == nil {
		return 0
	}
	n := 0
	for _, r := range strings.TrimSpace(p.Value) {
		if r < '0' || r > '9' || n > 1<<30 {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// firstProp returns the first property named name in props, or nil. It is
// Props.Get for a name already in upper case, as the ical.Prop* constants
// are: Get would upper-case it again on every call.
func firstProp(props ical.Props, name string) *ical.Prop {
	if ps := props[name]; len(ps) > 0 {
		return &ps[0]
	}
	return nil
}

// propValue returns the trimmed value of c's first property named name
// (upper case), or "".
func propValue(c *ical.Component, name string) string {
	if p := firstProp(c.Props, name); p != nil {
		return strings.TrimSpace(p.Value)
	}
	return ""
}
