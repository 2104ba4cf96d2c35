package itip

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// statusCancelled is the STATUS value of cancelled components.
const statusCancelled = "CANCELLED"

// cancel applies a CANCEL (RFC 5546 §3.2.5) to the attendee's copy: a
// component without RECURRENCE-ID cancels the whole copy (also when it only
// uninvites the recipient), one with RECURRENCE-ID that instance, or with
// RANGE=THISANDFUTURE that instance and all later ones. Cancelled
// components are kept with STATUS:CANCELLED, so that the calendar user
// sees what happened; a CANCEL for a copy that does not exist is ignored.
func (a *applier) cancel() (*Applied, error) {
	if err := a.checkOrganizerMessage(); err != nil {
		return nil, err
	}
	if a.old == nil {
		return a.ignored("CANCEL for an object the recipient does not have: nothing to cancel"), nil
	}
	c := &copyEdit{old: a.old, comps: map[time.Time]*ical.Component{}}
	if a.old.Master != nil {
		c.master = cloneComponent(a.old.Master, true)
	}
	for _, in := range a.old.Overrides {
		c.comps[in.Key] = cloneComponent(in.Component, true)
	}
	a.checkInstances(a.old)
	applied := 0
	if m := a.msg.Master; m != nil {
		counterpart := a.old.Master
		if counterpart == nil {
			counterpart = a.old.Overrides[0].Component
		}
		if compareToCopy(m, counterpart) < 0 {
			return a.ignored("stale CANCEL: the stored copy is a newer revision (RFC 5546 §2.1.5)"), nil
		}
		c.cancelAll(m)
		applied++
	}
	for _, in := range a.msg.Overrides {
		ok, err := a.cancelInstance(c, in)
		if err != nil {
			return nil, err
		}
		if ok {
			applied++
		}
	}
	if applied == 0 {
		return a.ignored("nothing in the CANCEL applies to the stored copy"), nil
	}
	res, err := a.updated(c.components())
	if err != nil || res.Outcome != OutcomeUpdated {
		return res, err
	}
	res.Outcome, res.StatusOnly = OutcomeCancelled, false
	return res, nil
}

// cancelInstance cancels the instance in (a component of the message with
// RECURRENCE-ID) in the copy being edited; it reports whether it did.
func (a *applier) cancelInstance(c *copyEdit, in Instance) (bool, error) {
	when := in.Key.Format(time.RFC3339)
	rid := firstProp(in.Component.Props, ical.PropRecurrenceID)
	future := strings.EqualFold(rid.Params.Get(ical.ParamRange), "THISANDFUTURE")
	prev := a.old.Override(in.Key)
	counterpart := prev
	if counterpart == nil {
		counterpart = a.old.Master
	}
	if counterpart == nil {
		a.skip("instance %s: not in the stored copy", when)
		return false, nil
	}
	if compareToCopy(in.Component, counterpart) < 0 {
		a.skip("instance %s: stale CANCEL", when)
		return false, nil
	}
	if c.master != nil {
		if start, err := a.old.Time(firstProp(a.old.Master.Props, ical.PropDateTimeStart)); err == nil && !in.Key.After(start.Time.UTC()) {
			if future || !isRecurring(a.old.Master) && in.Key.Equal(start.Time.UTC()) {
				c.cancelAll(in.Component) // the first instance and all after it, or the only one
				return true, nil
			}
		}
	}
	if future {
		if c.master == nil {
			a.skip("instance %s: RANGE=THISANDFUTURE on a copy without master", when)
			return false, nil
		}
		return true, c.truncate(in.Component, in.Key)
	}
	target := c.comps[in.Key]
	if target == nil {
		if !isRecurring(a.old.Master) {
			a.skip("instance %s: not an instance of the stored copy", when)
			return false, nil
		}
		if len(c.comps) >= maxCopyOverrides {
			a.skip("instance %s: the stored copy already has %d overrides", when, len(c.comps))
			return false, nil
		}
		if found, ok := a.isInstance(a.old, in.Key); !found || !ok {
			a.skip("instance %s: not an instance of the stored copy's recurrence", when)
			return false, nil
		}
		target = copyInstance(a.old, a.old.Master, in.Key)
		c.comps[in.Key] = target
	}
	// Only the cancelled instance takes the CANCEL's revision: each
	// UID+RECURRENCE-ID is its own revision line (RFC 5546 §2.1.5), and
	// raising the master would make the organizer's later REQUESTs for
	// the rest of the series look stale.
	markCancelled(target, in.Component)
	return true, nil
}

// copyEdit is a stored copy being edited by a CANCEL.
type copyEdit struct {
	old    *Object
	master *ical.Component
	comps  map[time.Time]*ical.Component // overrides by instance key
}

