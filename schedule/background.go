package schedule

import (
	"context"
	"fmt"
	"sync"
)

// DefaultMaxBackground is the default of Options.MaxBackground.
const DefaultMaxBackground = 64

// backgroundWork runs deliveries after the response when
// Options.AsyncDelivery is set, at most cap(slot) at a time.
type backgroundWork struct {
	slot    chan struct{}
	mu      sync.Mutex
	running int
	idle    chan struct{} // closed when running drops to zero
}

// background runs fn in its own goroutine when asynchronous delivery is
// on and a slot is free, and reports whether it did; otherwise the caller
// runs fn itself (back-pressure: a busy server answers more slowly rather
// than queueing without bound).
func (h *Handler) background(fn func()) bool {
	if !h.async {
		return false
	}
	select {
	case h.bg.slot <- struct{}{}:
	default:
		return false
	}
	b := &h.bg
	b.mu.Lock()
	if b.running == 0 {
		b.idle = make(chan struct{})
	}
	b.running++
	b.mu.Unlock()
	go func() {
		defer func() {
			if v := recover(); v != nil {
				h.log.Error("schedule: panic in background delivery", "panic", fmt.Sprint(v))
			}
			b.mu.Lock()
			b.running--
			if b.running == 0 {
				close(b.idle)
			}
			b.mu.Unlock()
			<-b.slot
		}()
		fn()
	}()
	return true
}

// Close waits until the deliveries running in the background are done,
// or ctx ends (then it returns ctx's error). Call it when shutting the
// server down; it returns at once without Options.AsyncDelivery.
func (h *Handler) Close(ctx context.Context) error {
	h.bg.mu.Lock()
	if h.bg.running == 0 {
		h.bg.mu.Unlock()
		return nil
	}
	idle := h.bg.idle
	h.bg.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pendingFor turns expected successes into StatusPending: what a stored
// object says before asynchronous delivery has happened.
func pendingFor(predicted map[string]Status) map[string]Status {
	out := make(map[string]Status, len(predicted))
	for k, v := range predicted {
		if v == StatusDelivered {
			v = StatusPending
		}
		out[k] = v
	}
	return out
}
