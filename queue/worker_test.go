package queue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/queue/queuetest"
)

const bob, carol = "mailto:bob@remote.example", "mailto:carol@remote.example"

func TestNewRejectsIncompleteConfig(t *testing.T) {
	if _, err := queue.New(queue.Config{}); !errors.Is(err, queue.ErrConfig) {
		t.Errorf("New without Outbox and Sender: %v, want ErrConfig", err)
	}
	e := newEnv(t)
	_, err := queue.New(queue.Config{Outbox: e.store, Sender: newRecorder(nil), Lease: time.Second, SendTimeout: time.Minute})
	if !errors.Is(err, queue.ErrConfig) {
		t.Errorf("New with SendTimeout > Lease: %v, want ErrConfig", err)
	}
}

func TestSentOnceStatusSent(t *testing.T) {
	e := newEnv(t, bob, carol)
	r := newRecorder(nil)
	w := e.worker(t, r, nil)
	if n := process(t, w); n != 2 {
		t.Fatalf("Process claimed %d, want 2", n)
	}
	if n := process(t, w); n != 0 {
		t.Errorf("second Process claimed %d, want 0", n)
	}
	e.clock.Advance(time.Hour)
	process(t, w)
	for _, m := range e.msgs {
		if n := r.count(m.ID); n != 1 {
			t.Errorf("%s sent %d times, want 1", m.ID, n)
		}
	}
	e.wantStatus(t, bob, itip.StatusSent)
	e.wantStatus(t, carol, itip.StatusSent)
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages left in the queue", q)
	}
	if st := w.Stats(); st.Sent != 2 || st.Failed != 0 || st.Retried != 0 {
		t.Errorf("Stats = %+v, want 2 sent", st)
	}
}

func TestTemporaryFailureThenSuccess(t *testing.T) {
	e := newEnv(t, bob)
	r := newRecorder(func(m *backend.OutboundMessage, n int) error {
		if n <= 2 {
			return errors.New("451 4.3.0 try again later")
		}
		return nil
	})
	w := e.worker(t, r, nil)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusPending)
	if n := process(t, w); n != 0 {
		t.Errorf("claimed %d before the backoff (1 s) passed", n)
	}
	e.clock.Advance(time.Second) // Backoff.Min, no jitter
	process(t, w)
	e.wantStatus(t, bob, itip.StatusPending)
	e.clock.Advance(1999 * time.Millisecond)
	if n := process(t, w); n != 0 {
		t.Errorf("claimed %d before the second backoff (2 s) passed", n)
	}
	e.clock.Advance(time.Millisecond)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusSent)
	if n := r.count(e.msgs[0].ID); n != 3 {
		t.Errorf("sent %d times, want 3 (two failures, one success)", n)
	}
	if st := w.Stats(); st.Sent != 1 || st.Retried != 2 {
		t.Errorf("Stats = %+v, want 1 sent after 2 retries", st)
	}
}

// smtpPermanent reports itself permanent like an SMTP client error might,
// without importing the queue package.
type smtpPermanent struct{}

func (smtpPermanent) Error() string   { return "550 5.1.1 no such user" }
func (smtpPermanent) Permanent() bool { return true }

// policyRefusal also chooses its status.
type policyRefusal struct{ smtpPermanent }

func (policyRefusal) ScheduleStatus() string { return itip.StatusRejected }

// temporaryWithStatus is not permanent, whatever status it names.
type temporaryWithStatus struct{}

func (temporaryWithStatus) Error() string          { return "421 busy" }
func (temporaryWithStatus) Permanent() bool        { return false }
func (temporaryWithStatus) ScheduleStatus() string { return "5.3" }

func TestDuckTypedErrors(t *testing.T) {
	e := newEnv(t, bob, carol)
	r := newRecorder(func(m *backend.OutboundMessage, n int) error {
		if m.Recipient == bob {
			return fmt.Errorf("wrapped: %w", policyRefusal{})
		}
		return temporaryWithStatus{}
	})
	w := e.worker(t, r, nil)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusRejected)
	e.wantStatus(t, carol, itip.StatusPending)
	if st := w.Stats(); st.Failed != 1 || st.Retried != 1 {
		t.Errorf("Stats = %+v, want 1 failed, 1 retried", st)
	}
}

