package itip

import (
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// DefaultMaxAttendees is the per-instance attendee limit used when
// PlanOptions.MaxAttendees is zero.
const DefaultMaxAttendees = 500

// DefaultMaxInstances is the limit on overridden instances plus EXDATE and
// RDATE values of one object used when PlanOptions.MaxInstances is zero.
const DefaultMaxInstances = 10000

// Role is the part the owner of a calendar object resource plays in it
// (RFC 6638 §3.1).
type Role uint8

const (
	// RoleNone: the resource is not a scheduling object resource.
	RoleNone Role = iota
	// RoleOrganizer: the ORGANIZER is one of the owner's addresses.
	RoleOrganizer
	// RoleAttendee: an ATTENDEE, not the ORGANIZER, is one of the owner's
	// addresses.
	RoleAttendee
)

// String returns "none", "organizer" or "attendee".
func (r Role) String() string {
	switch r {
	case RoleOrganizer:
		return "organizer"
	case RoleAttendee:
		return "attendee"
	}
	return "none"
}

// Operation is the scheduling operation a write amounts to (RFC 6638
// §3.2.3.1).
type Operation uint8

const (
	// OpNone: no scheduling operation (neither version is a scheduling
	// object resource).
	OpNone Operation = iota
	// OpCreate: a scheduling object resource appears.
	OpCreate
	// OpModify: a scheduling object resource changes.
	OpModify
	// OpRemove: a scheduling object resource is deleted, or overwritten by
	// a calendar object resource that is not one.
	OpRemove
)

// String returns "none", "create", "modify" or "remove".
func (o Operation) String() string {
	switch o {
	case OpCreate:
		return "create"
	case OpModify:
		return "modify"
	case OpRemove:
		return "remove"
	}
	return "none"
}

// PlanOptions configure Plan.
type PlanOptions struct {
	// Addresses are the calendar user addresses of the owner of the
	// calendar collection holding the resource.
	Addresses []string
	// Now is the time the messages are generated, written as DTSTAMP.
	// Zero means time.Now().
	Now time.Time
	// MaxAttendees limits the distinct attendees of one component written
	// by an organizer (MaxAttendeesPerInstance). Zero means
	// DefaultMaxAttendees; negative means no limit.
	MaxAttendees int
	// MaxInstances limits the overridden instances plus EXDATE and RDATE
	// values of a written object (MaxInstances): the work of a plan grows
	// with attendees times instances. Zero means DefaultMaxInstances;
	// negative means no limit.
	MaxInstances int
	// Floating is the location of DATE and floating DATE-TIME values (the
	// calendar's time zone). Nil means UTC.
	Floating *time.Location
	// ProdID is written as PRODID into messages; empty means
	// DefaultProdID.
	ProdID string
	// SuppressReply is true when an attendee deletes with the request
	// header "Schedule-Reply: F" (RFC 6638 §8.1): no REPLY is sent.
	SuppressReply bool
	// MergeAttendeeStatus is true when the organizer's write was
	// conditional on a matching If-Schedule-Tag-Match (RFC 6638
	// §3.2.10.1): the PARTSTAT and SCHEDULE-STATUS of the other attendees
	// are taken from the stored version instead of the request.
	MergeAttendeeStatus bool
	// AllowOrganizerPartstat lets an organizer set another attendee's
	// PARTSTAT to a value other than NEEDS-ACTION (RFC 6638 §3.2.1 says
	// SHOULD reject; rejecting is the default).
	AllowOrganizerPartstat bool
}

// Actions is what Plan decided for one write: what to store and which iTIP
// messages to deliver.
type Actions struct {
	// Role is the owner's part in the scheduling object.
	Role Role
	// Operation is the scheduling operation.
	Operation Operation
	// UID is the UID of the scheduling object ("" for RoleNone without
	// data).
	UID string
	// Object is exactly what to store. It is nil when the resource is
	// deleted. SCHEDULE-STATUS is set to "1.0" (pending) for every
	// recipient of a message; call SetStatus after delivery.
	Object *ical.Calendar
	// Messages are the iTIP messages to deliver, after Object is stored.
	Messages []*Message
	// Rescheduled reports that a change of time or recurrence reset the
	// attendees' participation status (RFC 6638 §3.2.8).
	Rescheduled bool

	statusIndex map[string][]propRef // see SetStatus
}

// Plan works out the scheduling operation for a write of a calendar object
// resource by its owner (RFC 6638 §3.2): old is the stored version (nil when
// creating), new the version being written (nil when deleting).
//
// An owner who is the organizer sends REQUEST to new and remaining
// attendees whose view changed and CANCEL to removed attendees and for
// removed instances; an owner who is an attendee sends REPLY when their
// participation changes. The returned Actions.Object is new with server
// rules applied. Errors are *Error values naming the violated precondition;
// nothing is to be stored or sent then.
//
// Plan never modifies old or new. To stay cheap, Object and the Messages
// share unchanged values with new and with each other: treat them as
// read-only, and change delivery status only through Actions.SetStatus
// (which replaces parameter maps instead of writing into them).
func Plan(old, new *ical.Calendar, opts PlanOptions) (*Actions, error) {
	p := newPlanner(opts)
	var oldObj, newObj *Object
	var err error
	if old != nil {
		// Stored data that breaks the rules (written before scheduling was
		// enabled, or by another server) must not block its own deletion
		// or replacement: it counts as no scheduling object.
		if oldObj, err = ParseObject(old, p.floating); err != nil {
			oldObj = nil
		}
	}
	if new != nil {
		if newObj, err = ParseObject(new, p.floating); err != nil {
			return nil, err
		}
		p.sizeNorms(oldObj, newObj)
		if err := p.checkInstances(newObj); err != nil {
			return nil, err
		}
		if newObj.IsSchedulable() {
			if err := p.checkScheduleAgents(newObj); err != nil {
				return nil, err
			}
			if err := checkTimes(newObj, oldObj); err != nil {
				return nil, err
			}
		}
	}
	oldRole, newRole := p.role(oldObj), p.role(newObj)
	act := &Actions{}
	switch {
	case oldRole == RoleNone && newRole == RoleNone:
		act.Object = new
		if newObj != nil {
			act.UID = newObj.UID
		}
		return act, nil
	case oldRole == RoleNone:
		act.Role, act.Operation = newRole, OpCreate
		oldObj = nil
	case newRole == RoleNone:
		act.Role, act.Operation = oldRole, OpRemove
		if newObj != nil && newObj.UID != oldObj.UID {
			return nil, errorf(roleCondition(oldRole), "the UID changed from %q to %q", oldObj.UID, newObj.UID)
		}
	default:
		act.Role, act.Operation = newRole, OpModify
		if newObj.UID != oldObj.UID {
			return nil, errorf(roleCondition(oldRole), "the UID changed from %q to %q", oldObj.UID, newObj.UID)
		}
		if oldRole != newRole || !caladdr.Equal(oldObj.Organizer, newObj.Organizer) {
			return nil, errorf(roleCondition(oldRole), "the ORGANIZER changed from %q to %q", oldObj.Organizer, newObj.Organizer)
		}
	}
	if oldObj != nil {
		act.UID = oldObj.UID
	} else {
		act.UID = newObj.UID
	}
	if act.Operation == OpRemove {
		// What is stored is no longer a scheduling object resource.
		newObj = nil
		if new != nil {
			act.Object = planCopy(new)
			stripScheduleParams(act.Object.Component, false)
		}
	}
	if act.Role == RoleOrganizer {
		err = p.organizer(act, oldObj, newObj)
	} else {
		err = p.attendee(act, oldObj, newObj)
	}
	if err != nil {
		return nil, err
	}
	return act, nil
}

// checkInstances enforces PlanOptions.MaxInstances on o.
func (p *planner) checkInstances(o *Object) error {
	max := p.opts.MaxInstances
	if max == 0 {
		max = DefaultMaxInstances
	}
	if max < 0 {
		return nil
	}
	n := len(o.Overrides)
	if o.Master != nil {
		for _, name := range [...]string{ical.PropExceptionDates, ical.PropRecurrenceDates} {
			for _, prop := range o.Master.Props[name] {
				n += strings.Count(prop.Value, ",") + 1
			}
		}
	}
	if n > max {
		return errorf(MaxInstances, "%d overridden, excluded or added instances, at most %d allowed", n, max)
	}
	return nil
}

// roleCondition is the precondition broken by a forbidden change in role r.
func roleCondition(r Role) Condition {
	if r == RoleAttendee {
		return AllowedAttendeeChange
	}
	return AllowedOrganizerChange
}

// planner holds the state of one Plan call.
type planner struct {
	opts     PlanOptions
	owner    ownerAddresses
	now      time.Time
	stamp    string // DTSTAMP value
	floating *time.Location
	// lookup's memory of the addresses of this plan as written: the
	// first fewNorms in few, all in norms once there are more.
	few      [fewNorms]writtenAddress
	nfew     int
	norms    map[string]normalized
	vtz      vtzSupply       // VTIMEZONEs generated for this plan's messages
	verdicts []paramsVerdict // sameAttendeeParamsAt's memory, by position
}

// normalized is what a plan knows about one address as written.
type normalized struct {
	norm  string // caladdr.Normalize of the address
	owner bool   // one of the owner's addresses
}

// writtenAddress is an address as written with what lookup found.
type writtenAddress struct {
	addr string
	n    normalized
}

// fewNorms is the most addresses lookup remembers without a map.
const fewNorms = 8

// lookup returns what the plan knows about addr, computing it once per
// plan: the same address appears in every component of an object.
func (p *planner) lookup(addr string) normalized {
	if p.norms != nil {
		if n, ok := p.norms[addr]; ok {
			return n
		}
	} else {
		for i := range p.few[:p.nfew] {
			if p.few[i].addr == addr {
				return p.few[i].n
			}
		}
	}
	n := normalized{norm: caladdr.Normalize(addr)}
	n.owner = p.owner.has(n.norm)
	switch {
	case p.norms != nil:
		p.norms[addr] = n
	case p.nfew < len(p.few):
		p.few[p.nfew] = writtenAddress{addr, n}
		p.nfew++
	default:
		p.makeNorms(2 * len(p.few))
		p.norms[addr] = n
	}
	return n
}

// sizeNorms makes lookup's map, when the addresses of the objects' first
// components (usually all of them) are too many for its list, with room
// for them, so that a large invitation does not grow it step by step.
func (p *planner) sizeNorms(objs ...*Object) {
	n := 1
	for _, o := range objs {
		if o != nil {
			if comps := o.Components(); len(comps) > 0 {
				n += len(comps[0].Props[ical.PropAttendee])
			}
		}
	}
	if n > len(p.few) && p.norms == nil {
		p.makeNorms(n)
	}
}

// makeNorms moves lookup's memory from its list to a map sized for n
// addresses.
func (p *planner) makeNorms(n int) {
	p.norms = make(map[string]normalized, max(n, p.nfew))
	for _, w := range p.few[:p.nfew] {
		p.norms[w.addr] = w.n
	}
	p.few, p.nfew = [fewNorms]writtenAddress{}, 0
}

// normalize is caladdr.Normalize with the plan's cache.
func (p *planner) normalize(addr string) string { return p.lookup(addr).norm }

// isOwner reports whether addr is one of the owner's addresses.
func (p *planner) isOwner(addr string) bool { return p.lookup(addr).owner }

func newPlanner(opts PlanOptions) *planner {
	p := &planner{opts: opts, owner: newOwnerAddresses(opts.Addresses), now: opts.Now, floating: opts.Floating}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	if p.floating == nil {
		p.floating = time.UTC
	}
	p.stamp = utcDateTime(p.now)
	return p
}

// ownerAddresses are the owner's calendar user addresses, normalized: a
// list for the usual few, a set beyond fewOwnerAddresses.
type ownerAddresses struct {
	few  []string
	many caladdr.Set
}

// fewOwnerAddresses is the most owner addresses kept in a list.
const fewOwnerAddresses = 8

// newOwnerAddresses returns the owner addresses addrs. A list of
// addresses already normalized is used as it is (it is only read).
func newOwnerAddresses(addrs []string) ownerAddresses {
	if len(addrs) > fewOwnerAddresses {
		return ownerAddresses{many: caladdr.NewSet(addrs...)}
	}
	for i, a := range addrs {
		if caladdr.Normalize(a) != a {
			few := make([]string, len(addrs))
			copy(few, addrs[:i])
			for j := i; j < len(addrs); j++ {
				few[j] = caladdr.Normalize(addrs[j])
			}
			return ownerAddresses{few: few}
		}
	}
	return ownerAddresses{few: addrs}
}

// has reports whether norm, a normalized address, is one of the owner's.
func (o ownerAddresses) has(norm string) bool {
	if o.many != nil {
		_, ok := o.many[norm]
		return ok
	}
	return slices.Contains(o.few, norm)
}

// role classifies o for the owner (RFC 6638 §3.1).
func (p *planner) role(o *Object) Role {
	if o == nil || !o.IsSchedulable() {
		return RoleNone
	}
	if p.isOwner(o.Organizer) {
		return RoleOrganizer
	}
	for _, c := range o.Components() {
		atts := c.Props[ical.PropAttendee]
		for i := range atts {
			if p.isOwner(atts[i].Value) {
				return RoleAttendee
			}
		}
	}
	return RoleNone
}

// isSelf reports whether the participant is the owner or the organizer
// (orgNorm, normalised): nobody sends a message to themselves.
func (p *planner) isSelf(pt *participant, orgNorm string) bool {
	return p.owner.has(pt.norm) || pt.norm == orgNorm
}

// maxAttendees returns the effective per-instance limit, or -1.
func (p *planner) maxAttendees() int {
	switch {
	case p.opts.MaxAttendees == 0:
		return DefaultMaxAttendees
	case p.opts.MaxAttendees < 0:
		return -1
	}
	return p.opts.MaxAttendees
}

// takeForceSend strips SCHEDULE-FORCE-SEND from p and returns its value,
// upper-cased.
func takeForceSend(p *ical.Prop) string {
	vs, ok := p.Params[ParamScheduleForceSend]
	if !ok {
		return ""
	}
	delParam(p, ParamScheduleForceSend)
	if len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "?" // present but empty: not a value we recognise
	}
	return strings.ToUpper(strings.TrimSpace(vs[0]))
}

// stripScheduleParams removes SCHEDULE-FORCE-SEND (and, with all, also
// SCHEDULE-STATUS) from ORGANIZER and ATTENDEE properties of c's children.
func stripScheduleParams(cal *ical.Component, all bool) {
	for _, c := range cal.Children {
		for _, name := range [...]string{ical.PropOrganizer, ical.PropAttendee} {
			props := c.Props[name]
			for i := range props {
				delParam(&props[i], ParamScheduleForceSend)
				if all {
					delParam(&props[i], ParamScheduleStatus)
				}
			}
		}
	}
}
