package schedule

import (
	"errors"

	"github.com/go-autoschedule/autoschedule/itip"
)

// refusalStatus is the delivery status of a message itip.Apply refused
// with err: 3.8 (no authority, RFC 5546 §3.6) when the sender may not
// speak for the object (a REQUEST, ADD or CANCEL from someone other than
// the stored or the message's ORGANIZER; a REPLY, REFRESH or COUNTER
// from someone who is not an attendee of the organizer's copy), 5.3 for
// everything else.
func refusalStatus(msg *itip.Message, err error) Status {
	if errors.Is(err, itip.ErrOrganizerMismatch) {
		return StatusNoPrivilege
	}
	if errors.Is(err, itip.ErrNotAttendee) {
		switch msg.Method {
		case itip.MethodReply, itip.MethodRefresh, itip.MethodCounter:
			return StatusNoPrivilege
		}
	}
	return StatusRejected
}
