package itip

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// request applies a REQUEST (RFC 5546 §3.2.2) to the attendee's copy.
func (a *applier) request() (*Applied, error) {
	if a.old != nil && a.forwardedByDelegator() {
		// A delegator's forwarded invitation (RFC 5546 §4.2.5) may
		// create the delegate's copy; the copy, once there, is the
		// organizer's to update.
		return a.ignored("a delegator's forwarded invitation for an object the recipient already has"), nil
	}
	if err := a.checkOrganizerMessage(); err != nil {
		return nil, err
	}
	if !isAttendeeOf(a.msg, a.recipient) {
		return nil, &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: a.recipient + " is not an ATTENDEE of the REQUEST"}
	}
	if a.old == nil {
		comps := make([]*ical.Component, 0, len(a.msg.Overrides)+1)
		for _, c := range a.msg.Components() {
			comps = append(comps, cleanIncoming(c))
		}
		return &Applied{Outcome: OutcomeCreated, Calendar: a.buildCalendar(comps, true)}, nil
	}
	var comps []*ical.Component
	if a.msg.Master != nil {
		counterpart := a.old.Master
		if counterpart == nil {
			counterpart = a.old.Overrides[0].Component
		}
		// Only a strictly older revision is stale. The same revision (same
		// SEQUENCE, DTSTAMP in the same second) is merged, and updated
		// reports OutcomeUnchanged when nothing differs: a status-only
		// refresh sent within a second of the invitation must not be lost.
		//
		// Each UID+RECURRENCE-ID is its own revision line (RFC 5546
		// §2.1.5): an older master with newer overrides applies those
		// overrides alone.
		if compareToCopy(a.msg.Master, counterpart) < 0 {
			if len(a.msg.Overrides) == 0 {
				return a.ignored("stale REQUEST: the stored copy is a newer revision (RFC 5546 §2.1.5)"), nil
			}
			a.skip("master: stale (the stored copy is a newer revision)")
			var res *Applied
			if comps, res = a.mergeInstances(); res != nil {
				return res, nil
			}
			return a.updated(comps)
		}
		var err error
		if comps, err = a.mergeFull(); err != nil {
			return nil, err
		}
	} else {
		var res *Applied
		comps, res = a.mergeInstances()
		if res != nil {
			return res, nil
		}
	}
	return a.updated(comps)
}

// updated builds the new copy from comps and classifies the change.
func (a *applier) updated(comps []*ical.Component) (*Applied, error) {
	cal := a.buildCalendar(comps, true)
	no, err := ParseObject(cal, a.opts.Floating)
	if err != nil {
		return nil, err
	}
	if sameObject(a.old, no, false) {
		return &Applied{Outcome: OutcomeUnchanged, Reason: "the copy already reflects this message"}, nil
	}
	return &Applied{Outcome: OutcomeUpdated, Calendar: cal, StatusOnly: sameObject(a.old, no, true)}, nil
}

