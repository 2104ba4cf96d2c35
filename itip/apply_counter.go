package itip

import (
	"strings"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// counter checks a COUNTER (RFC 5546 §3.2.7: an attendee proposes a
// change to the organizer) against the organizer's copy: it must come from
// an ATTENDEE of the message who is an attendee of the copy, for the
// copy's ORGANIZER. The proposal is the organizer's to accept (with a new
// REQUEST) or decline, so the copy does not change.
func (a *applier) counter() (*Applied, error) {
	proposer, err := a.proposer()
	if err != nil {
		return nil, err
	}
	if err := a.checkOrganizerCopy(); err != nil {
		return nil, err
	}
	if a.old == nil {
		return a.ignored("COUNTER for an object the organizer does not have"), nil
	}
	if !isAttendeeOf(a.old, proposer) {
		return nil, &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: proposer + " proposed a change but is not an ATTENDEE of the organizer's copy"}
	}
	return &Applied{Outcome: OutcomeForUser, Reason: "a change proposed by " + proposer}, nil
}

// proposer returns the attendee a COUNTER comes from: the originator when
// the transport named one (it must be an ATTENDEE of the message, or the
// SENT-BY of one), else the message's only ATTENDEE.
func (a *applier) proposer() (string, error) {
	var only string
	n := 0
	for _, c := range a.msg.Components() {
		for i := range c.Props[ical.PropAttendee] {
			p := &c.Props[ical.PropAttendee][i]
			addr := strings.TrimSpace(p.Value)
			if a.opts.Originator != "" && sentBy(p, a.opts.Originator) {
				return addr, nil
			}
			if n == 0 || !caladdr.Equal(only, addr) {
				only, n = addr, n+1
			}
		}
	}
	switch {
	case a.opts.Originator != "":
		return "", &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: "the COUNTER comes from " + a.opts.Originator + ", not from one of its ATTENDEEs"}
	case n != 1 || only == "":
		return "", errorf(ValidSchedulingMessage, "a COUNTER without originator names %d attendees, not one", n)
	}
	return only, nil
}

// declineCounter checks a DECLINECOUNTER (RFC 5546 §3.2.8: the organizer
// refuses an attendee's proposal) against the attendee's copy, as for a
// CANCEL: it must come from the copy's ORGANIZER to one of its attendees.
// The copy does not change.
func (a *applier) declineCounter() (*Applied, error) {
	if err := a.checkOrganizerMessage(); err != nil {
		return nil, err
	}
	if a.old == nil {
		return a.ignored("DECLINECOUNTER for an object the attendee does not have"), nil
	}
	if !isAttendeeOf(a.old, a.recipient) {
		return nil, &Error{Condition: ValidSchedulingMessage, Err: ErrNotAttendee,
			Msg: a.recipient + " is not an ATTENDEE of the copy the DECLINECOUNTER is for"}
	}
	return &Applied{Outcome: OutcomeForUser, Reason: "the organizer declined a proposed change"}, nil
}
