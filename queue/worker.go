package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Errors of New and Run.
var (
	// ErrConfig: the Config lacks the Outbox or the Sender, or its
	// durations contradict each other.
	ErrConfig = errors.New("queue: invalid configuration")
	// ErrRunning: Run was called on a Worker that runs or ran already.
	ErrRunning = errors.New("queue: worker already started")
)

// Config configures a Worker. Outbox and Sender are required; every other
// field has a default.
type Config struct {
	// Outbox is the queue to deliver from.
	Outbox backend.Outbox
	// Sender sends each message.
	Sender Sender
	// Store, when not nil, receives the delivery status: SCHEDULE-STATUS
	// 1.1 after a send, 5.x after a permanent failure, on the recipient in
	// the object at the message's ObjectPath (or, when the event was moved
	// to another calendar meanwhile, in the Sender's object with the
	// message's UID). Usually the same store as Outbox.
	Store backend.CalendarStore
	// Concurrency is how many sends run at once; default 4.
	Concurrency int
	// BatchSize is how many messages one Claim takes; default
	// 16·Concurrency.
	BatchSize int
	// Lease is how long a claimed message stays invisible to other
	// workers. A batch whose sends are slow is cut short: messages the
	// rest of the lease cannot cover (a send, the status write-back and
	// the completion, SendTimeout each) are given back unsent. Default 5
	// minutes.
	Lease time.Duration
	// SendTimeout bounds one Send; default Lease/4 and never more.
	SendTimeout time.Duration
	// PollInterval is how long an idle worker waits before it looks for
	// due messages again (Notify wakes it earlier); default 1 second.
	PollInterval time.Duration
	// Backoff spaces the retries after temporary failures.
	Backoff Backoff
	// MaxAttempts is how many attempts a message gets before it fails for
	// good with status 5.1; default 12.
	MaxAttempts int
	// Logger receives the worker's logs; default slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Stats counts what a Worker did since it was made.
type Stats struct {
	Sent     int64 // handed over (status 1.1)
	Failed   int64 // given up after a permanent failure or too many attempts (5.x)
	Retried  int64 // temporary failures put back for a later attempt
	Released int64 // claimed but given back unsent at Stop
	LostRace int64 // Complete, Retry or Release after the lease had been lost
	Obsolete int64 // invitations dropped unsent because their event is gone
}

// Worker delivers the messages of an Outbox through a Sender: it claims
// due messages in batches, sends up to Concurrency at once, retries
// temporary failures with backoff, and writes the outcome back into the
// calendar objects. Several Workers, in one process or many, may share one
// Outbox. Make one with New; start it with Run; end it with Stop.
type Worker struct {
	cfg Config
	log *slog.Logger

	started  atomic.Bool
	wake     chan struct{}
	stopping chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	cancelMu sync.Mutex
	cancel   context.CancelFunc

	sent, failed, retried, released, lostRace, obsolete atomic.Int64
}

// New checks cfg, fills in its defaults and returns a Worker that is not
// running yet.
func New(cfg Config) (*Worker, error) {
	if cfg.Outbox == nil || cfg.Sender == nil {
		return nil, fmt.Errorf("%w: Outbox and Sender are required", ErrConfig)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 16 * cfg.Concurrency
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = cfg.Lease / 4
	}
	if cfg.SendTimeout > cfg.Lease {
		return nil, fmt.Errorf("%w: SendTimeout %v exceeds Lease %v", ErrConfig, cfg.SendTimeout, cfg.Lease)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	cfg.Backoff = cfg.Backoff.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{
		cfg:      cfg,
		log:      cfg.Logger,
		wake:     make(chan struct{}, 1),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}, nil
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats {
	return Stats{Sent: w.sent.Load(), Failed: w.failed.Load(), Retried: w.retried.Load(),
		Released: w.released.Load(), LostRace: w.lostRace.Load(), Obsolete: w.obsolete.Load()}
}

// Notify wakes an idle worker, to send what was just enqueued without
// waiting for PollInterval. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until Stop is called or ctx ends, and returns nil after
// Stop, ctx's error otherwise. Cancelling ctx is a hard stop: sends in
// flight are cancelled and their messages released. Run may be called
// once per Worker.
func (w *Worker) Run(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer close(w.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.cancelMu.Lock()
	w.cancel = cancel
	w.cancelMu.Unlock()

	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		select {
		case <-w.stopping:
			return nil
		default:
		}
		if err := ctx.Err(); err != nil {
			if w.isStopping() {
				return nil
			}
			return err
		}
		n, err := w.Process(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.ErrorContext(ctx, "queue: claiming failed", "err", err)
		}
		if err == nil && n == w.cfg.BatchSize {
			continue // more may be due
		}
		timer.Reset(w.cfg.PollInterval)
		select {
		case <-w.stopping:
		case <-ctx.Done():
		case <-w.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

func (w *Worker) isStopping() bool {
	select {
	case <-w.stopping:
		return true
	default:
		return false
	}
}

// Stop ends Run gracefully: no new batch is claimed, sends in flight
// finish, and claimed messages not yet sent are released for other
// workers. When ctx ends first, the sends in flight are cancelled (their
// messages released) and Stop returns ctx's error after Run returned.
// Stop of a worker that never ran returns at once.
func (w *Worker) Stop(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stopping) })
	if !w.started.Load() {
		return nil
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
	}
	w.cancelMu.Lock()
	if w.cancel != nil {
		w.cancel()
	}
	w.cancelMu.Unlock()
	<-w.done
	return ctx.Err()
}

// outcome is what became of one claimed message.
type outcome uint8

const (
	outcomeSent     outcome = iota + 1 // handed over: complete, status 1.1
	outcomeFailed                      // permanent failure: complete, status 5.x
	outcomeRetry                       // temporary failure: retry later
	outcomeReleased                    // not sent: give back
	outcomeObsolete                    // not sent, never to be: complete
)

type result struct {
	outcome outcome
	status  string // SCHEDULE-STATUS for sent and failed
	next    time.Time
	err     error
}

// Process claims one batch of due messages, sends them and records the
// results, and returns how many it claimed. Run calls it in a loop; call
// it directly to drive delivery from a scheduler of your own (then do not
// call Run). When the worker is stopping, claimed messages not yet sent
// are released, and so are those the rest of the lease cannot cover
// (see Config.Lease).
//
// A message that was not sent (a temporary failure, or not attempted
// because the worker is stopping) is given back as soon as that is known,
// not after the batch: a worker killed later in the batch leaves it
// waiting for its retry time, not for the lease. Only messages whose send
// was under way when the worker died wait for the lease (they may have
// been sent).
func (w *Worker) Process(ctx context.Context) (int, error) {
	claimed := w.cfg.Now()
	msgs, err := w.cfg.Outbox.Claim(ctx, claimed, w.cfg.BatchSize, w.cfg.Lease)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	leaseEnd := claimed.Add(w.cfg.Lease)
	results := make([]result, len(msgs))
	events := &eventsSeen{gone: map[statusTarget]bool{}}
	next := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < w.cfg.Concurrency && g < len(msgs); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if i < w.cfg.Concurrency || w.leaseCovers(leaseEnd) {
					results[i] = w.send(ctx, &msgs[i], events)
				} else {
					results[i] = result{outcome: outcomeReleased}
				}
				w.giveBack(ctx, &msgs[i], &results[i])
			}
		}()
	}
feed:
	for i := range msgs {
		select {
		case next <- i:
			continue
		case <-w.stopping:
		case <-ctx.Done():
		}
		// Every sender is busy and the worker stops: the rest of the
		// batch goes back now, without waiting for the sends in flight.
		for j := i; j < len(msgs); j++ {
			results[j] = result{outcome: outcomeReleased}
			w.giveBack(ctx, &msgs[j], &results[j])
		}
		break feed
	}
	close(next)
	wg.Wait()
	w.record(ctx, msgs, results)
	return len(msgs), nil
}

