package itip

import (
	"strings"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// SetStatus writes the delivery status code (RFC 6638 §3.2.9, e.g.
// StatusDelivered or StatusNoUser) for recipient into Object, on every
// component where the recipient appears: on its ATTENDEE properties when
// the owner is the organizer, on the ORGANIZER properties when the owner
// is an attendee. It does nothing when Object is nil or the recipient is
// not in it.
func (a *Actions) SetStatus(recipient, code string) {
	if a.Object == nil || code == "" {
		return
	}
	name := ical.PropAttendee
	if a.Role == RoleAttendee {
		name = ical.PropOrganizer
	}
	norm := caladdr.Normalize(recipient)
	for _, c := range a.Object.Children {
		props := c.Props[name]
		for i := range props {
			if props[i].Value == recipient || caladdr.Normalize(props[i].Value) == norm {
				setParams(&props[i], ParamScheduleStatus, strings.TrimSpace(code))
			}
		}
	}
}

// StatusPending and the other SCHEDULE-STATUS values the engine writes
// (RFC 6638 §3.2.9, RFC 5546 §3.6).
const (
	StatusPending      = "1.0" // delivery pending
	StatusSent         = "1.1" // sent, delivery unknown (e.g. iMIP)
	StatusDelivered    = "1.2" // delivered
	StatusParamIgnored = "2.3" // success, invalid property parameter ignored
	StatusNoUser       = "3.7" // invalid calendar user
	StatusNoPrivilege  = "3.8" // no scheduling privilege
	StatusTempFailure  = "5.1" // delivery failed, try later
	StatusNoDelivery   = "5.2" // no way to deliver
	StatusRejected     = "5.3" // scheduling with the recipient not allowed
)
