package queue_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/queue"
)

// TestRunCancelLeavesNothingBehind: cancelling Run's context while every
// sender is busy returns Run with the context's error, releases what was
// claimed (nothing lost, nothing counted as an attempt), and leaves no
// goroutine behind.
func TestRunCancelLeavesNothingBehind(t *testing.T) {
	var attendees []string
	for i := 0; i < 20; i++ {
		attendees = append(attendees, fmt.Sprintf("mailto:a%02d@remote.example", i))
	}
	e := newEnv(t, attendees...)
	before := runtime.NumGoroutine()
	started := make(chan struct{}, 100)
	w := e.worker(t, queue.SenderFunc(func(ctx context.Context, _ *backend.OutboundMessage) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}), func(c *queue.Config) { c.Concurrency = 4 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	for i := 0; i < 4; i++ {
		<-started
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if st := w.Stats(); st.Released != 20 || st.Sent != 0 || st.Retried != 0 {
		t.Errorf("stats %+v, want all 20 released", st)
	}
	left, err := e.store.Claim(e.ctx, e.clock.Now(), 100, time.Minute)
	if err != nil || len(left) != 20 {
		t.Fatalf("claimable after the cancel: %d, %v", len(left), err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Run returned, %d before it started", n, before)
	}
}
