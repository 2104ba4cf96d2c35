package memory

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// outbox is the in-memory delivery queue of a Store. Its fields are
// guarded by Store.mu, so that PutObjectEnqueue writes the object and the
// messages under one lock.
type outbox struct {
	seq    uint64 // enqueue counter: the order of messages
	claims uint64 // claim counter: lease tokens
	byID   map[string]*queued
	pairs  map[string][]*queued // PairKey → messages, oldest first
	// order holds every message in enqueue order, and also removed ones
	// until compact drops them (dead counts those), so that Claim finds
	// the oldest due messages without sorting the whole queue.
	order []*queued
	dead  int
}

// queued is one message of the outbox and its place in the order.
type queued struct {
	msg        backend.OutboundMessage
	seq        uint64
	key        string // msg.PairKey()
	removed    bool
	leaseUntil time.Time // zero when not claimed
}

func (o *outbox) init() {
	if o.byID == nil {
		o.byID = map[string]*queued{}
		o.pairs = map[string][]*queued{}
	}
}

// PutObjectEnqueue stores the object like PutObject and queues msgs under
// the same lock: when the write fails, nothing is queued.
func (s *Store) PutObjectEnqueue(ctx context.Context, path string, data []byte, opts *backend.PutOptions, msgs []backend.OutboundMessage) (*backend.Object, error) {
	if err := checkMessages(msgs); err != nil {
		return nil, err
	}
	return s.putObject(ctx, path, data, opts, func() { s.enqueueLocked(msgs) })
}

// DeleteObjectEnqueue deletes the object like DeleteObject and queues
// msgs under the same lock: when the delete fails, nothing is queued.
func (s *Store) DeleteObjectEnqueue(ctx context.Context, path, ifMatch string, msgs []backend.OutboundMessage) error {
	if err := checkMessages(msgs); err != nil {
		return err
	}
	return s.deleteObject(ctx, path, ifMatch, func() { s.enqueueLocked(msgs) })
}

// Enqueue queues msgs, all or none.
func (s *Store) Enqueue(ctx context.Context, msgs []backend.OutboundMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkMessages(msgs); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enqueueLocked(msgs)
	return nil
}

