package schedule

import (
	"context"
	"sync"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// createdCopies remembers, for one batch of deliveries, the copy a REQUEST
// creates for recipients who have none. itip.Apply documents that this copy
// does not depend on the recipient (one of the message's attendees), so it
// is applied and encoded once per message, not once per recipient: 100
// local attendees of a new event cost one Apply, not 100.
type createdCopies struct {
	mu sync.Mutex
	m  map[*itip.Message]createdCopy
}

type createdCopy struct {
	applied *itip.Applied // read-only once cached
	data    []byte
}

type createdCopiesKey struct{}

// withCreatedCopies returns a context whose deliveries share created copies.
func withCreatedCopies(ctx context.Context) context.Context {
	return context.WithValue(ctx, createdCopiesKey{}, &createdCopies{m: make(map[*itip.Message]createdCopy)})
}

// applyMessage applies msg to the recipient's copy (nil: none yet) and
// encodes the result; data is nil when nothing is to be stored.
func (h *Handler) applyMessage(ctx context.Context, msg *itip.Message, existing *ical.Calendar, recipient, originator string) (applied *itip.Applied, data []byte, err error) {
	cache, _ := ctx.Value(createdCopiesKey{}).(*createdCopies)
	shareable := cache != nil && existing == nil && msg.Method == itip.MethodRequest && isAttendeeOf(msg.Calendar, recipient)
	if shareable {
		cache.mu.Lock()
		c, ok := cache.m[msg]
		cache.mu.Unlock()
		if ok {
			return c.applied, c.data, nil
		}
	}
	applied, err = itip.Apply(msg.Calendar, existing, recipient, itip.ApplyOptions{Now: h.now(), Originator: originator})
	if err != nil || applied.Calendar == nil {
		return applied, nil, err
	}
	data = ics.Encode(applied.Calendar)
	if shareable && applied.Outcome == itip.OutcomeCreated && len(applied.Refresh) == 0 {
		cache.mu.Lock()
		cache.m[msg] = createdCopy{applied: applied, data: data}
		cache.mu.Unlock()
	}
	return applied, data, nil
}

// isAttendeeOf reports whether addr is an ATTENDEE of some component of cal.
func isAttendeeOf(cal *ical.Calendar, addr string) bool {
	for _, c := range cal.Children {
		if itip.Attendee(c, addr) != nil {
			return true
		}
	}
	return false
}