// leaseCovers reports whether a send started now, and the recording of
// its result after the batch (status write-back, then completion), all
// end before leaseEnd: each of the three may take SendTimeout. A message the lease cannot cover is released instead: had
// it been sent, another worker could claim it after the lease expired
// and before this one recorded it, and send it again. (The first
// Concurrency messages of a batch start at once and are always sent, so
// that a SendTimeout over half the Lease still makes progress.)
func (w *Worker) leaseCovers(leaseEnd time.Time) bool {
	return !w.cfg.Now().Add(3 * w.cfg.SendTimeout).After(leaseEnd)
}

// bookkeeping returns the context of the writes that record results: they
// must happen even when a hard stop cancelled ctx, bounded by SendTimeout.
func (w *Worker) bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), w.cfg.SendTimeout)
}

// send sends one message unless the worker is stopping, and classifies
// the result.
func (w *Worker) send(ctx context.Context, m *backend.OutboundMessage, events *eventsSeen) result {
	if w.isStopping() || ctx.Err() != nil {
		return result{outcome: outcomeReleased}
	}
	if m.Attempts > w.cfg.MaxAttempts {
		// Claimed again and again without a recorded result: the worker
		// died during the send each time. Give up rather than loop.
		return result{outcome: outcomeFailed, status: itip.StatusTempFailure,
			err: fmt.Errorf("queue: %d claims without a result", m.Attempts)}
	}
	if gone, err := w.eventGone(ctx, m, events); err != nil {
		return result{outcome: outcomeRetry, next: w.cfg.Now().Add(w.cfg.Backoff.Delay(m.Attempts)), err: err}
	} else if gone {
		return result{outcome: outcomeObsolete}
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	err := w.safeSend(sctx, m)
	cancel()
	if err == nil {
		return result{outcome: outcomeSent, status: itip.StatusSent}
	}
	if ctx.Err() != nil {
		return result{outcome: outcomeReleased, err: err}
	}
	if perm, status := classify(err); perm {
		return result{outcome: outcomeFailed, status: status, err: err}
	}
	if m.Attempts >= w.cfg.MaxAttempts {
		return result{outcome: outcomeFailed, status: itip.StatusTempFailure, err: err}
	}
	return result{outcome: outcomeRetry, next: w.cfg.Now().Add(w.cfg.Backoff.Delay(m.Attempts)), err: err}
}

// eventsSeen remembers, for one batch, which events eventGone found
// gone: the messages of one write (one per attendee) share an event, and
// it is read once. It is safe for concurrent use.
type eventsSeen struct {
	mu   sync.Mutex
	gone map[statusTarget]bool
}

// eventGone reports whether m invites to an event that no longer exists:
// a REQUEST or ADD about an object (ObjectPath) that is neither there nor
// anywhere else in the sender's calendars (statusTarget.locate). Its
// organizer deleted the event without telling anyone ("Scheduling:
// none"); an ordinary delete queues a CANCEL, which drops the REQUEST
// already. Without Config.Store nothing is gone.
func (w *Worker) eventGone(ctx context.Context, m *backend.OutboundMessage, events *eventsSeen) (bool, error) {
	if w.cfg.Store == nil || m.ObjectPath == "" || (m.Method != itip.MethodRequest && m.Method != itip.MethodAdd) {
		return false, nil
	}
	t := statusTarget{path: m.ObjectPath, uid: m.UID, owner: m.Sender}
	events.mu.Lock()
	gone, seen := events.gone[t]
	events.mu.Unlock()
	if seen {
		return gone, nil
	}
	obj, err := t.locate(ctx, w.cfg.Store)
	if err != nil {
		return false, fmt.Errorf("queue: looking up the event of %s: %w", m.ID, err)
	}
	events.mu.Lock()
	events.gone[t] = obj == nil
	events.mu.Unlock()
	return obj == nil, nil
}

// safeSend calls the Sender and turns a panic into a temporary error.
func (w *Worker) safeSend(ctx context.Context, m *backend.OutboundMessage) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("queue: sender panicked: %v", r)
		}
	}()
	return w.cfg.Sender.Send(ctx, m)
}

