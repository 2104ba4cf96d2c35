package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrLeaseLost is returned by Outbox.Complete, Retry and Release when the
// message is no longer held by the caller's claim: it was completed, or
// its lease expired and another claimer took it.
var ErrLeaseLost = errors.New("backend: outbox lease lost")

// Limits that CheckOutboundMessage enforces, so that a store never holds a
// message it cannot index or that no mail system would accept.
const (
	// MaxOutboundIDLength is the longest OutboundMessage.ID, in octets.
	MaxOutboundIDLength = 255
	// MaxOutboundDataSize is the largest OutboundMessage.Data, in octets.
	MaxOutboundDataSize = 4 * DefaultMaxResourceSize
	// MaxOutboundPreviousSize is the largest OutboundMessage.Previous,
	// in octets: the largest object a calendar holds by default.
	MaxOutboundPreviousSize = DefaultMaxResourceSize
	// MaxOutboundErrorLength is how much of a last error a store keeps;
	// longer texts are cut.
	MaxOutboundErrorLength = 1000
)

// OutboundMessage is one iTIP message waiting to be sent to one remote
// recipient (by e-mail, iMIP): a row of the durable delivery queue.
type OutboundMessage struct {
	// ID is the idempotency key: unique in the queue and stable across
	// retries and restarts. Senders use it as the e-mail Message-ID, so a
	// receiver can drop a copy resent after a crash between the send and
	// Complete. Enqueuing an ID that is queued already does nothing.
	ID string
	// Sender is the Path of the principal on whose behalf it is sent.
	Sender string
	// ObjectPath is the stored calendar object whose SCHEDULE-STATUS for
	// Recipient reflects this delivery; "" when there is none.
	ObjectPath string
	// UID is the UID of the scheduling object the message is about.
	UID string
	// Recipient is the calendar user address to deliver to.
	Recipient string
	// Method is the iTIP method: REQUEST, CANCEL, REPLY, ADD, ...
	Method string
	// Supersedes says that Data is the recipient's whole current view of
	// the event (a REQUEST carrying every instance they are invited to, or
	// a CANCEL of the whole event). Enqueuing such a message drops every
	// older REQUEST for the same UID and Recipient from the same Sender
	// that is not under an unexpired lease: it is obsolete before it was
	// sent. (Another Sender's event may share the UID.) The message
	// then takes the Previous of the oldest REQUEST it drops (nil
	// included): its recipient never saw the dropped ones, so what they
	// saw last is what the oldest of them would have changed.
	Supersedes bool
	// Data is the iTIP message, iCalendar text.
	Data []byte
	// Previous is what the recipient saw of the event before the write
	// that queued this message, as iCalendar text, so that the mail can
	// say what changed ("Updated: ..." with the old and new time and
	// place); nil when unknown. The scheduling middleware fills it for
	// the REQUESTs an organizer's write queues: the previous stored
	// version reduced to the recipient's part of it and what a summary of
	// changes reads (queue.PreviousView), an empty calendar when there was
	// none (the recipient is invited, not updated). Stores keep a copy per
	// message (per row: one write to n recipients stores n views, each
	// usually well under a kilobyte). It is optional: a sender that cannot
	// use it sends the message without the list of changes.
	Previous []byte
	// Enqueued is when the message was queued; stores set it when zero.
	Enqueued time.Time
	// Attempts counts the claims of the message, this one included.
	Attempts int
	// NextAttempt is when the message is due; a zero value means at once.
	NextAttempt time.Time
	// LastError is what went wrong in the last attempt, for logs and
	// administrators; "" before the first failure.
	LastError string
	// Lease identifies the claim that holds the message (one token per
	// Claim call); Claim sets it, and Complete, Retry and Release must
	// present it.
	Lease string
}

// PairKey returns the key of m's ordering group: its UID and the
// normalised recipient address (AddressKey). Messages with the same key
// are sent one at a time, oldest first.
func (m *OutboundMessage) PairKey() string {
	return m.UID + "\x00" + AddressKey(m.Recipient)
}