// cancelAll marks every component cancelled by msg.
func (c *copyEdit) cancelAll(msg *ical.Component) {
	if c.master != nil {
		markCancelled(c.master, msg)
	}
	for _, comp := range c.comps {
		markCancelled(comp, msg)
	}
}

// truncate ends the recurrence before key (RANGE=THISANDFUTURE): the
// RRULE gets an UNTIL just before it (replacing COUNT), later RDATEs and
// overrides go.
func (c *copyEdit) truncate(msg *ical.Component, key time.Time) error {
	m := c.master
	start := firstProp(m.Props, ical.PropDateTimeStart)
	sv, err := c.old.Time(start)
	if err != nil {
		return wrapError(ValidCalendarData, "DTSTART", err)
	}
	if rr := firstProp(m.Props, ical.PropRecurrenceRule); rr != nil {
		var until string
		limit := key.Add(-time.Second)
		switch sv.Kind {
		case tz.Date:
			limit = key.In(c.old.floating).AddDate(0, 0, -1)
			until = limit.Format("20060102")
		case tz.Floating:
			until = limit.In(c.old.floating).Format("20060102T150405")
		default:
			until = utcDateTime(limit)
		}
		var parts []string
		for _, part := range strings.Split(rr.Value, ";") {
			name, value, _ := strings.Cut(part, "=")
			switch strings.ToUpper(strings.TrimSpace(name)) {
			case "COUNT":
				continue
			case "UNTIL":
				if t, ok := c.parseUntil(value); ok && t.Before(limit) {
					until = value // the rule already ends earlier
				}
				continue
			}
			if part != "" {
				parts = append(parts, part)
			}
		}
		rr.Value = strings.Join(append(parts, "UNTIL="+until), ";")
	}
	for _, name := range []string{ical.PropRecurrenceDates} {
		props := m.Props[name]
		kept := props[:0]
		for _, p := range props {
			var vals []string
			for _, v := range strings.Split(p.Value, ",") {
				one := cloneProp(&p)
				one.Value = strings.TrimSpace(v)
				if k, err := c.old.InstanceKey(&one); err == nil && !k.Before(key) {
					continue
				}
				vals = append(vals, one.Value)
			}
			if len(vals) > 0 {
				p.Value = strings.Join(vals, ",")
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			delete(m.Props, name)
		} else {
			m.Props[name] = kept
		}
	}
	for k := range c.comps {
		if !k.Before(key) {
			delete(c.comps, k)
		}
	}
	if p := firstProp(msg.Props, ical.PropSequence); p != nil && Sequence(msg) > Sequence(m) {
		m.Props[ical.PropSequence] = []ical.Prop{cloneProp(p)}
	}
	takeStamp(m, msg)
	return nil
}

// parseUntil parses the UNTIL value of an RRULE.
func (c *copyEdit) parseUntil(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if len(v) == 8 {
		t, err := time.ParseInLocation("20060102", v, c.old.floating)
		return t, err == nil
	}
	tv, err := c.old.resolver.ParseDateTime(v, "", c.old.floating)
	return tv.Time, err == nil
}

// object returns the view of cal, built by buildCalendar from
// c.components(), without parsing it again: the instance keys are those
// of the edit, and the VTIMEZONEs those of the stored copy, so its
// resolver stays valid.
func (c *copyEdit) object(cal *ical.Calendar) *Object {
	o := *c.old
	o.Calendar, o.Master = cal, c.master
	o.Overrides = make([]Instance, 0, len(c.comps))
	for k, comp := range c.comps {
		o.Overrides = append(o.Overrides, Instance{Key: k, Component: comp})
	}
	sort.Slice(o.Overrides, func(i, j int) bool { return o.Overrides[i].Key.Before(o.Overrides[j].Key) })
	return &o
}

// components returns the master followed by the overrides in instance
// order.
func (c *copyEdit) components() []*ical.Component {
	keys := make([]time.Time, 0, len(c.comps))
	for k := range c.comps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	out := make([]*ical.Component, 0, len(keys)+1)
	if c.master != nil {
		out = append(out, c.master)
	}
	for _, k := range keys {
		out = append(out, c.comps[k])
	}
	return out
}

// markCancelled sets STATUS:CANCELLED on comp and takes the revision
// (SEQUENCE when higher, DTSTAMP) of the cancelling component msg.
func markCancelled(comp, msg *ical.Component) {
	setProp(comp, ical.PropStatus, statusCancelled)
	if Sequence(msg) > Sequence(comp) {
		setProp(comp, ical.PropSequence, strconv.Itoa(Sequence(msg)))
	}
	if firstProp(msg.Props, ical.PropDateTimeStamp) != nil {
		takeStamp(comp, msg)
	}
}
