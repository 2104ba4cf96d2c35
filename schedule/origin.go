package schedule

import (
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// origin is who a delivered message comes from: a principal hosted by the
// store (the owner of a written object, an organizer sending refreshes),
// or a calendar user outside it, known only by the address the transport
// vouched for (an iMIP mail checked by imip.Receiver).
type origin struct {
	// principal is the local sender; nil for an external one.
	principal *backend.Principal
	// address is the external sender's calendar user address, or the
	// address a local sender is known to have used; "" to derive it from
	// the message (see originator).
	address string
}

// localOrigin is a message sent by a principal hosted here.
func localOrigin(p *backend.Principal) origin { return origin{principal: p} }

// externalOrigin is a message from a calendar user outside the store.
func externalOrigin(addr string) origin { return origin{address: addr} }

// actor names the sender to the privilege.Policy: the principal path of a
// local sender; for an external one its normalised calendar user address
// ("mailto:…"), which never equals a principal path (those start with
// "/"). Mail authenticates an address, not a login, so an external sender
// is named by address even when a local principal owns that address.
func (o origin) actor() string {
	if o.principal == nil {
		return caladdr.Normalize(o.address)
	}
	return o.principal.Path
}

// originator returns the calendar user the transport vouches for as the
// sender of msg, for itip.ApplyOptions.Originator: the external address;
// for a local principal the message's own originator when the principal
// owns it, its first address otherwise.
func (o origin) originator(msg *itip.Message) string {
	if o.address != "" || o.principal == nil {
		return o.address
	}
	if o.principal.Owns(msg.Originator) {
		return msg.Originator
	}
	if len(o.principal.Addresses) > 0 {
		return o.principal.Addresses[0]
	}
	return ""
}
