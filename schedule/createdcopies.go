package schedule

import (
	"context"
	"sync"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// createdCopies remembers, for one batch of deliveries, the copy a REQUEST
// creates for recipients who have none. itip.Apply documents that this copy
// does not depend on the recipient (one of the message's attendees), so it
// is applied, encoded and indexed (backend.PrepareCalendar) once per message, not
// once per recipient: 100 local attendees of a new event cost one Apply
// and one parse, not 100. Deliveries running in parallel wait for the
// first one's copy instead of each making their own.
type createdCopies struct {
	mu sync.Mutex
	m  map[*itip.Message]*createdCopy
}

// createdCopy is the copy of one message; its fields are set before done
// is closed and read-only after.
type createdCopy struct {
	done     chan struct{}
	ok       bool          // the copy is shared (a created copy, no refreshes)
	applied  *itip.Applied // read-only once shared
	prepared *backend.Prepared
}

type createdCopiesKey struct{}

// withCreatedCopies returns a context whose deliveries share created copies.
func withCreatedCopies(ctx context.Context) context.Context {
	return context.WithValue(ctx, createdCopiesKey{}, &createdCopies{m: make(map[*itip.Message]*createdCopy)})
}

// appliedCopy is the result of applyMessage: the applied message and,
// when something is to be stored, its encoding, prepared for the store
// when it is shared by several recipients.
type appliedCopy struct {
	applied  *itip.Applied
	data     []byte
	prepared *backend.Prepared // nil, or holds data
}

// applyMessage applies msg to the recipient's copy (nil: none yet) and
// encodes the result; data is nil when nothing is to be stored.
func (h *Handler) applyMessage(ctx context.Context, msg *itip.Message, existing *ical.Calendar, recipient, originator string) (appliedCopy, error) {
	cache, _ := ctx.Value(createdCopiesKey{}).(*createdCopies)
	if cache == nil || existing != nil || msg.Method != itip.MethodRequest || !isAttendeeOf(msg.Calendar, recipient) {
		return h.applyOne(msg, existing, recipient, originator)
	}
	cache.mu.Lock()
	c, found := cache.m[msg]
	if !found {
		c = &createdCopy{done: make(chan struct{})}
		cache.m[msg] = c
	}
	cache.mu.Unlock()
	if found {
		<-c.done // closed by the first delivery, whatever happens to it
		if c.ok {
			return appliedCopy{applied: c.applied, data: c.prepared.Data(), prepared: c.prepared}, nil
		}
		return h.applyOne(msg, existing, recipient, originator)
	}
	defer close(c.done)
	applied, err := h.apply(msg, existing, recipient, originator)
	if err != nil || applied.Calendar == nil {
		return appliedCopy{applied: applied}, err
	}
	// Only a created copy without refreshes is the same for everyone.
	// Data the store would refuse is not shared: each recipient's write
	// then reports the store's error as before.
	if applied.Outcome == itip.OutcomeCreated && len(applied.Refresh) == 0 {
		if p, err := backend.PrepareCalendar(ctx, applied.Calendar); err == nil {
			c.ok, c.applied, c.prepared = true, applied, p
			return appliedCopy{applied: applied, data: p.Data(), prepared: p}, nil
		}
	}
	return appliedCopy{applied: applied, data: ics.Encode(applied.Calendar)}, nil
}

// applyOne applies msg for one recipient and encodes the result.
func (h *Handler) applyOne(msg *itip.Message, existing *ical.Calendar, recipient, originator string) (appliedCopy, error) {
	applied, err := h.apply(msg, existing, recipient, originator)
	if err != nil || applied.Calendar == nil {
		return appliedCopy{applied: applied}, err
	}
	return appliedCopy{applied: applied, data: ics.Encode(applied.Calendar)}, nil
}

// apply applies msg to the recipient's copy (nil: none yet).
func (h *Handler) apply(msg *itip.Message, existing *ical.Calendar, recipient, originator string) (*itip.Applied, error) {
	return itip.Apply(msg.Calendar, existing, recipient, itip.ApplyOptions{Now: h.now(), Originator: originator})
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
