package schedule

import (
	"context"
	"sync"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// refresher batches the refresh messages an organizer's server sends to
// the other attendees after a reply (RFC 6638 §4.2). Each refresh carries
// the participation status of every attendee, so when replies arrive
// faster than refreshes are delivered only the latest set for a
// scheduling object is sent: one delivery round covers many replies.
//
// enqueue is called while the organizer's copy is locked, so the sets
// are queued in the order the replies were applied and the latest queued
// set is the freshest.
type refresher struct {
	mu      sync.Mutex
	pending map[string]*refreshJob // by organizer path + UID
}

// refreshJob is the refresh waiting for one scheduling object.
type refreshJob struct {
	sender *backend.Principal
	msgs   []*itip.Message // nil once taken by the running delivery
	scope  Scope           // of the write whose reply queued msgs
}

// refreshKey names the scheduling object of an organizer.
func refreshKey(organizer *backend.Principal, uid string) string {
	return organizer.Path + "\x00" + uid
}

// enqueue queues msgs for key, to deliver within scope. It returns true
// when the caller must call run (no delivery is running for key);
// otherwise the running delivery will send msgs, or a later set (with
// the later set's scope). A set that is replaced before it is sent
// still reaches the recipients the newer set leaves out (coalesce).
func (rf *refresher) enqueue(key string, sender *backend.Principal, msgs []*itip.Message, scope Scope) bool {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.pending == nil {
		rf.pending = make(map[string]*refreshJob)
	}
	if job, ok := rf.pending[key]; ok {
		job.msgs, job.scope = coalesce(job.msgs, msgs), scope
		return false
	}
	rf.pending[key] = &refreshJob{sender: sender, msgs: msgs, scope: scope}
	return true
}

// run delivers the queued sets of key until none is left.
func (rf *refresher) run(ctx context.Context, h *Handler, key string) {
	ctx = context.WithoutCancel(ctx)
	rf.mu.Lock()
	for {
		job := rf.pending[key]
		if job == nil {
			rf.mu.Unlock()
			return
		}
		if job.msgs == nil {
			delete(rf.pending, key)
			rf.mu.Unlock()
			return
		}
		msgs, scope := job.msgs, job.scope
		job.msgs = nil
		rf.mu.Unlock()
		h.deliverAll(ctx, job.sender, msgs, scope)
		rf.mu.Lock()
	}
}

// coalesce returns the refresh set newer, which replaces the unsent set
// older, plus older's messages for the recipients newer does not
// address. A set leaves out the attendee whose reply made it, so without
// this an attendee who replied while earlier sets were waiting would
// never learn the answers those sets carried (each recipient is in at
// most one message of a set, so the result stays that way).
func coalesce(older, newer []*itip.Message) []*itip.Message {
	if len(older) == 0 {
		return newer
	}
	covered := caladdr.Set{}
	for _, m := range newer {
		for _, r := range m.Recipients {
			covered.Add(r)
		}
	}
	out := newer
	for _, m := range older {
		var missing []string
		for _, r := range m.Recipients {
			if !covered.Has(r) {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if len(out) == len(newer) {
			out = append(make([]*itip.Message, 0, len(newer)+1), newer...)
		}
		out = append(out, m.To(missing))
	}
	return out
}
