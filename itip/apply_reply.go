package itip

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// reply applies a REPLY (RFC 5546 §3.2.3, RFC 6638 §4.2) to the
// organizer's copy: the replying attendee's PARTSTAT per instance (an
// override is created for a reply about an instance that had none),
// SCHEDULE-STATUS from REQUEST-STATUS, RSVP removed. The other attendees
// get status-only REQUESTs in Applied.Refresh.
func (a *applier) reply() (*Applied, error) {
	replier, err := a.fromAttendee()
	if err != nil {
		return nil, err
	}
	if err := a.checkOrganizerCopy(); err != nil || a.old == nil {
		if err != nil {
			return nil, err
		}
		return a.ignored("REPLY for an object the organizer does not have (RFC 6638 §4.2)"), nil
	}
	if caladdr.Equal(replier, a.old.Organizer) {
		return nil, errorf(ValidSchedulingMessage, "a REPLY from the organizer to itself")
	}
	known := isAttendeeOf(a.old, replier)
	a.delegate = isDelegateIn(a.old, replier)
	if !known && !a.delegate && !a.opts.AcceptReplyFromNonAttendee {
		return nil, &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: replier + " replied but is not an ATTENDEE of the organizer's copy"}
	}

	edit := &copyEdit{old: a.old, comps: map[time.Time]*ical.Component{}}
	if a.old.Master != nil {
		edit.master = cloneComponent(a.old.Master, true)
	}
	for _, in := range a.old.Overrides {
		edit.comps[in.Key] = cloneComponent(in.Component, true)
	}
	a.checkInstances(a.old)
	applied := 0
	for _, c := range a.msg.Components() {
		ok, err := a.replyComponent(edit, c, replier, known)
		if err != nil {
			return nil, err
		}
		if ok {
			applied++
			if firstProp(c.Props, ical.PropRecurrenceID) == nil {
				a.followMaster(edit, c, replier)
			}
		}
	}
	if applied == 0 {
		return a.ignored("nothing in the REPLY applies to the organizer's copy"), nil
	}
	if !a.changed {
		return &Applied{Outcome: OutcomeUnchanged, Reason: "the copy already reflects this REPLY"}, nil
	}
	// The organizer's VTIMEZONEs stay: an attendee's REPLY must not
	// redefine the zones of the organizer's event.
	cal := a.buildCalendar(edit.components(), false)
	no := edit.object(cal)
	// Processing a reply never changes the organizer's Schedule-Tag
	// (RFC 6638 §3.2.10), whatever it added.
	return &Applied{Outcome: OutcomeUpdated, Calendar: cal, StatusOnly: true,
		Refresh: a.requests(no, UpdateStatusOnly, replier, "", nil)}, nil
}