// giveBack makes a message that was not sent due again: at once when it
// was released, at r.next after a temporary failure. The Retry is
// committed before the failure is logged as "will retry". Sent and failed
// messages are left to record.
func (w *Worker) giveBack(ctx context.Context, m *backend.OutboundMessage, r *result) {
	if r.outcome != outcomeRetry && r.outcome != outcomeReleased {
		return
	}
	ctx, cancel := w.bookkeeping(ctx)
	defer cancel()
	if r.outcome == outcomeReleased {
		if err := w.cfg.Outbox.Release(ctx, m.ID, m.Lease); err != nil {
			w.recordError(ctx, err, m.ID)
			return
		}
		w.released.Add(1)
		return
	}
	if err := w.cfg.Outbox.Retry(ctx, m.ID, m.Lease, r.next, r.err.Error()); err != nil {
		w.recordError(ctx, err, m.ID)
		w.log.WarnContext(ctx, "queue: delivery failed, retry not recorded", "id", m.ID, "recipient", m.Recipient,
			"attempt", m.Attempts, "err", r.err)
		return
	}
	w.retried.Add(1)
	w.log.WarnContext(ctx, "queue: delivery failed, will retry", "id", m.ID, "recipient", m.Recipient,
		"attempt", m.Attempts, "next", r.next, "err", r.err)
}

