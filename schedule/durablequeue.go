package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

// QueueOptions make the delivery to recipients that the store does not
// host durable (Options.Queue). The store must implement backend.Outbox.
//
// The messages of a write (PUT, COPY, MOVE, DELETE) for the recipients
// the queue takes are stored in the same transaction as the object
// (Outbox.PutObjectEnqueue, Outbox.DeleteObjectEnqueue), and the object
// records SCHEDULE-STATUS 1.0 (pending) for them. A queue.Worker with the
// same store as Outbox and Store sends them later, through a queue.Sender
// such as imip.QueueSender, and writes 1.1 (sent) or a failure status back
// into the object. A write that fails queues nothing; a crash after the
// write loses nothing. The REQUESTs of an organizer's write carry what
// each recipient saw before (backend.OutboundMessage.Previous, see
// queue.PreviousView), so that an update mail can list what changed even
// when it is sent long after the write. Messages that arise after a
// write (the refreshes an organizer's copy sends to the other attendees
// after a reply, RFC 6638 §4.2) are queued with Outbox.Enqueue.
//
// Delivery order per recipient: a user hosted by the store is delivered
// to locally; anyone else goes to the queue when Accept takes them, then
// to Options.Deliverers, and gets 3.7 when nobody takes them. Nothing is
// queued for a write whose Scheduling header excludes remote recipients
// (none, internal-only), nor for SCHEDULE-AGENT=CLIENT or NONE
// recipients (itip.Plan sends them nothing).
type QueueOptions struct {
	// Accept reports whether a recipient the store does not host is
	// delivered through the queue. Nil means every mailto: address (the
	// ones an iMIP sender can reach); other addresses go on to the
	// Deliverers.
	Accept func(recipient string) bool
	// Domain is the right-hand side of the queued messages' IDs
	// (queue.NewID), which senders turn into e-mail Message-IDs: the
	// server's mail domain. "" means "localhost".
	Domain string
	// Notify is called after messages were queued and committed, so that
	// the worker sends them at once rather than at its next poll: pass
	// (*queue.Worker).Notify. It must not block. Nil means none.
	Notify func()
}

// maxIDDomain is the longest QueueOptions.Domain: a message ID (32 hex
// digits, "@", the domain) must fit backend.MaxOutboundIDLength.
const maxIDDomain = backend.MaxOutboundIDLength - 33

// durableQueue is the Handler's side of QueueOptions.
type durableQueue struct {
	outbox backend.Outbox
	accept func(recipient string) bool
	domain string
	notify func()
}

// newDurableQueue returns the queue of o over store, or nil (with an
// error logged) when store keeps no outbox.
func newDurableQueue(store backend.Store, o *QueueOptions, log *slog.Logger) *durableQueue {
	if o == nil {
		return nil
	}
	ob, ok := store.(backend.Outbox)
	if !ok {
		log.Error("schedule: Options.Queue ignored: the store does not implement backend.Outbox", "store", fmt.Sprintf("%T", store))
		return nil
	}
	q := &durableQueue{outbox: ob, accept: o.Accept, domain: o.Domain, notify: o.Notify}
	if len(q.domain) > maxIDDomain || strings.ContainsAny(q.domain, "<>@\" \t\r\n\x00") || !utf8.ValidString(q.domain) {
		// Every message would be refused (backend.CheckOutboundMessage)
		// or make a broken Message-ID.
		log.Error("schedule: QueueOptions.Domain is no domain name; using localhost", "domain", q.domain)
		q.domain = ""
	}
	if q.accept == nil {
		q.accept = isMailto
	}
	return q
}

// isMailto reports whether addr is a mailto: calendar user address.
func isMailto(addr string) bool {
	_, ok := caladdr.Email(addr)
	return ok
}

// takes reports whether the queue delivers to recipient, who is not
// hosted by the store, under scope. A nil queue takes nobody.
func (q *durableQueue) takes(recipient string, scope Scope) bool {
	return q != nil && scope.Remote() && q.accept(recipient)
}

// notified calls Notify, if any.
func (q *durableQueue) notified() {
	if q != nil && q.notify != nil {
		q.notify()
	}
}

// queuedWrite is what one write queues along with the object: the
// messages, and the normalised addresses of their recipients (who get
// all their messages of the write through the queue).
type queuedWrite struct {
	msgs       []backend.OutboundMessage
	recipients map[string]bool
}

