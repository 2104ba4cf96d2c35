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
				if props[i].Params == nil {
					props[i].Params = ical.Params{}
				}
				props[i].Params[ParamScheduleStatus] = []string{strings.TrimSpace(code)}
			}
		}
	}
}
