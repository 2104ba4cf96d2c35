package schedule

import (
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// AttendeeChangePolicy says what to do with an attendee's write that
// changes more than RFC 6638 §3.2.2.1 allows.
type AttendeeChangePolicy uint8

const (
	// AttendeeChangeRefuse answers 403 with the precondition
	// allowed-attendee-scheduling-object-change (RFC 6638 §3.2.4.4).
	AttendeeChangeRefuse AttendeeChangePolicy = iota
	// AttendeeChangeKeepAllowed stores the attendee's allowed changes
	// (their PARTSTAT, TRANSP, PERCENT-COMPLETE, COMPLETED, VALARMs,
	// CALSCALE, PRODID, added EXDATEs, CREATED, DTSTAMP, LAST-MODIFIED)
	// applied to the stored copy, and drops the rest. Overrides the
	// attendee added are kept when the planner accepts them, all dropped
	// otherwise. The answer then has no ETag: the client must fetch what
	// was stored.
	AttendeeChangeKeepAllowed
)

// attendeeOwnedProps are the component properties an attendee may add,
// change or remove (RFC 6638 §3.2.2.1 items 2, 3, 4 and 9).
var attendeeOwnedProps = [...]string{
	ical.PropTransparency, ical.PropPercentComplete, ical.PropCompleted,
	ical.PropCreated, ical.PropDateTimeStamp, ical.PropLastModified,
}

// keepAllowedAttendeeChanges returns the stored copy (oldData) with the
// changes of newCal that RFC 6638 §3.2.2.1 lets the attendee (addrs)
// make; nil when the stored copy cannot be read. Overrides that newCal
// adds are kept as written when withNewOverrides is set (the planner then
// judges them), dropped otherwise; an override the attendee removed goes
// only when they excluded its instance.
func keepAllowedAttendeeChanges(oldData []byte, newCal *ical.Calendar, addrs []string, withNewOverrides bool) *ical.Calendar {
	base, err := ics.DecodeShared(oldData)
	if err != nil {
		return nil
	}
	baseObj, err := itip.ParseObject(base, time.UTC)
	if err != nil {
		return nil
	}
	newObj, err := itip.ParseObject(newCal, time.UTC)
	if err != nil {
		return nil
	}
	own := caladdr.NewSet(addrs...)
	for _, name := range [...]string{ical.PropCalendarScale, ical.PropProductID} {
		if v, ok := newCal.Props[name]; ok {
			base.Props[name] = v
		} else if name == ical.PropCalendarScale {
			delete(base.Props, name)
		}
	}
	excluded := make(map[time.Time]bool)
	if newObj.Master != nil {
		keys, _ := newObj.ExcludedKeys(newObj.Master)
		for _, k := range keys {
			excluded[k] = true
		}
	}
	var children []*ical.Component
	tzids := make(map[string]bool)
	for _, c := range base.Children {
		if c.Name == ical.CompTimezone {
			tzids[c.Props.Get(ical.PropTimezoneID).Value] = true
			children = append(children, c)
			continue
		}
		var n *ical.Component
		if rid := c.Props.Get(ical.PropRecurrenceID); rid == nil {
			n = newObj.Master
		} else if key, err := baseObj.InstanceKey(rid); err == nil {
			if excluded[key] && newObj.Override(key) == nil {
				continue // the attendee removed the instance
			}
			n = newObj.Override(key)
		}
		if n != nil {
			keepAllowedComponentChanges(c, n, own)
			if c.Props.Get(ical.PropRecurrenceID) == nil {
				addExdates(baseObj, newObj, c, n)
			}
		}
		children = append(children, c)
	}
	for _, inst := range newObj.Overrides {
		if withNewOverrides && baseObj.Override(inst.Key) == nil {
			children = append(children, inst.Component)
		}
	}
	for _, c := range newCal.Children {
		if c.Name == ical.CompTimezone && !tzids[c.Props.Get(ical.PropTimezoneID).Value] {
			children = append(children, c)
		}
	}
	base.Children = children
	return base
}

// keepAllowedComponentChanges copies into c (a stored component) what
// the attendee may change from n (their version of it).
func keepAllowedComponentChanges(c, n *ical.Component, own caladdr.Set) {
	for _, name := range attendeeOwnedProps {
		if v, ok := n.Props[name]; ok {
			c.Props[name] = v
		} else {
			delete(c.Props, name)
		}
	}
	atts := c.Props[ical.PropAttendee]
	for i := range atts {
		if !own.Has(atts[i].Value) {
			continue
		}
		mine := itip.Attendee(n, atts[i].Value)
		if mine == nil {
			continue
		}
		params := make(ical.Params, len(atts[i].Params)+1)
		for k, v := range atts[i].Params {
			params[k] = v
		}
		params.Set(ical.ParamParticipationStatus, itip.Partstat(mine))
		atts[i].Params = params
	}
	var children []*ical.Component
	for _, ch := range c.Children {
		if ch.Name != ical.CompAlarm {
			children = append(children, ch)
		}
	}
	for _, ch := range n.Children {
		if ch.Name == ical.CompAlarm {
			children = append(children, ch)
		}
	}
	c.Children = children
}

// addExdates adds to the stored master c the EXDATE values of n (the
// attendee's master) that exclude instances c does not exclude yet.
func addExdates(baseObj, newObj *itip.Object, c, n *ical.Component) {
	have := make(map[time.Time]bool)
	keys, _ := baseObj.ExcludedKeys(c)
	for _, k := range keys {
		have[k] = true
	}
	for _, p := range n.Props[ical.PropExceptionDates] {
		ks, err := newObj.InstanceKeys(&p)
		if err != nil {
			continue
		}
		for _, k := range ks {
			if !have[k] {
				c.Props[ical.PropExceptionDates] = append(c.Props[ical.PropExceptionDates], p)
				for _, k2 := range ks {
					have[k2] = true
				}
				break
			}
		}
	}
}