// mergeFull merges a REQUEST carrying the master (it replaces the whole
// object) with the recipient's data from the stored copy.
func (a *applier) mergeFull() ([]*ical.Component, error) {
	old, msg := a.old, a.msg
	master := cleanIncoming(msg.Master)
	moved := old.Master == nil || movedInstances(old, old.Master, msg, msg.Master)
	src := old.Master
	if src == nil {
		src = a.anyOldComponent()
	}
	keepRecipientData(master, src, a.recipient, !moved)

	// Instances the recipient removed (EXDATEs of the stored copy that the
	// organizer does not have) stay removed while the recurrence is the
	// same (RFC 6638 §3.2.2.1 item 8).
	removed := map[time.Time]bool{}
	if !moved {
		msgEx, err := msg.ExcludedKeys(msg.Master)
		if err != nil {
			return nil, wrapError(ValidCalendarData, "EXDATE", err)
		}
		organizerEx := keySet(msgEx)
		for _, p := range old.Master.Props[ical.PropExceptionDates] {
			for _, v := range strings.Split(p.Value, ",") {
				one := cloneProp(&p)
				one.Value = strings.TrimSpace(v)
				k, err := old.InstanceKey(&one)
				if err != nil || organizerEx[k] || removed[k] {
					continue
				}
				removed[k] = true
				master.Props[ical.PropExceptionDates] = append(master.Props[ical.PropExceptionDates], one)
			}
		}
	}

	comps := []*ical.Component{master}
	type keyed struct {
		key time.Time
		c   *ical.Component
	}
	var overrides []keyed
	fromMessage := map[time.Time]bool{}
	for _, in := range msg.Overrides {
		if removed[in.Key] {
			continue
		}
		if prev := old.Override(in.Key); prev != nil && compareToCopy(in.Component, prev) < 0 {
			a.skip("instance %s: stale (the stored copy is a newer revision)", in.Key.Format(time.RFC3339))
			overrides = append(overrides, keyed{in.Key, cloneComponent(prev, true)})
			fromMessage[in.Key] = true
			continue
		}
		c := cleanIncoming(in.Component)
		prev, instMoved := old.Override(in.Key), true
		switch {
		case prev != nil:
			instMoved = movedInstances(old, prev, msg, c)
		case old.Master != nil:
			prev = old.Master
			if !moved {
				instMoved = movedInstances(old, copyInstance(old, old.Master, in.Key), msg, c)
			}
		}
		keepRecipientData(c, prev, a.recipient, !instMoved)
		overrides = append(overrides, keyed{in.Key, c})
		fromMessage[in.Key] = true
	}

	// Overrides the recipient made (a declined instance, another alarm)
	// are rebuilt on the organizer's new master while the recurrence is
	// the same (RFC 6638 §3.2.2.1 item 11).
	if !moved && isRecurring(master) {
		msgEx, _ := msg.ExcludedKeys(msg.Master)
		organizerEx := keySet(msgEx)
		for _, in := range old.Overrides {
			if fromMessage[in.Key] || organizerEx[in.Key] || removed[in.Key] {
				continue
			}
			if Sequence(in.Component) > Sequence(msg.Master) {
				// A newer revision of this instance (an instance CANCEL
				// applied after this master was sent) stays.
				overrides = append(overrides, keyed{in.Key, cloneComponent(in.Component, true)})
				continue
			}
			d := copyInstance(msg, master, in.Key)
			if movedInstances(old, in.Component, msg, d) {
				continue
			}
			plain := canonical(d, false)
			keepRecipientData(d, in.Component, a.recipient, true)
			if sameLines(plain, canonical(d, false)) {
				continue // nothing of the recipient's differs from the master
			}
			overrides = append(overrides, keyed{in.Key, d})
		}
	}
	sort.SliceStable(overrides, func(i, j int) bool { return overrides[i].key.Before(overrides[j].key) })
	for _, o := range overrides {
		comps = append(comps, o.c)
	}
	return comps, nil
}

// anyOldComponent returns a component of the stored copy to take the
// recipient's data from when it has no master.
func (a *applier) anyOldComponent() *ical.Component {
	if len(a.old.Overrides) > 0 {
		return a.old.Overrides[0].Component
	}
	return nil
}