// replyComponent applies one component of a REPLY; it reports whether it
// changed anything in edit.
func (a *applier) replyComponent(edit *copyEdit, c *ical.Component, replier string, known bool) (bool, error) {
	var target *ical.Component
	key, derived := time.Time{}, false
	what := "the series"
	if rid := firstProp(c.Props, ical.PropRecurrenceID); rid == nil {
		target = edit.master
		if target == nil {
			a.skip("reply for the series, but the organizer's copy has only single instances")
			return false, nil
		}
	} else {
		k, err := a.msg.InstanceKey(rid)
		if err != nil {
			return false, wrapError(ValidCalendarData, "RECURRENCE-ID", err)
		}
		key, what = k, "instance "+k.Format(time.RFC3339)
		target = edit.comps[key]
		switch {
		case target != nil:
		case isRecurring(a.old.Master):
			if len(edit.comps) >= maxCopyOverrides {
				a.skip("%s: the organizer's copy already has %d overrides", what, len(edit.comps))
				return false, nil
			}
			switch found, ok := a.isInstance(a.old, key); {
			case !ok:
				a.skip("%s: cannot check that it is an instance of the recurrence", what)
				return false, nil
			case !found:
				a.skip("%s: RECURRENCE-ID names no instance of the recurrence", what)
				return false, nil
			}
			target, derived = copyInstance(a.old, a.old.Master, key), true
		case a.old.Master != nil && a.isMasterStart(key):
			target = edit.master // a RECURRENCE-ID on a single event (some clients do that)
		default:
			// RFC 5546 leaves this open; a reply about an instance that
			// does not exist changes nothing, so it is ignored rather than
			// refused (the rest of the REPLY still applies).
			a.skip("%s: RECURRENCE-ID names no instance of the non-recurring event", what)
			return false, nil
		}
	}
	if Sequence(c) < Sequence(target) {
		a.skip("%s: reply to an older revision (SEQUENCE %d < %d)", what, Sequence(c), Sequence(target))
		return false, nil
	}
	from := replyingAttendee(c)
	att := Attendee(target, replier)
	if att != nil && replyIsOlder(att, c) {
		a.skip("%s: a later reply of %s was already applied (RFC 5546 §2.1.5)", what, replier)
		return false, nil
	}
	if att == nil {
		if !a.delegateIn(target, replier) && (known && !a.opts.AcceptReplyFromNonAttendee) {
			a.skip("%s: %s is not invited to it", what, replier)
			return false, nil
		}
		p := cloneProp(from)
		for _, name := range schedulingParams {
			delete(p.Params, name)
		}
		target.Props[ical.PropAttendee] = append(target.Props[ical.PropAttendee], p)
		a.changed = true
		att = &target.Props[ical.PropAttendee][len(target.Props[ical.PropAttendee])-1]
	}
	partstat := strings.ToUpper(strings.TrimSpace(from.Params.Get(ical.ParamParticipationStatus)))
	if partstat == "" {
		partstat = "NEEDS-ACTION"
	}
	if !isToken(partstat) {
		return false, errorf(ValidSchedulingMessage, "PARTSTAT %q is not a token", partstat)
	}
	if a.recordReply(att, c, partstat) || derived {
		a.changed = true
	}
	if a.addDelegates(target, c, from) {
		a.changed = true
	}
	if derived {
		edit.comps[key] = target
	}
	return true, nil
}

// addDelegates adds to target, a component of the organizer's copy, the
// delegates a delegator's REPLY component c names (RFC 5546 §4.2.5 B), so
// that the organizer's updates reach them; it reports whether it added
// any. A delegate already invited is left as it is.
func (a *applier) addDelegates(target, c *ical.Component, from *ical.Prop) bool {
	added := false
	for _, d := range delegatesIn(c, from) {
		if Attendee(target, d.Value) != nil {
			continue
		}
		p := cloneProp(&d)
		for _, name := range schedulingParams {
			delete(p.Params, name)
		}
		target.Props[ical.PropAttendee] = append(target.Props[ical.PropAttendee], p)
		added = true
	}
	return added
}

// recordReply writes the reply of component c (the replier's ATTENDEE
// in it, PARTSTAT partstat) into att, the replier's ATTENDEE in the
// organizer's copy: PARTSTAT, SCHEDULE-STATUS, delegation; RSVP goes. It
// reports whether att changed.
func (a *applier) recordReply(att *ical.Prop, c *ical.Component, partstat string) bool {
	from := replyingAttendee(c)
	before := canonicalProp(att, false)
	att.Params.Set(ical.ParamParticipationStatus, partstat)
	att.Params.Set(ParamScheduleStatus, replyStatus(c))
	recordReplyRevision(att, c)
	delete(att.Params, ical.ParamRSVP)
	for _, name := range []string{ical.ParamDelegatedTo, ical.ParamDelegatedFrom} {
		if v, ok := from.Params[name]; ok {
			att.Params[name] = append([]string(nil), v...)
		}
	}
	return canonicalProp(att, false) != before
}

