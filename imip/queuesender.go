package imip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

// QueueSender is the queue.Sender for e-mail: a queue.Worker hands it the
// messages the scheduling middleware queued for remote recipients
// (schedule.Options.Queue), and it sends each as an iMIP mail. It is safe
// for concurrent use.
//
// Each backend.OutboundMessage becomes one mail: its Data (the iTIP
// message) is decoded, its Previous (when set) becomes
// ComposeInput.Previous so that an update lists what changed, and it is
// composed for its Recipient with the message's ID as ComposeInput.Key,
// so that every attempt of one queued message has the same Message-ID and bytes (a receiver drops the copy of a mail sent
// again after a crash), and handed to the Transport. The result tells the
// worker what to do:
//
//   - nil: the SMTP server took the mail; the worker records 1.1;
//   - a *SendError with Permanent() true (5xx reply): the worker gives
//     the message up and records its ScheduleStatus (3.7 for an unknown
//     mailbox, 5.3 for a policy refusal, else 5.2);
//   - a temporary *SendError (4xx reply, network, TLS) or a failure of
//     the templates: the worker retries with backoff;
//   - a message that cannot be decoded, or a recipient that is not a
//     mailto: address: a *queue.PermanentError with 5.2.
type QueueSender struct {
	// Composer builds the mails. Required.
	Composer *Composer
	// Transport sends them, normally a *Sender. Required.
	Transport Transport
	// Directory, when set, gives the display name of the principal on
	// whose behalf a message is sent (OutboundMessage.Sender), for the
	// From header ("Alice via Calendar"), and tells an invitation an
	// attendee forwards to their delegate from one by its ORGANIZER: the
	// mail is then from the attendee. Without it, or when the lookup
	// fails, the CN of the originator in the message is used.
	Directory backend.Directory
	// Location returns the recipient's time zone, or nil when unknown
	// (times are then written in the event's own zone). Optional.
	Location func(ctx context.Context, recipient string) *time.Location
	// Logger receives a line per mail; nil means slog.Default().
	Logger *slog.Logger
}

var _ queue.Sender = (*QueueSender)(nil)

// Send composes m as an iMIP mail and sends it; see QueueSender for the
// errors.
func (s *QueueSender) Send(ctx context.Context, m *backend.OutboundMessage) error {
	if s.Composer == nil || s.Transport == nil {
		return errors.New("imip: QueueSender needs a Composer and a Transport")
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	msg, err := itip.DecodeMessage(m.Data)
	if err != nil {
		return queue.Permanent(itip.StatusNoDelivery, fmt.Errorf("%w: queued message %s: %w", ErrMalformed, m.ID, err))
	}
	in := &ComposeInput{Message: msg, Recipient: m.Recipient, Key: m.ID}
	if len(m.Previous) > 0 {
		// Only the list of changes depends on it: a version that cannot be
		// read leaves the list out rather than holding the mail back.
		if prev, err := ics.Decode(m.Previous); err == nil {
			in.Previous = prev
		} else {
			log.WarnContext(ctx, "imip: queued message's previous version unreadable; sending without the changes",
				"queue_id", m.ID, "err", err)
		}
	}
	if s.Directory != nil && m.Sender != "" {
		if p, err := s.Directory.PrincipalByPath(ctx, m.Sender); err == nil {
			in.OriginatorName = p.DisplayName
			msg.Originator = senderAddress(p, msg)
		}
	}
	if s.Location != nil {
		in.Location = s.Location(ctx, m.Recipient)
	}
	out, err := s.Composer.Compose(in)
	if errors.Is(err, ErrNotMailto) {
		return queue.Permanent(itip.StatusNoDelivery, fmt.Errorf("imip: queued message %s: %w", m.ID, err))
	}
	if err != nil {
		// A template that fails: retried, so that a fixed template sends
		// the messages that are still queued.
		return fmt.Errorf("imip: composing queued message %s: %w", m.ID, err)
	}
	if err := s.Transport.Send(ctx, out); err != nil {
		return fmt.Errorf("imip: sending queued message %s to %s: %w", m.ID, out.To, err)
	}
	log.InfoContext(ctx, "imip: mail sent", "recipient", out.To, "method", msg.Method,
		"message_id", out.MessageID, "queue_id", m.ID, "attempt", m.Attempts)
	return nil
}

// senderAddress returns the address msg is sent from on behalf of p: its
// originator as the content says (the ORGANIZER of a REQUEST) when p owns
// it, else, for an invitation p forwards to a delegate (RFC 5546 §4.2.5),
// p's own ATTENDEE address in it.
func senderAddress(p *backend.Principal, msg *itip.Message) string {
	if p.Owns(msg.Originator) || msg.Method != itip.MethodRequest {
		return msg.Originator
	}
	for _, c := range msg.Components() {
		for _, a := range c.Props[ical.PropAttendee] {
			if p.Owns(a.Value) {
				return strings.TrimSpace(a.Value)
			}
		}
	}
	return msg.Originator
}