func checkMessages(msgs []backend.OutboundMessage) error {
	for i := range msgs {
		if err := backend.CheckOutboundMessage(&msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

// enqueueLocked adds copies of msgs; the caller holds s.mu for writing.
func (s *Store) enqueueLocked(msgs []backend.OutboundMessage) {
	o := &s.outbox
	o.init()
	now := s.now().Round(0)
	for i := range msgs {
		m := msgs[i]
		if _, dup := o.byID[m.ID]; dup {
			continue
		}
		m.Data = cloneBytes(m.Data)
		m.Previous = cloneBytes(m.Previous)
		m.Attempts, m.LastError, m.Lease = 0, "", ""
		if m.Enqueued.IsZero() {
			m.Enqueued = now
		}
		key := m.PairKey()
		if m.Supersedes {
			if prev, dropped := o.dropSuperseded(key, m.Sender, m.Enqueued); dropped {
				m.Previous = prev
			}
		}
		o.seq++
		q := &queued{msg: m, seq: o.seq, key: key}
		o.byID[m.ID] = q
		o.pairs[key] = append(o.pairs[key], q)
		o.order = append(o.order, q)
	}
}

// dropSuperseded removes the REQUESTs of the pair from sender that no
// lease holds at time now, and returns the Previous of the oldest of them
// and whether there was one.
func (o *outbox) dropSuperseded(key, sender string, now time.Time) (prev []byte, dropped bool) {
	list := o.pairs[key]
	kept := list[:0]
	for _, q := range list {
		if q.msg.Method == "REQUEST" && q.msg.Sender == sender && !q.leaseUntil.After(now) {
			if !dropped {
				prev, dropped = q.msg.Previous, true
			}
			delete(o.byID, q.msg.ID)
			o.bury(q)
			continue
		}
		kept = append(kept, q)
	}
	for i := len(kept); i < len(list); i++ {
		list[i] = nil
	}
	o.setPair(key, kept)
	return prev, dropped
}

// supersederOf returns the newer superseding message of q's pair and
// sender that makes q, a REQUEST, obsolete; nil when there is none or q
// is no REQUEST.
func (o *outbox) supersederOf(q *queued) *queued {
	if q.msg.Method != "REQUEST" {
		return nil
	}
	for _, n := range o.pairs[q.key] {
		if n.seq > q.seq && n.msg.Supersedes && n.msg.Sender == q.msg.Sender {
			return n
		}
	}
	return nil
}

// bury marks q removed from order, and compacts order once half of it is
// removed messages.
func (o *outbox) bury(q *queued) {
	q.removed = true
	o.dead++
	if o.dead < 64 || 2*o.dead < len(o.order) {
		return
	}
	kept := o.order[:0]
	for _, e := range o.order {
		if !e.removed {
			kept = append(kept, e)
		}
	}
	for i := len(kept); i < len(o.order); i++ {
		o.order[i] = nil
	}
	o.order, o.dead = kept, 0
}

func (o *outbox) setPair(key string, list []*queued) {
	if len(list) == 0 {
		delete(o.pairs, key)
		return
	}
	o.pairs[key] = list
}

// Claim leases up to limit due messages, oldest first, one per pair.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]backend.OutboundMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("%w: lease of %v", backend.ErrInvalidData, lease)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.outbox
	var due []*queued
	for _, q := range o.order {
		if q.removed || o.pairs[q.key][0] != q || q.leaseUntil.After(now) || q.msg.NextAttempt.After(now) {
			continue
		}
		if due = append(due, q); len(due) == limit {
			break
		}
	}
	o.claims++
	token := "lease-" + strconv.FormatUint(o.claims, 36)
	out := make([]backend.OutboundMessage, len(due))
	for i, q := range due {
		q.leaseUntil = now.Add(lease)
		q.msg.Attempts++
		q.msg.Lease = token
		out[i] = q.msg
		out[i].Data = cloneBytes(q.msg.Data)
		out[i].Previous = cloneBytes(q.msg.Previous)
	}
	return out, nil
}

// held returns the message id while lease holds it; the caller holds s.mu.
func (s *Store) held(id, lease string) (*queued, error) {
	q, ok := s.outbox.byID[id]
	if !ok || lease == "" || q.msg.Lease != lease {
		return nil, fmt.Errorf("%w: message %q", backend.ErrLeaseLost, id)
	}
	return q, nil
}

// Complete removes the claimed messages ids that lease holds.
func (s *Store) Complete(ctx context.Context, lease string, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var lost []string
	for _, id := range ids {
		q, err := s.held(id, lease)
		if err != nil {
			lost = append(lost, id)
			continue
		}
		s.outbox.remove(q)
	}
	if len(lost) > 0 {
		return fmt.Errorf("%w: %d of %d messages (%q, ...)", backend.ErrLeaseLost, len(lost), len(ids), lost[0])
	}
	return nil
}

// remove takes q out of the queue.
func (o *outbox) remove(q *queued) {
	delete(o.byID, q.msg.ID)
	o.bury(q)
	key := q.key
	list := o.pairs[key]
	for i, e := range list {
		if e == q {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			o.setPair(key, list[:len(list)-1])
			return
		}
	}
}

// Retry makes a claimed message due again at next; a REQUEST that a
// newer superseding message of its pair and sender waits behind is dropped
// instead (see backend.Outbox).
func (s *Store) Retry(ctx context.Context, id, lease string, next time.Time, lastErr string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.held(id, lease)
	if err != nil {
		return err
	}
	if newer := s.outbox.supersederOf(q); newer != nil {
		newer.msg.Previous = q.msg.Previous
		s.outbox.remove(q)
		return nil
	}
	q.msg.NextAttempt = next
	q.msg.LastError = backend.TruncateError(lastErr)
	q.msg.Lease = ""
	q.leaseUntil = time.Time{}
	return nil
}

// Release gives a claimed message back unsent.
func (s *Store) Release(ctx context.Context, id, lease string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.held(id, lease)
	if err != nil {
		return err
	}
	q.msg.Attempts--
	q.msg.NextAttempt = time.Time{}
	q.msg.Lease = ""
	q.leaseUntil = time.Time{}
	return nil
}

// Queued counts the messages queued for uid and recipient.
func (s *Store) Queued(ctx context.Context, uid, recipient string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	key := (&backend.OutboundMessage{UID: uid, Recipient: recipient}).PairKey()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.outbox.pairs[key]), nil
}

// QueuedFor counts the messages queued for uid and recipient whose
// ObjectPath is objectPath, claimed or not (queue.ObjectQueue).
func (s *Store) QueuedFor(ctx context.Context, objectPath, uid, recipient string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	key := (&backend.OutboundMessage{UID: uid, Recipient: recipient}).PairKey()
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, q := range s.outbox.pairs[key] {
		if q.msg.ObjectPath == objectPath {
			n++
		}
	}
	return n, nil
}

var _ backend.Outbox = (*Store)(nil)