// mergeInstances applies a REQUEST that carries only overridden instances
// (RFC 6638 §3.2.6) to the stored copy. A non-nil *Applied means there is
// nothing to apply.
func (a *applier) mergeInstances() ([]*ical.Component, *Applied) {
	old, msg := a.old, a.msg
	comps := make([]*ical.Component, 0, len(old.Overrides)+len(msg.Overrides)+1)
	index := map[time.Time]int{}
	if old.Master != nil {
		comps = append(comps, cloneComponent(old.Master, true))
	}
	for _, in := range old.Overrides {
		index[in.Key] = len(comps)
		comps = append(comps, cloneComponent(in.Component, true))
	}
	applied := 0
	for _, in := range msg.Overrides {
		prev := old.Override(in.Key)
		counterpart := prev
		if counterpart == nil {
			counterpart = old.Master
		}
		if counterpart != nil && compareToCopy(in.Component, counterpart) < 0 {
			a.skip("instance %s: stale (the stored copy is a newer revision)", in.Key.Format(time.RFC3339))
			continue
		}
		c := cleanIncoming(in.Component)
		moved := true
		if prev != nil {
			moved = movedInstances(old, prev, msg, c)
		} else if isRecurring(old.Master) {
			moved = movedInstances(old, copyInstance(old, old.Master, in.Key), msg, c)
		}
		keepRecipientData(c, counterpart, a.recipient, !moved)
		if i, ok := index[in.Key]; ok {
			comps[i] = c
		} else {
			index[in.Key] = len(comps)
			comps = append(comps, c)
		}
		applied++
	}
	if applied == 0 {
		return nil, a.ignored("stale REQUEST: the stored copy is a newer revision of every instance (RFC 5546 §2.1.5)")
	}
	return comps, nil
}

// add applies an ADD (RFC 5546 §3.2.4): each component is a new instance,
// as if referenced by an RDATE of the master.
func (a *applier) add() (*Applied, error) {
	if err := a.checkOrganizerMessage(); err != nil {
		return nil, err
	}
	if len(a.msg.Overrides) > 0 || a.msg.Master == nil {
		return nil, errorf(ValidSchedulingMessage, "an ADD carries one component without RECURRENCE-ID")
	}
	c := a.msg.Master
	start := firstProp(c.Props, ical.PropDateTimeStart)
	if start == nil {
		return nil, errorf(ValidSchedulingMessage, "an ADD needs DTSTART")
	}
	sv, err := a.msg.Time(start)
	if err != nil {
		return nil, wrapError(ValidCalendarData, "DTSTART", err)
	}
	key := sv.Time.UTC()
	if a.old == nil || a.old.Master == nil {
		res := a.ignored("ADD for an object the recipient does not have: asking the organizer for it with REFRESH (RFC 5546 §3.2.4)")
		res.Refresh = []*Message{a.refreshRequest()}
		return res, nil
	}
	old := a.old
	if compareToCopy(c, old.Master) < 0 {
		return a.ignored("stale ADD: the stored copy is a newer revision (RFC 5546 §2.1.5)"), nil
	}
	master := cloneComponent(old.Master, true)
	oldStart := firstProp(old.Master.Props, ical.PropDateTimeStart)
	if oldStart == nil {
		return nil, errorf(ValidCalendarObjectResource, "the stored master has no DTSTART")
	}
	at := propAt(old, oldStart, key)
	value, params := at.Value, at.Params
	rdates, err := old.RecurrenceDateKeys(old.Master)
	if err != nil {
		return nil, wrapError(ValidCalendarData, "RDATE", err)
	}
	if !keySet(rdates)[key] {
		master.Props[ical.PropRecurrenceDates] = append(master.Props[ical.PropRecurrenceDates],
			ical.Prop{Name: ical.PropRecurrenceDates, Params: params, Value: value})
	}
	removeListValue(old, master, ical.PropExceptionDates, key)
	if p := firstProp(c.Props, ical.PropSequence); p != nil {
		master.Props[ical.PropSequence] = []ical.Prop{cloneProp(p)}
	}
	takeStamp(master, c)
	inst := cleanIncoming(c)
	for _, name := range []string{ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates} {
		delete(inst.Props, name)
	}
	inst.Props[ical.PropRecurrenceID] = []ical.Prop{{Name: ical.PropRecurrenceID, Params: cloneProp(&at).Params, Value: value}}
	keepRecipientData(inst, old.Master, a.recipient, false)

	comps := []*ical.Component{master}
	placed := false
	for _, in := range old.Overrides {
		switch {
		case in.Key.Equal(key):
			comps = append(comps, inst)
			placed = true
			continue
		case !placed && in.Key.After(key):
			comps = append(comps, inst)
			placed = true
		}
		comps = append(comps, cloneComponent(in.Component, true))
	}
	if !placed {
		comps = append(comps, inst)
	}
	res, err := a.updated(comps)
	if err == nil && res.Outcome == OutcomeUpdated {
		res.StatusOnly = false
	}
	return res, err
}

