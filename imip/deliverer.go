package imip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// Transport sends a composed e-mail. *Sender implements it; a durable
// queue can implement it too (store m and return nil: the delivery is
// then "sent" as far as the scheduling middleware is concerned).
type Transport interface {
	Send(ctx context.Context, m *Outgoing) error
}

// Deliverer is the schedule.Deliverer for e-mail (iMIP): it takes every
// mailto: recipient it is given (put it after local delivery and any
// other deliverer), composes the mail and sends it.
//
// Results: StatusSent (1.1) when the SMTP server accepted the mail; a
// permanent SMTP failure (5xx) gives StatusNoRoute (5.2, will not be
// delivered); a temporary one (4xx, network) is returned as an error,
// which the middleware records as a temporary failure (5.1). A recipient
// that is not a mailto: address gives schedule.ErrNotResponsible.
type Deliverer struct {
	// Composer builds the mails. Required.
	Composer *Composer
	// Transport sends them (a *Sender, or a queue). Required.
	Transport Transport
	// Location returns the recipient's time zone, or nil when unknown
	// (times are then written in the event's own zone). Optional.
	Location func(ctx context.Context, recipient string) *time.Location
	// Suppress reports whether no mail may be sent for this delivery,
	// in addition to WithoutMail. Optional.
	Suppress func(ctx context.Context, d *schedule.Delivery) bool
	// Logger receives a line per delivery; nil means slog.Default().
	Logger *slog.Logger
}

var _ schedule.Deliverer = (*Deliverer)(nil)

// noMailKey is the context key of WithoutMail.
type noMailKey struct{}

// WithoutMail returns a context under which Deliverer sends no mail: the
// request asked for "Scheduling: none" or "internal-only"
// (draft-ietf-calext-caldav-scheduling-controls), so no external party
// may be notified. A server author can set it in a handler wrapping the
// scheduling middleware; the middleware passes request context values on
// to its deliverers.
func WithoutMail(ctx context.Context) context.Context {
	return context.WithValue(ctx, noMailKey{}, true)
}

// MailSuppressed reports whether ctx comes from WithoutMail.
func MailSuppressed(ctx context.Context) bool {
	v, _ := ctx.Value(noMailKey{}).(bool)
	return v
}

// previousKey is the context key of WithPrevious.
type previousKey struct{}

// WithPrevious returns a context carrying the previous version of the
// scheduling object, so that update mails list what changed. (A
// schedule.Delivery does not carry it yet.)
func WithPrevious(ctx context.Context, prev *ical.Calendar) context.Context {
	return context.WithValue(ctx, previousKey{}, prev)
}

// Deliver implements schedule.Deliverer. The Message-ID is derived from
// the message content and the recipient.
func (d *Deliverer) Deliver(ctx context.Context, del *schedule.Delivery) (schedule.Status, error) {
	return d.DeliverWithKey(ctx, del, "")
}

// DeliverWithKey is Deliver with an idempotency key (a queue entry's ID,
// e.g. backend.OutboundMessage.ID): every attempt with the same key sends
// a mail with the same Message-ID, so a receiver can drop the copy of a
// send that was retried after a crash.
func (d *Deliverer) DeliverWithKey(ctx context.Context, del *schedule.Delivery, key string) (schedule.Status, error) {
	if del == nil || del.Message == nil {
		return "", errors.New("imip: Deliver without a message")
	}
	if _, ok := caladdr.Email(del.Recipient); !ok {
		return "", schedule.ErrNotResponsible
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	if MailSuppressed(ctx) || (d.Suppress != nil && d.Suppress(ctx, del)) {
		log.InfoContext(ctx, "imip: mail suppressed", "recipient", del.Recipient, "method", del.Message.Method)
		return schedule.StatusNoRoute, nil
	}
	if d.Composer == nil || d.Transport == nil {
		return "", errors.New("imip: Deliverer needs a Composer and a Transport")
	}
	in := &ComposeInput{Message: del.Message, Recipient: del.Recipient, Key: key}
	if del.Sender != nil {
		in.OriginatorName = del.Sender.DisplayName
	}
	if d.Location != nil {
		in.Location = d.Location(ctx, del.Recipient)
	}
	if prev, ok := ctx.Value(previousKey{}).(*ical.Calendar); ok {
		in.Previous = prev
	}
	m, err := d.Composer.Compose(in)
	if errors.Is(err, ErrNotMailto) {
		return "", schedule.ErrNotResponsible
	}
	if err != nil {
		return "", err
	}
	err = d.Transport.Send(ctx, m)
	var se *SendError
	switch {
	case err == nil:
		log.InfoContext(ctx, "imip: mail sent", "recipient", m.To, "method", del.Message.Method, "message_id", m.MessageID)
		return schedule.StatusSent, nil
	case errors.As(err, &se) && !se.Temporary:
		log.WarnContext(ctx, "imip: mail refused", "recipient", m.To, "method", del.Message.Method, "code", se.Code, "enhanced", se.Enhanced, "err", err)
		return schedule.StatusNoRoute, nil
	default:
		return "", fmt.Errorf("imip: sending to %s: %w", m.To, err)
	}
}