// record writes the statuses of sent and failed messages back and then
// completes them. Statuses go first: a crash in between resends a message
// (at least once) but never loses its status. (giveBack recorded the
// others already.) Each step has its own bookkeeping time, so that slow
// status writes do not keep the messages from being completed (and sent
// again after the lease).
func (w *Worker) record(ctx context.Context, msgs []backend.OutboundMessage, results []result) {
	w.writeBack(ctx, msgs, results)
	ctx, cancel := w.bookkeeping(ctx)
	defer cancel()
	w.complete(ctx, msgs, results)
}

// writeBack writes the statuses of the sent and failed messages into
// their objects.
func (w *Worker) writeBack(ctx context.Context, msgs []backend.OutboundMessage, results []result) {
	ctx, cancel := w.bookkeeping(ctx)
	defer cancel()
	if w.cfg.Store != nil {
		byTarget := map[statusTarget][]statusUpdate{}
		var order []statusTarget
		for i := range msgs {
			m, r := &msgs[i], &results[i]
			if m.ObjectPath == "" || (r.outcome != outcomeSent && r.outcome != outcomeFailed) {
				continue
			}
			t := statusTarget{path: m.ObjectPath, uid: m.UID, owner: m.Sender}
			if _, ok := byTarget[t]; !ok {
				order = append(order, t)
			}
			byTarget[t] = append(byTarget[t], statusUpdate{
				uid: m.UID, recipient: m.Recipient, code: r.status, role: roleOf(m.Method)})
		}
		for _, t := range order {
			if err := writeStatuses(ctx, w.cfg.Store, t, byTarget[t], w.newerPending); err != nil {
				w.log.ErrorContext(ctx, "queue: writing delivery status failed", "object", t.path, "uid", t.uid, "err", err)
			}
		}
	}
}

// complete removes the sent, failed and obsolete messages from the queue
// and counts and logs them.
func (w *Worker) complete(ctx context.Context, msgs []backend.OutboundMessage, results []result) {
	done := map[string][]string{} // lease → IDs to complete
	for i := range msgs {
		m, r := &msgs[i], &results[i]
		switch r.outcome {
		case outcomeSent:
			w.sent.Add(1)
			w.log.DebugContext(ctx, "queue: sent", "id", m.ID, "recipient", m.Recipient, "method", m.Method, "attempt", m.Attempts)
			done[m.Lease] = append(done[m.Lease], m.ID)
		case outcomeObsolete:
			w.obsolete.Add(1)
			w.log.InfoContext(ctx, "queue: invitation dropped unsent, its event is gone", "id", m.ID, "recipient", m.Recipient,
				"method", m.Method, "uid", m.UID, "object", m.ObjectPath)
			done[m.Lease] = append(done[m.Lease], m.ID)
		case outcomeFailed:
			w.failed.Add(1)
			w.log.ErrorContext(ctx, "queue: delivery failed for good", "id", m.ID, "recipient", m.Recipient,
				"method", m.Method, "attempt", m.Attempts, "status", r.status, "err", r.err)
			done[m.Lease] = append(done[m.Lease], m.ID)
		}
	}
	for lease, ids := range done {
		w.recordError(ctx, w.cfg.Outbox.Complete(ctx, lease, ids...), ids[0])
	}
}

// recordError logs a failure to record a result; id names the (first)
// message concerned.
func (w *Worker) recordError(ctx context.Context, err error, id string) {
	if errors.Is(err, backend.ErrLeaseLost) {
		w.lostRace.Add(1)
		w.log.WarnContext(ctx, "queue: lease lost before the result was recorded; another worker may send again",
			"id", id, "err", err)
	} else if err != nil {
		w.log.ErrorContext(ctx, "queue: recording delivery result failed", "id", id, "err", err)
	}
}
