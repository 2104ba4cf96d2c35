package queue

import (
	"context"
	"errors"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Sender hands one queued message to the outside world, for example as an
// iMIP e-mail to an SMTP relay. It returns nil once the message is handed
// over (SCHEDULE-STATUS 1.1), a *PermanentError (see Permanent) when
// retrying cannot help, and any other error for a temporary failure that
// the Worker retries with backoff. Senders that cannot import this
// package may instead return errors with a method Permanent() bool, and
// optionally ScheduleStatus() string returning a failure code ("3.7",
// "5.2", "5.3"; see PermanentError.Status).
//
// A Sender must use m.ID as the message's identity towards the receiver
// (the e-mail Message-ID): after a crash between a send and its
// completion the Worker sends the message again with the same ID, and the
// receiver drops the copy.
type Sender interface {
	Send(ctx context.Context, m *backend.OutboundMessage) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m *backend.OutboundMessage) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m *backend.OutboundMessage) error { return f(ctx, m) }

// PermanentError marks a failure that retrying cannot fix, such as an SMTP
// 5xx reply. The Worker gives the message up and writes Status as the
// recipient's SCHEDULE-STATUS.
type PermanentError struct {
	// Status is the SCHEDULE-STATUS to record: itip.StatusNoDelivery (5.2,
	// no way to deliver), itip.StatusRejected (5.3, the recipient
	// refuses) or itip.StatusNoUser (3.7, the address does not exist,
	// e.g. an SMTP 5.1.1 reply). "" or a code that is not a failure code
	// (3.x or 5.x) means 5.2.
	Status string
	// Err is the underlying failure.
	Err error
}

// Permanent wraps err as a *PermanentError with status (see
// PermanentError.Status).
func Permanent(status string, err error) error {
	return &PermanentError{Status: status, Err: err}
}

// Error returns the underlying error's text.
func (e *PermanentError) Error() string {
	if e.Err == nil {
		return "queue: permanent delivery failure"
	}
	return "queue: permanent delivery failure: " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// permanentReporter is implemented by errors of senders that know whether
// they are permanent without importing this package, such as an
// SMTP client error with a method Permanent() bool.
type permanentReporter interface{ Permanent() bool }

// statusReporter is implemented by permanent errors that choose their
// SCHEDULE-STATUS (e.g. "5.3" for a policy refusal) without importing
// this package.
type statusReporter interface{ ScheduleStatus() string }

// classify says whether err is permanent, and the status it records: a
// *PermanentError's Status, else the ScheduleStatus() of an error with a
// method Permanent() bool that returns true, else 5.2. Only failure
// codes (3.x, 5.x) are recorded; anything else becomes 5.2.
func classify(err error) (permanent bool, status string) {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return true, failureStatus(pe.Status)
	}
	var pr permanentReporter
	if !errors.As(err, &pr) || !pr.Permanent() {
		return false, ""
	}
	var sr statusReporter
	if errors.As(err, &sr) {
		return true, failureStatus(sr.ScheduleStatus())
	}
	return true, itip.StatusNoDelivery
}

// failureStatus returns code when it is a failure status (3.x or 5.x,
// e.g. 3.7 or 5.3), else 5.2.
func failureStatus(code string) string {
	if len(code) >= 3 && (code[0] == '3' || code[0] == '5') && code[1] == '.' {
		return code
	}
	return itip.StatusNoDelivery
}