// CheckOutboundMessage reports, as ErrInvalidData, what makes m unfit for
// a queue: a missing ID, UID, Recipient, Method or Data, an ID, Data or
// Previous over the limits above, or a text field that is not UTF-8 or holds a
// NUL (which SQL text columns refuse). Stores call it on every message
// before enqueuing any of them.
func CheckOutboundMessage(m *OutboundMessage) error {
	for _, f := range [...]string{m.ID, m.Sender, m.ObjectPath, m.UID, m.Recipient, m.Method} {
		if !utf8.ValidString(f) || strings.IndexByte(f, 0) >= 0 {
			return fmt.Errorf("%w: outbound message %q: a field is not UTF-8 text or holds NUL", ErrInvalidData, m.ID)
		}
	}
	switch {
	case m.ID == "":
		return fmt.Errorf("%w: outbound message without ID", ErrInvalidData)
	case len(m.ID) > MaxOutboundIDLength:
		return fmt.Errorf("%w: outbound message ID of %d octets, limit %d", ErrInvalidData, len(m.ID), MaxOutboundIDLength)
	case m.UID == "":
		return fmt.Errorf("%w: outbound message %q without UID", ErrInvalidData, m.ID)
	case strings.TrimSpace(m.Recipient) == "":
		return fmt.Errorf("%w: outbound message %q without recipient", ErrInvalidData, m.ID)
	case m.Method == "":
		return fmt.Errorf("%w: outbound message %q without method", ErrInvalidData, m.ID)
	case len(m.Data) == 0:
		return fmt.Errorf("%w: outbound message %q without data", ErrInvalidData, m.ID)
	case len(m.Data) > MaxOutboundDataSize:
		return fmt.Errorf("%w: outbound message %q of %d octets, limit %d", ErrInvalidData, m.ID, len(m.Data), MaxOutboundDataSize)
	case len(m.Previous) > MaxOutboundPreviousSize:
		return fmt.Errorf("%w: outbound message %q with a previous version of %d octets, limit %d", ErrInvalidData, m.ID, len(m.Previous), MaxOutboundPreviousSize)
	}
	return nil
}

// TruncateError makes an error text fit for LastError: valid UTF-8
// without NUL, cut to MaxOutboundErrorLength octets on a character
// boundary.
func TruncateError(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= MaxOutboundErrorLength {
		return s
	}
	cut := MaxOutboundErrorLength
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// Outbox is a durable queue of messages for remote recipients, kept by
// the store next to the calendar objects, so that a message is queued in
// the same transaction as the write that caused it: no invitation for a
// write that failed, no write whose invitation is lost in a crash.
//
// Delivery is at least once: a claimer that sends a message and dies
// before Complete leaves it to be claimed again when its lease expires.
// OutboundMessage.ID is the same on every attempt so that the receiving
// side can drop the copy; a message that was completed is never claimed
// again. Several processes may share one queue: a claimed message is
// invisible to other claimers until its lease expires.
//
// Messages with the same PairKey (UID and recipient) are sent in the order
// they were enqueued: only the oldest of them is claimable, and only while
// no other claim holds it.
type Outbox interface {
	// PutObjectEnqueue stores the object exactly as CalendarStore.PutObject
	// does (same conditions and errors) and enqueues msgs in the same
	// transaction: both or neither. Invalid messages (CheckOutboundMessage)
	// fail the call before anything is written.
	PutObjectEnqueue(ctx context.Context, path string, data []byte, opts *PutOptions, msgs []OutboundMessage) (*Object, error)
	// DeleteObjectEnqueue deletes the object exactly as
	// CalendarStore.DeleteObject does (same If-Match condition and
	// errors) and enqueues msgs in the same transaction: both or neither
	// (the CANCEL or REPLY that a removal sends). Invalid messages
	// (CheckOutboundMessage) fail the call before anything is deleted.
	DeleteObjectEnqueue(ctx context.Context, path, ifMatch string, msgs []OutboundMessage) error
	// Enqueue adds msgs, all or none, without an object write (for replies
	// or refreshes computed after the fact).
	Enqueue(ctx context.Context, msgs []OutboundMessage) error
	// Claim leases up to limit due messages (NextAttempt <= now), oldest
	// first, until now+lease; it increments their Attempts and gives them
	// a new Lease, the same for all messages of the call. Of the messages with one PairKey only the oldest can be
	// claimed, and not while another unexpired lease holds it.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboundMessage, error)
	// Complete removes the claimed messages ids, after they were sent or
	// failed for good. One Claim gives all its messages the same Lease, so
	// a batch completes in one call. Messages that lease no longer holds
	// are left alone; then, after removing the others, Complete returns an
	// error matching ErrLeaseLost.
	Complete(ctx context.Context, lease string, ids ...string) error
	// Retry releases a claimed message for another attempt at next,
	// recording lastErr (cut with TruncateError). It returns ErrLeaseLost
	// when lease no longer holds it. A REQUEST that a newer Supersedes
	// message of the same PairKey and Sender was queued behind (while the
	// REQUEST was in flight) is removed instead, the newer one taking its
	// Previous: sending it later would deliver a stale invitation before
	// the current one.
	Retry(ctx context.Context, id, lease string, next time.Time, lastErr string) error
	// Release gives a claimed message back unsent: due at once, its claim
	// not counted in Attempts. It returns ErrLeaseLost when lease no
	// longer holds it.
	Release(ctx context.Context, id, lease string) error
	// Queued counts the messages queued for uid and recipient (compared by
	// AddressKey), claimed or not. A claimer that sees more than its own
	// knows that a newer message will set the recipient's status.
	Queued(ctx context.Context, uid, recipient string) (int, error)
}
