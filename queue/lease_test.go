package queue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue"
)

// TestSlowSendsDoNotOutliveTheLease: when sends are slow (each takes the
// whole SendTimeout), a worker does not start sends its lease cannot
// cover, nor leave sent messages unrecorded past it; it gives the rest of
// the batch back. Before, it went on through the batch and recorded only
// at its end, after the lease had expired, so a second worker claimed
// and sent the same messages again (and the first one then sent the rest
// a second time).
func TestSlowSendsDoNotOutliveTheLease(t *testing.T) {
	var attendees []string
	for i := 0; i < 6; i++ {
		attendees = append(attendees, fmt.Sprintf("mailto:a%d@remote.example", i))
	}
	e := newEnv(t, attendees...)
	const lease, sendTimeout = time.Minute, 20 * time.Second
	expiry := e.clock.Now().Add(lease)
	var (
		mu    sync.Mutex
		sends = map[string]int{}
		other *queue.Worker
		ran   bool
	)
	send := func(slow bool) queue.Sender {
		return queue.SenderFunc(func(ctx context.Context, m *backend.OutboundMessage) error {
			mu.Lock()
			sends[m.ID]++
			mu.Unlock()
			if !slow {
				return nil
			}
			e.clock.Advance(sendTimeout) // the relay answers at the last moment
			if !e.clock.Now().Before(expiry) && !ran {
				ran = true // another process's worker polls now
				if _, err := other.Process(context.Background()); err != nil {
					t.Error(err)
				}
			}
			return nil
		})
	}
	cfg := func(c *queue.Config) {
		c.Concurrency, c.BatchSize, c.Lease, c.SendTimeout = 1, 6, lease, sendTimeout
	}
	first := e.worker(t, send(true), cfg)
	other = e.worker(t, send(false), cfg)
	process(t, first)
	for process(t, other) > 0 {
	}
	for _, m := range e.msgs {
		if n := sends[m.ID]; n != 1 {
			t.Errorf("%s sent %d times, want once", m.ID, n)
		}
	}
	if st := first.Stats(); st.LostRace != 0 {
		t.Errorf("first worker lost %d leases", st.LostRace)
	}
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages left", q)
	}
}