// planQueued picks the recipients of msgs that the queue takes (not
// hosted by the store, accepted, in scope) and builds their messages,
// about the object at statusPath ("" when the write leaves no object that
// records delivery statuses). It returns nil when nothing is queued. A
// recipient whose lookup fails is left to the normal delivery, which
// reports the failure.
func (h *Handler) planQueued(ctx context.Context, sender *backend.Principal, statusPath string, msgs []*itip.Message, scope Scope) (*queuedWrite, error) {
	if h.dq == nil || !scope.Remote() || len(msgs) == 0 {
		return nil, nil
	}
	var qw *queuedWrite
	remote := map[string]bool{} // normalised address → queued
	now := h.now()
	for _, m := range msgs {
		var rcpts []string
		for _, r := range m.Recipients {
			key := caladdr.Normalize(r)
			queued, seen := remote[key]
			if !seen {
				if h.dq.accept(r) {
					_, err := h.store.PrincipalByAddress(ctx, r)
					queued = errors.Is(err, backend.ErrNotFound)
				}
				remote[key] = queued
			}
			if queued {
				rcpts = append(rcpts, r)
			}
		}
		if len(rcpts) == 0 {
			continue
		}
		out, err := queue.Messages(sender.Path, statusPath, h.dq.domain, m, rcpts, now)
		if err != nil {
			return nil, err
		}
		if qw == nil {
			qw = &queuedWrite{recipients: map[string]bool{}}
		}
		qw.msgs = append(qw.msgs, out...)
		for _, r := range rcpts {
			qw.recipients[caladdr.Normalize(r)] = true
		}
	}
	return qw, nil
}

// withPrevious gives the REQUESTs of qw (may be nil) what their
// recipients saw of old, the object before an organizer's write, nil for
// a new one (queue.PreviousView), so that the mails list what changed,
// and a recipient who saw nothing yet gets an invitation even when a
// later update supersedes the unsent first REQUEST (the store hands its
// Previous on). A view over backend.MaxOutboundPreviousSize is left out:
// the mail is then sent without the list.
func (qw *queuedWrite) withPrevious(old *ical.Calendar) {
	if qw == nil {
		return
	}
	var views *queue.PreviousViews // made for the first REQUEST
	for i := range qw.msgs {
		m := &qw.msgs[i]
		if m.Method != itip.MethodRequest {
			continue
		}
		if views == nil {
			views = queue.NewPreviousViews(old)
		}
		// Recipients with the same view share one slice; the stores copy
		// it.
		if prev := views.For(m.Recipient); len(prev) <= backend.MaxOutboundPreviousSize {
			m.Previous = prev
		}
	}
}

// putEnqueue stores the object like Store.PutObject, and the queued
// messages of qw (may be nil) in the same transaction.
func (h *Handler) putEnqueue(ctx context.Context, path string, data []byte, opts *backend.PutOptions, qw *queuedWrite) (*backend.Object, error) {
	if qw == nil {
		return h.store.PutObject(ctx, path, data, opts)
	}
	obj, err := h.dq.outbox.PutObjectEnqueue(ctx, path, data, opts, qw.msgs)
	if err == nil {
		h.dq.notified()
	}
	return obj, err
}

// deleteEnqueue deletes the object like Store.DeleteObject, and queues
// the messages of qw (may be nil) in the same transaction.
func (h *Handler) deleteEnqueue(ctx context.Context, path, ifMatch string, qw *queuedWrite) error {
	if qw == nil {
		return h.store.DeleteObject(ctx, path, ifMatch)
	}
	err := h.dq.outbox.DeleteObjectEnqueue(ctx, path, ifMatch, qw.msgs)
	if err == nil {
		h.dq.notified()
	}
	return err
}

// queuedKey is the context key of the recipients a write queued already.
type queuedKey struct{}

// context returns ctx marked with the recipients qw queued, so that the
// deliveries after the write skip them (deliverRemote answers
// StatusPending); ctx itself when qw is nil.
func (qw *queuedWrite) context(ctx context.Context) context.Context {
	if qw == nil {
		return ctx
	}
	return context.WithValue(ctx, queuedKey{}, qw.recipients)
}

// queuedWith reports whether the write behind ctx queued recipient.
func queuedWith(ctx context.Context, recipient string) bool {
	r, _ := ctx.Value(queuedKey{}).(map[string]bool)
	return r[caladdr.Normalize(recipient)]
}

// without returns statuses without the recipients qw queued: their
// status is the worker's to write, and a write-back of the pending
// status must not overwrite a 1.1 it recorded meanwhile.
func (qw *queuedWrite) without(statuses map[string]Status) map[string]Status {
	if qw == nil {
		return statuses
	}
	out := make(map[string]Status, len(statuses))
	for k, v := range statuses {
		if !qw.recipients[k] {
			out[k] = v
		}
	}
	return out
}

// enqueueLater queues the message of d, which arose outside a write (a
// refresh after a reply), with Outbox.Enqueue, about the sender's copy of
// the scheduling object (where the worker records the status). It
// returns StatusPending, or StatusTempFailure when the queue refuses it.
func (h *Handler) enqueueLater(ctx context.Context, d *Delivery) Status {
	statusPath := ""
	if obj, err := h.store.ObjectByUID(ctx, d.Sender.Path, d.Message.UID()); err == nil {
		statusPath = obj.Path
	}
	msgs, err := queue.Messages(d.Sender.Path, statusPath, h.dq.domain, d.Message, []string{d.Recipient}, h.now())
	if err == nil {
		err = h.dq.outbox.Enqueue(ctx, msgs)
	}
	if err != nil {
		h.log.ErrorContext(ctx, "schedule: queueing a message failed", "recipient", d.Recipient, "method", d.Message.Method, "err", err)
		return StatusTempFailure
	}
	h.dq.notified()
	return StatusPending
}
