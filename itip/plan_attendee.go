package itip

import (
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// attendee plans a write by an attendee (RFC 6638 §3.2.2).
func (p *planner) attendee(act *Actions, oldObj, newObj *Object) error {
	if newObj != nil {
		act.Object = planCopy(newObj.Calendar)
		newObj = newObj.rebind(act.Object)
	}
	ref := newObj
	if ref == nil {
		ref = oldObj
	}
	forced, badForce := false, false
	if newObj != nil {
		for _, c := range newObj.Components() {
			if org := Organizer(c); org != nil {
				switch takeForceSend(org) {
				case "", MethodRequest:
				case MethodReply:
					forced = true
				default:
					badForce = true
				}
			}
			atts := c.Props[ical.PropAttendee]
			for i := range atts {
				takeForceSend(&atts[i])
			}
		}
	}
	if ScheduleAgent(Organizer(firstComponent(ref))) != AgentServer {
		return nil // the client replies, or nobody does
	}
	me := p.ownAddress(ref)
	if oldObj != nil && newObj != nil {
		if err := p.checkAttendeeChange(oldObj, newObj); err != nil {
			return err
		}
		keepOrganizerState(oldObj, newObj)
	}
	var comps []*ical.Component
	switch act.Operation {
	case OpRemove:
		if !p.opts.SuppressReply {
			for _, c := range oldObj.Components() {
				if a := p.ownAttendee(c); a != nil && Partstat(a) != "DECLINED" {
					comps = append(comps, p.replyComponent(oldObj, c, a, "DECLINED", Sequence(c)))
				}
			}
		}
	default:
		comps = p.changedReplies(oldObj, newObj, forced)
	}
	p.vtz.setScope(p.now, oldObj, newObj)
	if len(comps) > 0 {
		cal := newMessageCalendar(MethodReply, p.opts.ProdID, len(comps)+1)
		p.vtz.finishMessage(cal, []*Object{newObj, oldObj}, comps)
		act.Messages = append(act.Messages, &Message{
			Method:     MethodReply,
			Originator: me,
			Recipients: []string{ref.Organizer},
			Update:     UpdateStatusOnly,
			Calendar:   cal,
		})
	}
	if newObj != nil && (len(comps) > 0 || badForce) {
		status := StatusPending
		if len(comps) == 0 {
			status = StatusParamIgnored
		}
		for _, c := range newObj.Components() {
			if org := Organizer(c); org != nil {
				setParams(org, ParamScheduleStatus, status)
			}
		}
	}
	if newObj != nil && act.Operation != OpRemove {
		forwards := p.delegatedRequests(oldObj, newObj, me)
		for _, m := range forwards {
			for _, c := range newObj.Components() {
				if d := Attendee(c, m.Recipients[0]); d != nil {
					setParams(d, ParamScheduleStatus, StatusPending)
				}
			}
		}
		act.Messages = append(act.Messages, forwards...)
	}
	return nil
}

// ownAddress returns the owner's ATTENDEE address as written in o.
func (p *planner) ownAddress(o *Object) string {
	for _, c := range o.Components() {
		if a := p.ownAttendee(c); a != nil {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// ownAttendee returns the owner's ATTENDEE property in c, or nil.
func (p *planner) ownAttendee(c *ical.Component) *ical.Prop {
	if c == nil {
		return nil
	}
	atts := c.Props[ical.PropAttendee]
	for i := range atts {
		if p.isOwner(atts[i].Value) {
			return &atts[i]
		}
	}
	return nil
}

// counterpart returns the component of o for the same instance as the
// i-th component of newObj.Components() (the master for the master), or
// the master when the instance is not overridden in o; derived reports
// the latter. The instance's key comes from newObj's view, so the
// RECURRENCE-ID is not parsed again.
func counterpart(o *Object, newObj *Object, i int) (cp *ical.Component, key time.Time, derived bool) {
	if newObj.Master != nil {
		if i == 0 {
			return o.Master, time.Time{}, false
		}
		i--
	}
	key = newObj.Overrides[i].Key
	if ov := o.Override(key); ov != nil {
		return ov, key, false
	}
	return o.Master, key, o.Master != nil
}

// keepOrganizerState restores what only the organizer or the server may
// set: SEQUENCE (python-caldav bumps it when accepting) and the
// ORGANIZER's SCHEDULE-STATUS.
func keepOrganizerState(oldObj, newObj *Object) {
	for i, c := range newObj.Components() {
		cp, _, _ := counterpart(oldObj, newObj, i)
		if cp == nil {
			continue
		}
		if Sequence(c) != Sequence(cp) {
			setSequence(c, Sequence(cp))
		}
		if org := Organizer(c); org != nil {
			copyParam(org, Organizer(cp), ParamScheduleStatus)
		}
	}
}

// changedReplies returns the REPLY components for a create or modify: one
// per instance whose participation changed, and a decline per instance the
// attendee excluded with EXDATE (RFC 6638 §3.2.2.3).
//
// For a VTODO, participation includes progress: a change of
// PERCENT-COMPLETE or COMPLETED alone sends a REPLY carrying it, with the
// PARTSTAT unchanged. RFC 5546 §3.4.3 says a VTODO REPLY "is also used by
// an Attendee to update their completion status", its REPLY table allows
// PERCENT-COMPLETE and COMPLETED, and §4.5.4 shows exactly such a reply
// (PARTSTAT=IN-PROCESS, PERCENT-COMPLETE:75). RFC 6638 §3.2.2.1 lets the
// attendee change both. The organizer's copy records the PARTSTAT only;
// the task's overall PERCENT-COMPLETE stays the organizer's to set
// (RFC 5546 §4.5.6).
func (p *planner) changedReplies(oldObj, newObj *Object, forced bool) []*ical.Component {
	var comps []*ical.Component
	for i, c := range newObj.Components() {
		a := p.ownAttendee(c)
		if a == nil {
			continue
		}
		var prev *ical.Component
		if oldObj != nil {
			prev, _, _ = counterpart(oldObj, newObj, i)
		}
		ps := Partstat(a)
		changed := forced
		if prev == nil {
			changed = changed || ps != "NEEDS-ACTION"
		} else if pa := p.ownAttendee(prev); pa == nil || Partstat(pa) != ps {
			changed = true
		} else if c.Name == ical.CompToDo && (propValue(c, ical.PropPercentComplete) != propValue(prev, ical.PropPercentComplete) ||
			propValue(c, ical.PropCompleted) != propValue(prev, ical.PropCompleted)) {
			changed = true
		}
		if changed {
			comps = append(comps, p.replyComponent(newObj, c, a, ps, Sequence(c)))
		}
	}
	if oldObj == nil || oldObj.Master == nil || newObj.Master == nil {
		return comps
	}
	oldEx, err1 := oldObj.ExcludedKeys(oldObj.Master)
	newEx, err2 := newObj.ExcludedKeys(newObj.Master)
	if err1 != nil || err2 != nil {
		return comps
	}
	for _, k := range newEx {
		if containsKey(oldEx, k) {
			continue
		}
		src := oldObj.Override(k)
		if src == nil {
			src = instanceFromMaster(oldObj, oldObj.Master, k)
		}
		if a := p.ownAttendee(src); a != nil && Partstat(a) != "DECLINED" {
			comps = append(comps, p.replyComponent(oldObj, src, a, "DECLINED", Sequence(oldObj.Master)))
		}
	}
	return comps
}

// replyComponent builds one REPLY component (RFC 5546 §3.2.3) from src for
// the attendee property a with participation status partstat.
func (p *planner) replyComponent(o *Object, src *ical.Component, a *ical.Prop, partstat string, seq int) *ical.Component {
	c := briefComponent(src, seq, p.stamp)
	att := messageProp(a)
	params := make(ical.Params, len(att.Params)+1)
	for k, v := range att.Params {
		if k != ical.ParamRSVP {
			params[k] = v
		}
	}
	params[ical.ParamParticipationStatus] = []string{partstat}
	att.Params = params
	c.Props[ical.PropAttendee] = []ical.Prop{att}
	// A delegator's REPLY names the delegates too (RFC 5546 §4.2.5 B).
	for _, d := range delegatesIn(src, a) {
		c.Props[ical.PropAttendee] = append(c.Props[ical.PropAttendee], messageProp(&d))
	}
	if src.Name == ical.CompToDo {
		for _, name := range [...]string{ical.PropPercentComplete, ical.PropCompleted} {
			if v, ok := src.Props[name]; ok {
				c.Props[name] = v
			}
		}
	}
	c.Props[ical.PropRequestStatus] = []ical.Prop{{Name: ical.PropRequestStatus, Params: ical.Params{}, Value: "2.0;Success"}}
	return c
}

// checkAttendeeChange enforces RFC 6638 §3.2.2.1: an attendee may only
// change their own participation, TRANSP, PERCENT-COMPLETE, COMPLETED,
// alarms, stamps, X- properties, add EXDATEs (dropping the overrides they
// exclude) and add overrides that differ from their master only in those.
func (p *planner) checkAttendeeChange(oldObj, newObj *Object) error {
	fail := func(format string, args ...any) error { return errorf(AllowedAttendeeChange, format, args...) }
	if (oldObj.Master == nil) != (newObj.Master == nil) {
		return fail("the master component was added or removed")
	}
	var oldEx, newEx []time.Time
	if oldObj.Master != nil {
		var err error
		if oldEx, err = oldObj.ExcludedKeys(oldObj.Master); err != nil {
			return wrapError(ValidCalendarData, "EXDATE", err)
		}
		if newEx, err = newObj.ExcludedKeys(newObj.Master); err != nil {
			return wrapError(ValidCalendarData, "EXDATE", err)
		}
		if !subset(oldEx, newEx) {
			return fail("an EXDATE was removed")
		}
	}
	for _, ov := range oldObj.Overrides {
		if newObj.Override(ov.Key) == nil && !containsKey(newEx, ov.Key) {
			return fail("the override of %s was removed without an EXDATE", ov.Key.Format(time.RFC3339))
		}
	}
	for i, c := range newObj.Components() {
		cp, key, derived := counterpart(oldObj, newObj, i)
		if cp == nil {
			return fail("a component for an instance the organizer did not send")
		}
		if name := p.forbiddenEdit(oldObj, newObj, cp, c, derived); name != "" {
			return fail("%s changed", name)
		}
		if derived {
			nt, mt := recurTimingOf(newObj, c), recurTimingOf(oldObj, cp)
			// A stored master that cannot be placed in time is judged by
			// the RECURRENCE-ID alone, never counted as moved for that.
			if !nt.valid || !nt.start.Equal(key) || (mt.valid && nt.length != mt.length) {
				return fail("the instance %s was moved", key.Format(time.RFC3339))
			}
		}
	}
	return nil
}

// attendeeProp lists the properties an attendee may add, change or remove.
func attendeeProp(name, kind string) bool {
	switch name {
	case ical.PropTransparency, ical.PropPercentComplete, ical.PropCompleted, ical.PropExceptionDates:
		return true
	case ical.PropStatus:
		return kind == ical.CompToDo // clients mark their copy of a task done
	}
	return volatileProp(name)
}

// forbiddenEdit returns the name of a property the attendee changed
// without being allowed to, or "". a is a component of oldObj, b one of
// newObj.
func (p *planner) forbiddenEdit(oldObj, newObj *Object, a, b *ical.Component, derived bool) string {
	check := func(name string, ap, bp []ical.Prop) string {
		if attendeeProp(name, b.Name) || (derived && instanceProp(name)) {
			return ""
		}
		switch name {
		case ical.PropAttendee:
			if !p.sameOthers(ap, p.withoutNewDelegates(a, b, bp)) {
				return name
			}
		default:
			if !samePropList(ap, bp) && !(instantProp(name) && sameInstant(oldObj, ap, newObj, bp)) {
				return name
			}
		}
		return ""
	}
	shared := 0 // names of b that a has too
	for name, bp := range b.Props {
		ap, ok := a.Props[name]
		if ok {
			shared++
		}
		if n := check(name, ap, bp); n != "" {
			return n
		}
	}
	if shared == len(a.Props) {
		return "" // a has no name b lacks
	}
	for name, ap := range a.Props {
		if _, ok := b.Props[name]; !ok {
			if n := check(name, ap, nil); n != "" {
				return n
			}
		}
	}
	return ""
}

// sameOthers reports whether two ATTENDEE lists name the same calendar
// users with the same parameters, except for the owner's own entry, whose
// parameters (PARTSTAT …) the owner may change.
func (p *planner) sameOthers(a, b []ical.Prop) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range b {
		var match *ical.Prop
		if a[i].Value == b[i].Value {
			match = &a[i] // the usual case: same order, same spelling
		} else {
			norm := p.normalize(b[i].Value)
			for j := range a {
				if p.normalize(a[j].Value) == norm {
					match = &a[j]
					break
				}
			}
		}
		if match == nil {
			return false
		}
		if p.isOwner(b[i].Value) {
			continue
		}
		if !p.sameAttendeeParamsAt(i, match.Params, b[i].Params) {
			return false
		}
	}
	return true
}

// paramsVerdict remembers one comparison of sameOthers: the maps compared
// and the result.
type paramsVerdict struct {
	a, b unsafe.Pointer
	same bool
}

// sameAttendeeParamsAt is sameAttendeeParams for the i-th ATTENDEE of a
// component, remembering the last answer for each i: a recurring event
// decoded with shared parameter maps (ics.DecodeShared) compares the same
// two maps at the same position in every override.
func (p *planner) sameAttendeeParamsAt(i int, a, b ical.Params) bool {
	pa, pb := reflect.ValueOf(a).UnsafePointer(), reflect.ValueOf(b).UnsafePointer()
	if pa == pb {
		return true
	}
	if i >= len(p.verdicts) {
		p.verdicts = append(p.verdicts, make([]paramsVerdict, i+1-len(p.verdicts))...)
	}
	v := &p.verdicts[i]
	if v.a != pa || v.b != pb {
		*v = paramsVerdict{a: pa, b: pb, same: sameAttendeeParams(a, b)}
	}
	return v.same
}

// instantProp reports the single-valued date-time properties that
// sameInstant may find unchanged although their text differs.
func instantProp(name string) bool {
	switch name {
	case ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue, ical.PropRecurrenceID:
		return true
	}
	return false
}

// sameInstant reports whether the one-property lists a (of oldObj) and b
// (of newObj) name the same instant, written differently: another TZID
// (e.g. a Windows zone name a client substitutes for the IANA one), UTC
// instead of a zone, another VTIMEZONE copy. An attendee's client that
// rewrites DTSTART that way changes nothing RFC 6638 §3.2.2.1 protects,
// so the write is not refused.
//
// UTC and zoned values compare by instant alone. A floating value (the
// same wall clock in every zone) and a DATE (a whole day) are no instant:
// they only match values of their own kind, so turning an all-day or a
// floating event into a timed one is still a change. Values that cannot
// be parsed (an unknown TZID) fall back to the textual comparison, which
// already found them different.
func sameInstant(oldObj *Object, a []ical.Prop, newObj *Object, b []ical.Prop) bool {
	if len(a) != 1 || len(b) != 1 {
		return false
	}
	va, err := oldObj.Time(&a[0])
	if err != nil {
		return false
	}
	vb, err := newObj.Time(&b[0])
	if err != nil {
		return false
	}
	absolute := func(k tz.Kind) bool { return k == tz.UTC || k == tz.Zoned }
	if va.Kind != vb.Kind && !(absolute(va.Kind) && absolute(vb.Kind)) {
		return false
	}
	return va.Time.Equal(vb.Time)
}