// followMaster carries a reply for the series (component c, without
// RECURRENCE-ID) into the overrides of the organizer's copy that the
// REPLY does not name and where the replier had given no answer of their
// own: their PARTSTAT there was the one they had on the master. An
// override they answered separately (another PARTSTAT), or that is a
// newer revision than the reply, keeps its status. RFC 6638 §4.2 asks
// the organizer's copy to match the reply "taking into account" the
// attendee's per-instance answers; an override is an instance of the
// series the attendee answered for.
func (a *applier) followMaster(edit *copyEdit, c *ical.Component, replier string) {
	if a.old.Master == nil || edit.master == nil {
		return
	}
	was := Attendee(a.old.Master, replier)
	now := Attendee(edit.master, replier)
	if was == nil || now == nil {
		return
	}
	named := make(map[time.Time]bool, len(a.msg.Overrides))
	for _, in := range a.msg.Overrides {
		named[in.Key] = true
	}
	partstat := Partstat(now)
	for _, in := range a.old.Overrides {
		if named[in.Key] || Sequence(c) < Sequence(in.Component) {
			continue
		}
		if old := Attendee(in.Component, replier); old == nil || Partstat(old) != Partstat(was) {
			continue
		}
		if att := Attendee(edit.comps[in.Key], replier); att != nil && !replyIsOlder(att, c) && a.recordReply(att, c, partstat) {
			a.changed = true
		}
	}
}

// isDelegateIn reports whether addr is named in the DELEGATED-TO parameter
// of an ATTENDEE of any component of o: a delegate (RFC 5546 §3.2.2.3),
// whose REPLY adds them to the organizer's copy.
func isDelegateIn(o *Object, addr string) bool {
	for _, c := range o.Components() {
		if delegatedTo(c, addr) {
			return true
		}
	}
	return false
}

// delegateIn reports whether addr is a delegate of an attendee of c.
func (a *applier) delegateIn(c *ical.Component, addr string) bool {
	return a.delegate && delegatedTo(c, addr)
}

func delegatedTo(c *ical.Component, addr string) bool {
	for _, p := range c.Props[ical.PropAttendee] {
		if namesAddress(p.Params[ical.ParamDelegatedTo], addr) {
			return true
		}
	}
	return false
}

// isMasterStart reports whether key is the start of the stored master.
func (a *applier) isMasterStart(key time.Time) bool {
	v, err := a.old.Time(firstProp(a.old.Master.Props, ical.PropDateTimeStart))
	return err == nil && v.Time.Equal(key)
}

// replyStatus returns the SCHEDULE-STATUS for a reply component: the codes
// of its REQUEST-STATUS properties joined by commas, "2.0" when it has
// none (RFC 6638 §4.2).
func replyStatus(c *ical.Component) string {
	var codes []string
	for _, p := range c.Props[ical.PropRequestStatus] {
		code, _, _ := strings.Cut(p.Value, ";")
		if code = strings.TrimSpace(code); isStatcode(code) {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return "2.0"
	}
	return strings.Join(codes, ",")
}

// isStatcode reports whether s is an RFC 5545 §3.8.8.3 statcode: 1*DIGIT
// 1*2("." 1*DIGIT).
func isStatcode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 || len(s) > 16 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

// isToken reports whether s is a short iana-token or x-name.
func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// refresh answers a REFRESH (RFC 5546 §3.2.6): the organizer's copy is
// unchanged and Applied.Refresh holds the full REQUEST for the requester
// (only the instance asked for when the REFRESH names one).
func (a *applier) refresh() (*Applied, error) {
	requester, err := a.fromAttendee()
	if err != nil {
		return nil, err
	}
	if err := a.checkOrganizerCopy(); err != nil || a.old == nil {
		if err != nil {
			return nil, err
		}
		return a.ignored("REFRESH for an object the organizer does not have"), nil
	}
	if !isAttendeeOf(a.old, requester) && !a.opts.AcceptReplyFromNonAttendee {
		return nil, &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: requester + " asked for a refresh but is not an ATTENDEE of the organizer's copy"}
	}
	var only []time.Time
	for _, in := range a.msg.Overrides {
		only = append(only, in.Key)
	}
	msgs := a.requests(a.old, UpdateFull, "", requester, only)
	if len(msgs) == 0 {
		return a.ignored("the requester is invited to none of the instances asked for"), nil
	}
	return &Applied{Outcome: OutcomeUnchanged, Refresh: msgs}, nil
}

