package queue_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

// onLog is a slog.Handler that calls fn with the message of every record.
type onLog struct{ fn func(msg string) }

func (onLog) Enabled(context.Context, slog.Level) bool { return true }

func (h onLog) Handle(_ context.Context, r slog.Record) error {
	h.fn(r.Message)
	return nil
}

func (h onLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onLog) WithGroup(string) slog.Handler      { return h }

// TestRetryCommittedBeforeLogged: when the worker logs "will retry", the
// retry is in the queue already: a process killed right after the line
// leaves the message due at its retry time, not reserved for the lease.
func TestRetryCommittedBeforeLogged(t *testing.T) {
	e := newEnv(t, bob)
	fail := newRecorder(func(*backend.OutboundMessage, int) error { return errors.New("451 4.3.0 try again later") })
	logged, claimable := 0, -1
	w := e.worker(t, fail, func(c *queue.Config) {
		c.Logger = slog.New(onLog{fn: func(msg string) {
			if msg != "queue: delivery failed, will retry" {
				return
			}
			logged++
			// What a restarted worker sees once the backoff (1 s) passed.
			got, err := e.store.Claim(e.ctx, e.clock.Now().Add(time.Second), 10, time.Minute)
			if err != nil {
				t.Errorf("Claim: %v", err)
			}
			claimable = len(got)
		}})
	})
	process(t, w)
	if logged != 1 || claimable != 1 {
		t.Errorf("logged %d times; when logged, %d message(s) claimable at the retry time, want 1", logged, claimable)
	}
}

// TestRetryRecordedBeforeBatchEnds: a temporary failure is recorded as
// soon as its send returns. The worker then hangs in the next send of
// the batch, as a killed one would stay forever; a restarted worker gets
// the failed message after the backoff, not after the lease, and sends
// it once.
func TestRetryRecordedBeforeBatchEnds(t *testing.T) {
	e := newEnv(t, bob, carol)
	midBatch, finish := make(chan struct{}), make(chan struct{})
	calls := 0
	first := newRecorder(func(*backend.OutboundMessage, int) error {
		calls++ // Concurrency 1: one send at a time
		if calls == 1 {
			return errors.New("421 4.3.2 busy")
		}
		close(midBatch)
		<-finish
		return nil
	})
	w := e.worker(t, first, func(c *queue.Config) { c.Concurrency = 1 })
	done := make(chan int, 1)
	go func() { n, _ := w.Process(context.Background()); done <- n }()
	<-midBatch

	e.clock.Advance(time.Second) // Backoff.Min, no jitter; the lease is a minute
	restarted := newRecorder(nil)
	if n := process(t, e.worker(t, restarted, nil)); n != 1 {
		t.Errorf("the restarted worker claimed %d while the first hung in its batch, want the 1 failed message", n)
	}
	close(finish)
	if n := <-done; n != 2 {
		t.Errorf("the first worker claimed %d, want 2", n)
	}
	for _, m := range e.msgs {
		if f, r := first.count(m.ID), restarted.count(m.ID); f != 1 || r > 1 {
			t.Errorf("%s: %d sends by the first worker, %d by the restarted one; want 1 and at most 1", m.ID, f, r)
		}
	}
	e.wantStatus(t, bob, itip.StatusSent)
	e.wantStatus(t, carol, itip.StatusSent)
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages left in the queue", q)
	}
}

// TestStopReleasesRestAtOnce: Stop gives the unsent rest of the batch back
// while the send in flight still runs, so that a process killed before
// that send ends (a supervisor's stop timeout) does not leave them
// reserved for the lease.
func TestStopReleasesRestAtOnce(t *testing.T) {
	var attendees []string
	for i := 0; i < 5; i++ {
		attendees = append(attendees, fmt.Sprintf("mailto:a%d@remote.example", i))
	}
	e := newEnv(t, attendees...)
	started, finish := make(chan struct{}), make(chan struct{})
	calls := 0
	r := newRecorder(func(*backend.OutboundMessage, int) error {
		calls++ // Concurrency 1: one send at a time
		if calls == 1 {
			close(started)
		}
		<-finish
		return nil
	})
	w := e.worker(t, r, func(c *queue.Config) { c.Concurrency = 1 })
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(context.Background()) }()
	<-started
	stopErr := make(chan error, 1)
	go func() { stopErr <- w.Stop(context.Background()) }()
	waitFor(t, func() bool { return w.Stats().Released == 4 })
	left, err := e.store.Claim(e.ctx, e.clock.Now(), 10, time.Minute)
	if err != nil || len(left) != 4 {
		t.Errorf("while the first send is in flight, claimed %d (%v), want the 4 released", len(left), err)
	}
	close(finish)
	if err := <-stopErr; err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
	if st := w.Stats(); st.Sent != 1 || st.Released != 4 || calls != 1 {
		t.Errorf("Stats = %+v after %d sends, want 1 sent and 4 released", st, calls)
	}
}