// removeListValue removes the values of the list property name of c (in
// object o) whose instance key is key, dropping properties left empty.
func removeListValue(o *Object, c *ical.Component, name string, key time.Time) {
	props := c.Props[name]
	kept := props[:0]
	for _, p := range props {
		var vals []string
		for _, v := range strings.Split(p.Value, ",") {
			one := cloneProp(&p)
			one.Value = strings.TrimSpace(v)
			if k, err := o.InstanceKey(&one); err == nil && k.Equal(key) {
				continue
			}
			vals = append(vals, one.Value)
		}
		if len(vals) == 0 {
			continue
		}
		p.Value = strings.Join(vals, ",")
		kept = append(kept, p)
	}
	if len(kept) == 0 {
		delete(c.Props, name)
		return
	}
	c.Props[name] = kept
}

func keySet(keys []time.Time) map[time.Time]bool {
	m := make(map[time.Time]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// buildCalendar returns the recipient's new copy holding comps: the
// calendar properties of the stored copy (or of the message, without
// METHOD, for a new copy) and the VTIMEZONEs comps reference, taken from
// the message (when msgZones: it comes from the organizer) or else from
// the stored copy.
func (a *applier) buildCalendar(comps []*ical.Component, msgZones bool) *ical.Calendar {
	top := a.msg.Calendar.Component
	if a.old != nil {
		top = a.old.Calendar.Component
	}
	cal := &ical.Calendar{Component: &ical.Component{Name: ical.CompCalendar, Props: make(ical.Props, len(top.Props))}}
	for name, props := range top.Props {
		if name == ical.PropMethod {
			continue
		}
		cp := make([]ical.Prop, len(props))
		for i := range props {
			cp[i] = cloneProp(&props[i])
		}
		cal.Props[name] = cp
	}
	if firstProp(cal.Props, ical.PropVersion) == nil {
		setProp(cal.Component, ical.PropVersion, "2.0")
	}
	if firstProp(cal.Props, ical.PropProductID) == nil {
		setProp(cal.Component, ical.PropProductID, a.prodID())
	}
	have := map[string]bool{}
	if msgZones || a.old == nil {
		for _, tzc := range a.msg.Timezones(comps...) {
			have[propValue(tzc, ical.PropTimezoneID)] = true
			cal.Children = append(cal.Children, cloneComponent(tzc, true))
		}
	}
	if a.old != nil {
		for _, tzc := range a.old.Timezones(comps...) {
			if id := propValue(tzc, ical.PropTimezoneID); !have[id] {
				have[id] = true
				cal.Children = append(cal.Children, cloneComponent(tzc, true))
			}
		}
	}
	cal.Children = append(cal.Children, comps...)
	return cal
}

func (a *applier) prodID() string {
	if a.opts.ProdID != "" {
		return a.opts.ProdID
	}
	return DefaultProdID
}

// sameObject reports whether x and y describe the same instances with the
// same content; with statusOnly, differences in participation status (and
// DTSTAMP) are ignored.
func sameObject(x, y *Object, statusOnly bool) bool {
	if (x.Master == nil) != (y.Master == nil) {
		return false
	}
	if x.Master != nil && !sameLines(canonical(x.Master, statusOnly), canonical(y.Master, statusOnly)) {
		return false
	}
	keys := map[time.Time]bool{}
	for _, in := range x.Overrides {
		keys[in.Key] = true
	}
	for _, in := range y.Overrides {
		keys[in.Key] = true
	}
	for k := range keys {
		cx, cy := instanceAt(x, k), instanceAt(y, k)
		if cx == nil || cy == nil {
			if cx != cy {
				return false
			}
			continue
		}
		if !sameLines(canonical(cx, statusOnly), canonical(cy, statusOnly)) {
			return false
		}
	}
	return true
}