// fromAttendee returns the ATTENDEE a REPLY or REFRESH comes from: the one
// ATTENDEE of every component, the same in all. It checks the originator.
func (a *applier) fromAttendee() (string, error) {
	var addr string
	var first *ical.Prop
	for _, c := range a.msg.Components() {
		atts := c.Props[ical.PropAttendee]
		from := replyingAttendee(c)
		if from == nil || (len(atts) != 1 && a.method != MethodReply) {
			return "", errorf(ValidSchedulingMessage, "a %s names exactly one ATTENDEE per component (or a delegator and their delegates), not %d", a.method, len(atts))
		}
		v := strings.TrimSpace(from.Value)
		if v == "" {
			return "", errorf(ValidSchedulingMessage, "empty ATTENDEE")
		}
		if first == nil {
			addr, first = v, from
		} else if !caladdr.Equal(addr, v) {
			return "", errorf(ValidSchedulingMessage, "a %s names different attendees", a.method)
		}
	}
	if a.opts.Originator != "" && !sentBy(first, a.opts.Originator) {
		return "", &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: "the " + a.method + " comes from " + a.opts.Originator + ", not from its ATTENDEE " + addr}
	}
	return addr, nil
}

// checkOrganizerCopy checks that a REPLY or REFRESH goes to the organizer
// of the stored copy and, when it names an ORGANIZER, to the same one.
// Some clients (Outlook, Exchange) omit ORGANIZER from replies; those are
// accepted since the UID matched.
func (a *applier) checkOrganizerCopy() error {
	if a.old == nil {
		return nil
	}
	if !caladdr.Equal(a.old.Organizer, a.recipient) {
		return &Error{Condition: ValidSchedulingMessage, Err: ErrNotOrganizerCopy,
			Msg: "a " + a.method + " is applied to the organizer's copy, and " + a.recipient + " is not its ORGANIZER"}
	}
	if a.msg.Organizer != "" && !caladdr.Equal(a.msg.Organizer, a.old.Organizer) {
		return &Error{Condition: ValidOrganizer, Err: ErrOrganizerMismatch,
			Msg: "the " + a.method + " is for ORGANIZER " + a.msg.Organizer + ", the stored copy's is " + a.old.Organizer}
	}
	return nil
}

