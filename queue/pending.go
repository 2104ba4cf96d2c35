package queue

import (
	"context"
)

// ObjectQueue is implemented by outboxes that can count the queued
// messages of one (UID, recipient) pair that report to one object (their
// ObjectPath). The Worker uses it to decide whether a newer message will
// set the recipient's status in the object it just delivered for: one
// pair can hold messages of several objects, such as the REPLYs of two
// local attendees to one remote organizer, and only a newer message for
// the same object makes a write-back superfluous. The memory and SQL
// stores implement it; with an outbox that does not, the Worker always
// writes the status back (it may then show 1.1 for a moment while a newer
// message for the same object is still pending).
type ObjectQueue interface {
	// QueuedFor counts the messages queued for uid and recipient
	// (compared by backend.AddressKey) whose ObjectPath is objectPath,
	// claimed or not.
	QueuedFor(ctx context.Context, objectPath, uid, recipient string) (int, error)
}

// newerPending reports whether a message other than the one just
// delivered, for the same object, UID and recipient, is still queued, so
// that it (not this one) sets the recipient's status. A failed count is
// logged and taken as none.
func (w *Worker) newerPending(ctx context.Context, objectPath string, u statusUpdate) bool {
	oq, ok := w.cfg.Outbox.(ObjectQueue)
	if !ok {
		return false
	}
	n, err := oq.QueuedFor(ctx, objectPath, u.uid, u.recipient)
	if err != nil {
		w.log.WarnContext(ctx, "queue: counting queued messages failed", "object", objectPath, "recipient", u.recipient, "err", err)
	}
	return n > 1
}
