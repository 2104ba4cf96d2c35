package schedule

import (
	"context"
	"errors"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Status is a delivery status code, written as SCHEDULE-STATUS (RFC 6638
// §3.2.9).
type Status string

// The delivery statuses.
const (
	StatusPending     Status = "1.0" // not yet delivered
	StatusSent        Status = "1.1" // handed over (e-mail), delivery unknown
	StatusDelivered   Status = "1.2" // delivered
	StatusInvalidUser Status = "3.7" // unknown calendar user
	StatusNoPrivilege Status = "3.8" // scheduling privileges missing
	StatusTempFailure Status = "5.1" // temporary failure, may be retried
	StatusNoRoute     Status = "5.2" // no way to deliver
	StatusRejected    Status = "5.3" // the recipient refuses scheduling
)

// ErrNotResponsible is returned by a Deliverer that does not deliver to
// a recipient; the next Deliverer is tried.
var ErrNotResponsible = errors.New("schedule: deliverer not responsible for this recipient")

// Delivery is one iTIP message for one recipient.
type Delivery struct {
	// Sender is the principal on whose behalf the message is sent: the
	// owner of the calendar holding the scheduling object.
	Sender *backend.Principal
	// Message is the iTIP message; its Bytes are shared by recipients.
	// It is read-only: deliveries to several recipients may run at once,
	// and its parameter maps are shared with other properties and with
	// the stored object.
	Message *itip.Message
	// Recipient is the calendar user address delivered to.
	Recipient string
	// Scope is the effective Scheduling header of the write that caused
	// the message (ScopeAll when absent); the refreshes an organizer's
	// copy sends after a reply inherit the scope of the reply. Deliverers
	// are only called when Scope.Remote() holds: with ScopeInternalOnly
	// they are skipped, with
	// ScopeExternalOnly local delivery is. A deliverer that queues
	// messages for later (an iMIP outbox) keeps Scope with them.
	Scope Scope
}

// Deliverer delivers messages to recipients that the store does not host
// (e-mail, another server). The middleware delivers to local users itself
// and tries its Deliverers, in order, for everyone else.
type Deliverer interface {
	// Deliver hands d over and returns the delivery status (StatusSent,
	// StatusDelivered, or a failure status). It returns
	// ErrNotResponsible to let the next Deliverer try; any other error
	// means StatusTempFailure.
	Deliver(ctx context.Context, d *Delivery) (Status, error)
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, d *Delivery) (Status, error)

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, d *Delivery) (Status, error) { return f(ctx, d) }

// deliverRemote delivers to a recipient not hosted here: through the
// durable queue when it takes the recipient (StatusPending; the write
// behind ctx may have queued the message already), else through the
// configured Deliverers in order; StatusInvalidUser when nobody takes
// the recipient.
func (h *Handler) deliverRemote(ctx context.Context, d *Delivery) Status {
	if h.dq.takes(d.Recipient, d.Scope) {
		if queuedWith(ctx, d.Recipient) {
			return StatusPending
		}
		return h.enqueueLater(ctx, d)
	}
	for _, dl := range h.deliverers {
		st, err := dl.Deliver(ctx, d)
		if errors.Is(err, ErrNotResponsible) {
			continue
		}
		if err != nil {
			h.log.WarnContext(ctx, "schedule: delivery failed", "recipient", d.Recipient, "err", err)
			return StatusTempFailure
		}
		return st
	}
	return StatusInvalidUser
}
