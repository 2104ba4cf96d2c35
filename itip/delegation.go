package itip

import (
	"strings"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// This file holds delegation (RFC 5546 §3.2.2.3 and §4.2.5): an attendee
// hands their place to a delegate. The delegator sets their PARTSTAT to
// DELEGATED with DELEGATED-TO naming the delegate, adds the delegate as an
// ATTENDEE with DELEGATED-FROM naming them, REPLYs to the organizer with
// both ATTENDEEs, and forwards the invitation to the delegate.

// maxDelegates is the most delegates one attendee may name in one
// component: a REPLY naming more is refused, and an attendee's write
// adding more is an edit they may not make. Each delegate joins the
// organizer's copy and receives its updates, so the bound keeps one
// attendee from multiplying the organizer's messages.
const maxDelegates = 10

// namesAddress reports whether the values of a DELEGATED-TO or
// DELEGATED-FROM parameter name addr. A value holding several quoted
// addresses separated by commas (as some producers write it) counts each.
func namesAddress(vals []string, addr string) bool {
	for _, v := range vals {
		for _, d := range strings.Split(v, ",") {
			if caladdr.Equal(strings.Trim(strings.TrimSpace(d), `"`), addr) {
				return true
			}
		}
	}
	return false
}

// isDelegateOf reports whether d is a delegate of the attendee property a
// in the same component: a is DELEGATED to d, and d says it is
// DELEGATED-FROM a.
func isDelegateOf(d, a *ical.Prop) bool {
	return Partstat(a) == "DELEGATED" &&
		namesAddress(a.Params[ical.ParamDelegatedTo], d.Value) &&
		namesAddress(d.Params[ical.ParamDelegatedFrom], a.Value)
}

// replyingAttendee returns the ATTENDEE a REPLY component c comes from:
// its only ATTENDEE, or, in a delegator's REPLY, the DELEGATED attendee
// every other ATTENDEE of c is a delegate of. It returns nil when c names
// no attendee or several that are not so related.
func replyingAttendee(c *ical.Component) *ical.Prop {
	atts := c.Props[ical.PropAttendee]
	if len(atts) == 1 {
		return &atts[0]
	}
	if len(atts) > 1+maxDelegates {
		return nil
	}
	for i := range atts {
		all := true
		for j := range atts {
			if j != i && !isDelegateOf(&atts[j], &atts[i]) {
				all = false
				break
			}
		}
		if all {
			return &atts[i]
		}
	}
	return nil
}

// delegatesIn returns the ATTENDEE properties of c that are delegates of
// the attendee property a (isDelegateOf).
func delegatesIn(c *ical.Component, a *ical.Prop) []ical.Prop {
	if Partstat(a) != "DELEGATED" {
		return nil
	}
	var out []ical.Prop
	atts := c.Props[ical.PropAttendee]
	for i := range atts {
		if &atts[i] != a && !caladdr.Equal(atts[i].Value, a.Value) && isDelegateOf(&atts[i], a) {
			out = append(out, atts[i])
		}
	}
	return out
}

// newDelegates returns the addresses of the delegates the owner added to
// b, a component of their new copy, that a, the same instance in their old
// copy, did not list; none when they are more than maxDelegates.
func (p *planner) newDelegates(a, b *ical.Component) []string {
	own := p.ownAttendee(b)
	if own == nil {
		return nil
	}
	var out []string
	for _, d := range delegatesIn(b, own) {
		if Attendee(a, d.Value) == nil {
			out = append(out, strings.TrimSpace(d.Value))
		}
	}
	if len(out) > maxDelegates {
		return nil
	}
	return out
}

// withoutNewDelegates returns the ATTENDEE list bp of b without the
// delegates the owner added (newDelegates), so that adding them is not an
// edit of the other attendees; bp itself when there are none.
func (p *planner) withoutNewDelegates(a, b *ical.Component, bp []ical.Prop) []ical.Prop {
	added := p.newDelegates(a, b)
	if len(added) == 0 {
		return bp
	}
	out := make([]ical.Prop, 0, len(bp))
	for _, att := range bp {
		if !containsAddress(added, att.Value) {
			out = append(out, att)
		}
	}
	return out
}

// containsAddress reports whether addrs holds addr (caladdr.Equal).
func containsAddress(addrs []string, addr string) bool {
	for _, x := range addrs {
		if caladdr.Equal(x, addr) {
			return true
		}
	}
	return false
}

// delegatedRequests returns the REQUESTs a delegator forwards (RFC 5546
// §4.2.5): to each delegate added by this write, the components of the
// new copy that list them. The originator is the delegator; SEQUENCE is
// the organizer's.
func (p *planner) delegatedRequests(oldObj, newObj *Object, me string) []*Message {
	var order []string
	comps := map[string][]*ical.Component{}
	for i, c := range newObj.Components() {
		var prev *ical.Component
		if oldObj != nil {
			prev, _, _ = counterpart(oldObj, newObj, i)
		}
		for _, d := range p.newDelegates(prev, c) {
			key := caladdr.Normalize(d)
			if _, ok := comps[key]; !ok {
				order = append(order, d)
			}
			comps[key] = append(comps[key], c)
		}
	}
	var msgs []*Message
	for _, d := range order {
		cs := comps[caladdr.Normalize(d)]
		out := make([]*ical.Component, len(cs))
		for i, c := range cs {
			out[i] = messageComponent(c, p.stamp, 0)
		}
		cal := newMessageCalendar(MethodRequest, p.opts.ProdID, len(out)+1)
		p.vtz.finishMessage(cal, []*Object{newObj}, out)
		msgs = append(msgs, &Message{Method: MethodRequest, Originator: me, Recipients: []string{d}, Update: UpdateFull, Calendar: cal})
	}
	return msgs
}

// forwardedByDelegator reports whether the REQUEST being applied is an
// invitation forwarded by a delegator: the transport's originator is an
// ATTENDEE of every component that lists the recipient, DELEGATED to the
// recipient, who is DELEGATED-FROM them.
func (a *applier) forwardedByDelegator() bool {
	if a.method != MethodRequest || a.opts.Originator == "" {
		return false
	}
	found := false
	for _, c := range a.msg.Components() {
		rcpt := Attendee(c, a.recipient)
		if rcpt == nil {
			continue
		}
		from := Attendee(c, a.opts.Originator)
		if from == nil || !isDelegateOf(rcpt, from) {
			return false
		}
		found = true
	}
	return found
}