// requests builds REQUEST messages from the organizer's copy o. With to
// empty, they go to every attendee but the organizer, skip and those with
// SCHEDULE-AGENT other than SERVER; with to set, only to that attendee.
// Each attendee gets the instances they are invited to (RFC 6638 §3.2.6):
// the master with EXDATEs for overrides they are not in, and those
// overrides; with only, just the instances listed. Attendees that get the
// same instances share one Message.
func (a *applier) requests(o *Object, kind UpdateKind, skip, to string, only []time.Time) []*Message {
	stamp := utcDateTime(a.opts.Now)
	type group struct {
		master     bool
		keys       []time.Time // overrides sent
		hidden     []time.Time // overrides the master must exclude
		recipients []string
	}
	var groups []*group
	// Every address is normalised once (the same ATTENDEE value recurs in
	// every component); invited holds, per component, the normalised
	// addresses of its attendees.
	norm := map[string]string{}
	normalize := func(addr string) string {
		n, ok := norm[addr]
		if !ok {
			n = caladdr.Normalize(addr)
			norm[addr] = n
		}
		return n
	}
	comps := o.Components()
	invited := make(map[*ical.Component]map[string]bool, len(comps))
	for _, c := range comps {
		set := make(map[string]bool, len(c.Props[ical.PropAttendee]))
		for _, p := range c.Props[ical.PropAttendee] {
			set[normalize(p.Value)] = true
		}
		invited[c] = set
	}
	in := func(c *ical.Component, addr string) bool {
		if set, ok := invited[c]; ok {
			return set[addr]
		}
		return Attendee(c, addr) != nil
	}
	organizer, skipped, only1 := normalize(o.Organizer), normalize(skip), normalize(to)
	seen := map[string]bool{}
	var g group // the attendee being placed; its slices are reused
	for _, c := range comps {
		for i := range c.Props[ical.PropAttendee] {
			p := &c.Props[ical.PropAttendee][i]
			addr := strings.TrimSpace(p.Value)
			key := normalize(p.Value)
			if addr == "" || seen[key] {
				continue
			}
			seen[key] = true
			if to != "" {
				if key != only1 {
					continue
				}
			} else if key == organizer || key == skipped || ScheduleAgent(p) != AgentServer {
				continue
			}
			g.master, g.keys, g.hidden = false, g.keys[:0], g.hidden[:0]
			if only == nil {
				g.master = o.Master != nil && in(o.Master, key)
				for _, ov := range o.Overrides {
					if in(ov.Component, key) {
						g.keys = append(g.keys, ov.Key)
					} else if g.master {
						g.hidden = append(g.hidden, ov.Key)
					}
				}
			} else {
				for _, k := range only {
					if inst := instanceAt(o, k); inst != nil && in(inst, addr) {
						g.keys = append(g.keys, k)
					}
				}
			}
			if !g.master && len(g.keys) == 0 {
				continue
			}
			joined := false
			for _, h := range groups {
				if h.master == g.master && sameKeyList(h.keys, g.keys) && sameKeyList(h.hidden, g.hidden) {
					h.recipients = append(h.recipients, addr)
					joined = true
					break
				}
			}
			if !joined {
				groups = append(groups, &group{master: g.master, recipients: []string{addr},
					keys: append([]time.Time(nil), g.keys...), hidden: append([]time.Time(nil), g.hidden...)})
			}
		}
	}
	// Each message component is built once and shared by the messages of
	// all groups. Its property data is shared with o (messageComponent), so
	// every message is serialised before requests returns: later changes
	// to o, or to the calendar Apply returns, cannot reach what is sent.
	var master *ical.Component
	instances := map[time.Time]*ical.Component{}
	msgs := make([]*Message, 0, len(groups))
	for _, g := range groups {
		out := make([]*ical.Component, 0, len(g.keys)+1)
		if g.master {
			if master == nil {
				master = messageComponent(o.Master, stamp, 1)
				stripReplyRevision(master)
			}
			m := master
			if len(g.hidden) > 0 {
				m = &ical.Component{Name: master.Name, Props: make(ical.Props, len(master.Props)+1), Children: master.Children}
				for k, v := range master.Props {
					m.Props[k] = v
				}
				m.Props[ical.PropExceptionDates] = append([]ical.Prop(nil), master.Props[ical.PropExceptionDates]...)
			}
			for _, k := range g.hidden {
				rid := o.Override(k).Props.Get(ical.PropRecurrenceID)
				ex := cloneProp(rid)
				ex.Name = ical.PropExceptionDates
				delete(ex.Params, ical.ParamRange)
				m.Props[ical.PropExceptionDates] = append(m.Props[ical.PropExceptionDates], ex)
			}
			out = append(out, m)
		}
		for _, k := range g.keys {
			c := instances[k]
			if c == nil {
				c = messageComponent(instanceAt(o, k), stamp, 0)
				stripReplyRevision(c)
				instances[k] = c
			}
			out = append(out, c)
		}
		cal := newMessageCalendar(MethodRequest, a.prodID(), len(out)+2)
		finishMessage(cal, []*Object{o}, out)
		m := &Message{Method: MethodRequest, Originator: o.Organizer,
			Recipients: g.recipients, Update: kind, Calendar: cal}
		m.Bytes() // the content shares data with o: serialise it now, once
		msgs = append(msgs, m)
	}
	return msgs
}

func sameKeyList(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// refreshRequest returns the REFRESH (RFC 5546 §3.2.6) the recipient sends
// to the organizer to get the whole object.
func (a *applier) refreshRequest() *Message {
	stamp := utcDateTime(a.opts.Now)
	c := &ical.Component{Name: a.msg.Kind, Props: make(ical.Props, 4)}
	setProp(c, ical.PropUID, a.msg.UID)
	setProp(c, ical.PropDateTimeStamp, stamp)
	org := messageProp(Organizer(a.msg.Components()[0]))
	c.Props[ical.PropOrganizer] = []ical.Prop{cloneProp(&org)}
	att := ical.Prop{Name: ical.PropAttendee, Params: ical.Params{}, Value: a.recipient}
	if p := Attendee(a.msg.Components()[0], a.recipient); p != nil {
		att = messageProp(p)
		att = cloneProp(&att)
	}
	c.Props[ical.PropAttendee] = []ical.Prop{att}
	cal := newMessageCalendar(MethodRefresh, a.prodID(), 1)
	cal.Children = append(cal.Children, c)
	return &Message{Method: MethodRefresh, Originator: a.recipient, Recipients: []string{a.msg.Organizer},
		Update: UpdateStatusOnly, Calendar: cal}
}
