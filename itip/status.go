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
// is an attendee (and on the ATTENDEE properties of the delegates an
// attendee forwards the invitation to). It does nothing when Object is nil
// or the recipient is not in it.
//
// The first call indexes Object by address, so that a status for each of
// n recipients costs O(n) in all, not O(n²). SetStatus is not safe for
// concurrent use; collect delivery results and set them from one
// goroutine.
func (a *Actions) SetStatus(recipient, code string) {
	if a.Object == nil || code == "" {
		return
	}
	if a.statusIndex == nil {
		a.indexStatus()
	}
	// One value slice shared by every property of the recipient.
	vals := []string{strings.TrimSpace(code)}
	for _, ref := range a.statusIndex[caladdr.Normalize(recipient)] {
		setParamShared(&ref.c.Props[ref.name][ref.i], ParamScheduleStatus, vals)
	}
}

// propRef locates one property of Object.
type propRef struct {
	c    *ical.Component
	name string
	i    int
}

// indexStatus maps every address SetStatus may be given to its
// properties: ATTENDEEs for an organizer; for an attendee the ORGANIZERs,
// and the ATTENDEEs of the delegates they forward the invitation to
// (those with DELEGATED-FROM).
func (a *Actions) indexStatus() {
	name := ical.PropAttendee
	if a.Role == RoleAttendee {
		name = ical.PropOrganizer
	}
	a.statusIndex = make(map[string][]propRef)
	norms := make(map[string]string)
	add := func(c *ical.Component, name string, i int) {
		v := c.Props[name][i].Value
		n, ok := norms[v]
		if !ok {
			n = caladdr.Normalize(v)
			norms[v] = n
		}
		a.statusIndex[n] = append(a.statusIndex[n], propRef{c: c, name: name, i: i})
	}
	for _, c := range a.Object.Children {
		for i := range c.Props[name] {
			add(c, name, i)
		}
		if a.Role == RoleAttendee {
			for i, p := range c.Props[ical.PropAttendee] {
				if len(p.Params[ical.ParamDelegatedFrom]) > 0 {
					add(c, ical.PropAttendee, i)
				}
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
