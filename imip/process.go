package imip

import (
	"context"
	"strings"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// Processor applies verified incoming iTIP messages to the calendars of
// local recipients. The scheduling middleware implements it
// (schedule.Handler.ProcessIncoming) as it delivers messages between
// local users: for each recipient, apply msg to their copy (itip.Apply),
// check that a REQUEST or CANCEL for a stored UID comes from its
// ORGANIZER and a REPLY from an attendee, put the message into their
// scheduling inbox, and return the status per recipient, keyed by
// caladdr.Normalize.
type Processor interface {
	// ProcessIncoming processes msg from originator (the verified sender's
	// calendar user address) for recipients. The error is for the call as
	// a whole; refusals of single recipients are their statuses.
	ProcessIncoming(ctx context.Context, originator string, recipients []string, msg *itip.Message) (map[string]schedule.Status, error)
}

// The scheduling middleware is the Processor servers use.
var _ Processor = (*schedule.Handler)(nil)

// Process hands every message of in to p and merges the statuses, keyed
// by caladdr.Normalize: a failure for a recipient wins over a delivery.
func (r *Receiver) Process(ctx context.Context, p Processor, in *Incoming) (map[string]schedule.Status, error) {
	out := map[string]schedule.Status{}
	for _, m := range in.Messages {
		st, err := p.ProcessIncoming(ctx, m.Originator, m.Recipients, m.Message)
		if err != nil {
			return out, err
		}
		for k, v := range st {
			k = caladdr.Normalize(k) // in case p does not
			if prev, ok := out[k]; !ok || strings.HasPrefix(string(prev), "1.") {
				out[k] = v
			}
		}
	}
	return out, nil
}