func TestPermanentFailure(t *testing.T) {
	e := newEnv(t, bob, carol)
	r := newRecorder(func(m *backend.OutboundMessage, n int) error {
		if m.Recipient == bob {
			return queue.Permanent(itip.StatusRejected, errors.New("550 5.7.1 not authorised"))
		}
		return fmt.Errorf("relay said: %w", smtpPermanent{})
	})
	w := e.worker(t, r, nil)
	process(t, w)
	e.clock.Advance(time.Hour)
	if n := process(t, w); n != 0 {
		t.Errorf("a permanently failed message was claimed again (%d)", n)
	}
	e.wantStatus(t, bob, itip.StatusRejected)
	e.wantStatus(t, carol, itip.StatusNoDelivery)
	if st := w.Stats(); st.Failed != 2 || st.Sent != 0 {
		t.Errorf("Stats = %+v, want 2 failed", st)
	}
}

func TestMaxAttemptsGivesUp(t *testing.T) {
	e := newEnv(t, bob)
	r := newRecorder(func(*backend.OutboundMessage, int) error { return errors.New("connection refused") })
	w := e.worker(t, r, func(c *queue.Config) { c.MaxAttempts = 3 })
	for i := 0; i < 10; i++ {
		process(t, w)
		e.clock.Advance(time.Minute)
	}
	if n := r.count(e.msgs[0].ID); n != 3 {
		t.Errorf("sent %d times, want MaxAttempts = 3", n)
	}
	e.wantStatus(t, bob, itip.StatusTempFailure)
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages left after giving up", q)
	}
}

func TestSenderPanicIsTemporary(t *testing.T) {
	e := newEnv(t, bob)
	r := newRecorder(func(m *backend.OutboundMessage, n int) error {
		if n == 1 {
			panic("boom")
		}
		return nil
	})
	w := e.worker(t, r, nil)
	process(t, w)
	e.clock.Advance(time.Minute)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusSent)
}

// TestCrashAfterWriteRestart: the process dies after the object write
// (the message is queued, nothing sent), and again after the send but
// before Complete. The restarted worker sends what is missing; the
// receiver sees every message ID exactly once after its dedupe by
// Message-ID, and never gets a message that was completed.
func TestCrashAfterWriteRestart(t *testing.T) {
	e := newEnv(t, bob, carol)
	sk := queuetest.NewSink(t)
	snd := queuetest.NewSMTPSender(sk.Addr(), 2)
	defer snd.Close()

	// Crash 1: queued with the write, then the process died. Crash 2: a
	// worker claimed bob's message, sent it, and died before Complete.
	claimed, err := e.store.Claim(e.ctx, e.clock.Now(), 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim: %v, %v", claimed, err)
	}
	if err := snd.Send(e.ctx, &claimed[0]); err != nil {
		t.Fatal(err)
	}

	// The restart: a new worker on the same store.
	w := e.worker(t, snd, nil)
	process(t, w) // carol now; bob's message is still leased
	e.clock.Advance(time.Minute + time.Second)
	process(t, w) // bob's lease expired: sent again, same ID
	e.clock.Advance(time.Hour)
	process(t, w)

	ids, maxCopies := sk.Unique()
	if ids != 2 {
		t.Errorf("the sink got %d distinct messages, want 2", ids)
	}
	if total := sk.Total(); maxCopies > 2 || total != 3 {
		t.Errorf("the sink got %d messages, at most %d of one ID: want 3 (bob's resent once after the crash)", total, maxCopies)
	}
	e.wantStatus(t, bob, itip.StatusSent)
	e.wantStatus(t, carol, itip.StatusSent)
	if q := e.queued(t); q != 0 {
		t.Errorf("%d messages left", q)
	}
}

