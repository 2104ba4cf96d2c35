package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/queue"
)

// stuckWrites is a calendar store whose writes hang until their context
// ends, as a database stuck on a lock would.
type stuckWrites struct{ *memory.Store }

func (s stuckWrites) PutObject(ctx context.Context, _ string, _ []byte, _ *backend.PutOptions) (*backend.Object, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestCompleteSurvivesSlowStatusWrite: a status write-back that uses up
// the bookkeeping time does not keep the sent message from being
// completed. Before, Complete ran on the same, expired context, failed,
// and left the message to be claimed and sent again after the lease.
func TestCompleteSurvivesSlowStatusWrite(t *testing.T) {
	e := newEnv(t, bob)
	r := newRecorder(nil)
	w := e.worker(t, r, func(c *queue.Config) {
		c.Store = stuckWrites{e.store}
		c.SendTimeout = 50 * time.Millisecond
	})
	process(t, w)
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages still queued after the send", q)
	}
	e.clock.Advance(2 * time.Minute) // past the lease
	process(t, w)
	if n := r.count(e.msgs[0].ID); n != 1 {
		t.Errorf("sent %d times, want once", n)
	}
}
