package itip

import (
	"strconv"

	"github.com/emersion/go-ical"
)

// The organizer's copy records, on each replier's ATTENDEE, the revision
// of the last REPLY applied to it (RFC 5546 §2.1.5: with equal SEQUENCE
// the later DTSTAMP wins), so that a delayed older reply cannot undo a
// newer one. Clients keep unknown X- parameters; the parameters never
// travel (stripReplyRevision).
const (
	paramReplyStamp    = "X-AUTOSCHEDULE-REPLY-DTSTAMP"
	paramReplySequence = "X-AUTOSCHEDULE-REPLY-SEQUENCE"
)

// recordReplyRevision writes the revision (SEQUENCE, DTSTAMP) of the
// REPLY component c into att, the replier's ATTENDEE in the organizer's
// copy. A reply without a valid DTSTAMP records nothing.
func recordReplyRevision(att *ical.Prop, c *ical.Component) {
	p := firstProp(c.Props, ical.PropDateTimeStamp)
	if p == nil {
		return
	}
	t, ok := parseStamp(p.Value)
	if !ok {
		return
	}
	att.Params.Set(paramReplyStamp, utcDateTime(t))
	att.Params.Set(paramReplySequence, strconv.Itoa(Sequence(c)))
}

// replyIsOlder reports whether the REPLY component c is an older revision
// than the reply already recorded on att: a lower SEQUENCE, or the same
// SEQUENCE and an earlier DTSTAMP. Without a (valid) record, or without a
// DTSTAMP in c, it is not.
func replyIsOlder(att *ical.Prop, c *ical.Component) bool {
	stored, ok := parseStamp(att.Params.Get(paramReplyStamp))
	if !ok {
		return false
	}
	seq, err := strconv.Atoi(att.Params.Get(paramReplySequence))
	if err != nil {
		return false
	}
	p := firstProp(c.Props, ical.PropDateTimeStamp)
	if p == nil {
		return false
	}
	stamp, ok := parseStamp(p.Value)
	if !ok {
		return false
	}
	return compareRevisions(Sequence(c), stamp, seq, stored) < 0
}

// stripReplyRevision removes the reply bookkeeping parameters from the
// ATTENDEE properties of c, a component of an outgoing message whose
// property data may be shared with a stored copy: an ATTENDEE carrying
// them gets a new parameter map.
func stripReplyRevision(c *ical.Component) {
	props := c.Props[ical.PropAttendee]
	var cp []ical.Prop
	for i := range props {
		p := &props[i]
		if _, ok := p.Params[paramReplyStamp]; !ok {
			if _, ok := p.Params[paramReplySequence]; !ok {
				continue
			}
		}
		if cp == nil {
			cp = append([]ical.Prop(nil), props...)
		}
		params := make(ical.Params, len(p.Params))
		for k, v := range p.Params {
			if k != paramReplyStamp && k != paramReplySequence {
				params[k] = v
			}
		}
		cp[i] = ical.Prop{Name: p.Name, Value: p.Value, Params: params}
	}
	if cp != nil {
		c.Props[ical.PropAttendee] = cp
	}
}