// TestDelivererDown: the SMTP relay is down, then comes back; every
// message is delivered once, statuses stay pending until then.
func TestDelivererDown(t *testing.T) {
	e := newEnv(t, bob, carol)
	sk := queuetest.NewSink(t)
	var down atomic.Bool
	down.Store(true)
	sk.SetReject(func(string) error {
		if down.Load() {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "service not available"}
		}
		return nil
	})
	snd := queuetest.NewSMTPSender(sk.Addr(), 2)
	defer snd.Close()
	w := e.worker(t, snd, nil)
	for i := 0; i < 3; i++ {
		process(t, w)
		e.clock.Advance(10 * time.Second)
	}
	e.wantStatus(t, bob, itip.StatusPending)
	down.Store(false)
	process(t, w)
	if ids, maxCopies := sk.Unique(); ids != 2 || maxCopies != 1 {
		t.Errorf("after the relay came back: %d messages, %d copies of one; want 2, 1", ids, maxCopies)
	}
	e.wantStatus(t, bob, itip.StatusSent)
	e.wantStatus(t, carol, itip.StatusSent)
}

func TestSMTPRejectionIsPermanent(t *testing.T) {
	e := newEnv(t, bob, carol)
	sk := queuetest.NewSink(t)
	sk.SetReject(func(to string) error {
		if to == "bob@remote.example" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "not allowed"}
	})
	snd := queuetest.NewSMTPSender(sk.Addr(), 2)
	defer snd.Close()
	w := e.worker(t, snd, nil)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusNoDelivery)
	e.wantStatus(t, carol, itip.StatusRejected)
}

// TestNewerMessageKeepsStatusPending: while a newer message for the same
// recipient waits, the older one's success must not mark it sent.
func TestNewerMessageKeepsStatusPending(t *testing.T) {
	e := newEnv(t, bob)
	cancel := e.msgs[0]
	cancel.ID, cancel.Method, cancel.Supersedes = "cancel-instance@test.example", "CANCEL", false
	if err := e.store.Enqueue(e.ctx, []backend.OutboundMessage{cancel}); err != nil {
		t.Fatal(err)
	}
	var order []string
	var mu sync.Mutex
	w := e.worker(t, queue.SenderFunc(func(_ context.Context, m *backend.OutboundMessage) error {
		mu.Lock()
		order = append(order, m.Method)
		mu.Unlock()
		return nil
	}), nil)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusPending)
	process(t, w)
	e.wantStatus(t, bob, itip.StatusSent)
	if fmt.Sprint(order) != "[REQUEST CANCEL]" {
		t.Errorf("sent %v, want [REQUEST CANCEL] in order", order)
	}
}

// TestStopReleasesUnsent: Stop lets the send in flight finish and gives
// the rest of the batch back without counting an attempt.
func TestStopReleasesUnsent(t *testing.T) {
	var attendees []string
	for i := 0; i < 5; i++ {
		attendees = append(attendees, fmt.Sprintf("mailto:a%d@remote.example", i))
	}
	e := newEnv(t, attendees...)
	started, finish := make(chan struct{}), make(chan struct{})
	var once sync.Once
	r := newRecorder(func(*backend.OutboundMessage, int) error {
		once.Do(func() { close(started) })
		<-finish
		return nil
	})
	w := e.worker(t, r, func(c *queue.Config) { c.Concurrency = 1 })
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(context.Background()) }()
	<-started
	stopErr := make(chan error, 1)
	go func() { stopErr <- w.Stop(context.Background()) }()
	time.Sleep(20 * time.Millisecond) // Stop is waiting for the send in flight
	close(finish)
	if err := <-stopErr; err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run after Stop: %v", err)
	}
	if st := w.Stats(); st.Sent != 1 || st.Released != 4 {
		t.Errorf("Stats = %+v, want 1 sent and 4 released", st)
	}
	left, err := e.store.Claim(e.ctx, e.clock.Now(), 10, time.Minute)
	if err != nil || len(left) != 4 {
		t.Fatalf("after Stop claimed %d (%v), want the 4 released at once", len(left), err)
	}
	for _, m := range left {
		if m.Attempts != 1 {
			t.Errorf("%s: Attempts %d after a release, want 1", m.ID, m.Attempts)
		}
	}
	if err := w.Run(context.Background()); !errors.Is(err, queue.ErrRunning) {
		t.Errorf("second Run: %v, want ErrRunning", err)
	}
}

// TestStopDeadlineCancelsSends: when Stop's context ends first, the send
// in flight is cancelled and its message released, not lost.
func TestStopDeadlineCancelsSends(t *testing.T) {
	e := newEnv(t, bob)
	started := make(chan struct{})
	w := e.worker(t, queue.SenderFunc(func(ctx context.Context, _ *backend.OutboundMessage) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}), nil)
	go func() { _ = w.Run(context.Background()) }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := w.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop: %v, want DeadlineExceeded", err)
	}
	if st := w.Stats(); st.Released != 1 {
		t.Errorf("Stats = %+v, want the cancelled send released", st)
	}
	e.wantStatus(t, bob, itip.StatusPending)
	if q := e.queued(t); q != 1 {
		t.Errorf("%d messages queued, want 1", q)
	}
}

// TestRunDeliversAndNotifyWakes runs the worker on the real clock.
func TestRunDeliversAndNotifyWakes(t *testing.T) {
	e := newEnv(t, bob)
	sk := queuetest.NewSink(t)
	snd := queuetest.NewSMTPSender(sk.Addr(), 2)
	defer snd.Close()
	w := e.worker(t, snd, func(c *queue.Config) { c.Now = nil; c.PollInterval = time.Hour })
	go func() { _ = w.Run(context.Background()) }()
	defer func() { _ = w.Stop(context.Background()) }()
	waitFor(t, func() bool { n, _ := sk.Unique(); return n == 1 })
	later := backend.OutboundMessage{ID: "later@test.example", Sender: "/alice/", UID: "other", Recipient: carol,
		Method: "REQUEST", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}
	if err := e.store.Enqueue(e.ctx, []backend.OutboundMessage{later}); err != nil {
		t.Fatal(err)
	}
	w.Notify() // without it the worker would sleep for an hour
	waitFor(t, func() bool { n, _ := sk.Unique(); return n == 2 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestWorkersShareQueue: four workers on one store deliver 200 messages,
// each exactly once.
func TestWorkersShareQueue(t *testing.T) {
	var attendees []string
	for i := 0; i < 200; i++ {
		attendees = append(attendees, fmt.Sprintf("mailto:a%03d@remote.example", i))
	}
	e := newEnv(t, attendees...)
	r := newRecorder(nil)
	var workers []*queue.Worker
	for i := 0; i < 4; i++ {
		w := e.worker(t, r, func(c *queue.Config) { c.Now = nil; c.BatchSize = 7; c.Concurrency = 3 })
		workers = append(workers, w)
		go func() { _ = w.Run(context.Background()) }()
	}
	waitFor(t, func() bool { return e.queued(t) == 0 })
	for _, w := range workers {
		if err := w.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	}
	for _, m := range e.msgs {
		if n := r.count(m.ID); n != 1 {
			t.Errorf("%s sent %d times", m.ID, n)
		}
	}
	got, _ := e.statuses(t, attendees[199])
	if len(got) != 2 || got[0] != itip.StatusSent {
		t.Errorf("last attendee's status %v, want 1.1", got)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := queue.Backoff{Min: time.Second, Max: time.Minute, Factor: 2, Jitter: 0.5}
	for attempt := 1; attempt <= 30; attempt++ {
		base := time.Second << (attempt - 1)
		if attempt > 6 {
			base = time.Minute
		}
		for i := 0; i < 20; i++ {
			d := b.Delay(attempt)
			if d < base/2 || d > min(base*3/2, time.Minute) {
				t.Fatalf("Delay(%d) = %v, want within ±50%% of %v and at most 1m", attempt, d, base)
			}
		}
	}
	if d := (queue.Backoff{}).Delay(1); d < 24*time.Second || d > 36*time.Second {
		t.Errorf("default Delay(1) = %v, want 30 s ± 20%%", d)
	}
}
