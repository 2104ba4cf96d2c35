package imip

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers branch with errors.Is.
var (
	// ErrTooLarge: the e-mail exceeds Receiver.MaxSize, or the size
	// limit of the go-smtp server it is read from (MaxMessageBytes).
	ErrTooLarge = errors.New("imip: message too large")
	// ErrTooComplex: the MIME tree is nested deeper than Receiver.MaxDepth
	// or has more than Receiver.MaxParts parts, or an iTIP message has
	// more than Receiver.MaxRecipients recipients.
	ErrTooComplex = errors.New("imip: MIME structure too complex")
	// ErrMalformed: the e-mail or its iCalendar part cannot be parsed, or
	// the iCalendar object is not a valid iTIP message.
	ErrMalformed = errors.New("imip: malformed message")
	// ErrNoCalendar: the e-mail carries no iCalendar object.
	ErrNoCalendar = errors.New("imip: no text/calendar part")
	// ErrSpoofed: the e-mail's sender (From header or envelope MAIL FROM)
	// is not the ORGANIZER or ATTENDEE the iTIP message claims to come
	// from (RFC 6047 §2.2.1, §3).
	ErrSpoofed = errors.New("imip: sender is not the message's originator")
	// ErrNotAuthenticated: the Verdict hook refused the e-mail, e.g.
	// because the receiving MTA recorded dmarc=fail.
	ErrNotAuthenticated = errors.New("imip: sender authentication failed")
	// ErrWrongRecipient: none of the envelope recipients is a recipient
	// of the iTIP message.
	ErrWrongRecipient = errors.New("imip: message is not for its envelope recipients")
	// ErrSuppressed: e-mail is suppressed for this delivery (Scheduling:
	// none or internal-only, see WithoutMail).
	ErrSuppressed = errors.New("imip: e-mail suppressed for this request")
	// ErrNotMailto: the recipient is not a mailto: calendar user address.
	ErrNotMailto = errors.New("imip: not a mailto: address")
)

// RefusedError is the error of Receiver.Parse for an e-mail it does not
// accept. It wraps one of the sentinel errors (Reason) and, when there is
// one, the underlying cause.
type RefusedError struct {
	// Reason is the sentinel error saying why, e.g. ErrSpoofed.
	Reason error
	// Detail says what exactly is wrong, for logs.
	Detail string
	// Err is the underlying cause, if any.
	Err error
}

// refused returns a *RefusedError for reason with a formatted detail.
func refused(reason error, format string, args ...any) *RefusedError {
	return &RefusedError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// refusedBy returns a *RefusedError for reason caused by err.
func refusedBy(reason, err error, detail string) *RefusedError {
	return &RefusedError{Reason: reason, Detail: detail, Err: err}
}

// Error formats the reason, the detail and the cause.
func (e *RefusedError) Error() string {
	s := e.Reason.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the reason and the cause, so errors.Is matches both.
func (e *RefusedError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

// SendError is the error of Sender.Send. Temporary failures (network
// errors, SMTP 4xx replies) may succeed when retried; permanent ones
// (SMTP 5xx replies) will not.
type SendError struct {
	// Temporary reports whether a retry may succeed.
	Temporary bool
	// Code is the SMTP reply code, 0 when the failure was not an SMTP
	// reply (a network or TLS error).
	Code int
	// Enhanced is the enhanced status code (RFC 3463) of the reply, e.g.
	// "5.1.1", or "".
	Enhanced string
	// Stage is the step that failed: "dial", "tls", "auth", "mail",
	// "rcpt", "data".
	Stage string
	// Err is the underlying error.
	Err error
}

// Error describes the failure.
func (e *SendError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	return fmt.Sprintf("imip: %s SMTP failure at %s: %v", kind, e.Stage, e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports whether retrying cannot help (an SMTP 5xx reply). A
// queue.Worker gives such a message up and records ScheduleStatus; it
// retries the others with backoff.
func (e *SendError) Permanent() bool { return !e.Temporary }

// ScheduleStatus returns the SCHEDULE-STATUS (RFC 6638 §3.2.9) a
// permanent failure records, "" for a temporary one:
//
//   - 3.7 (invalid calendar user) when the server says the mailbox does
//     not exist or the address is malformed (enhanced code X.1.1, bad
//     destination mailbox, or X.1.3, bad mailbox syntax): the address is
//     what is wrong, and 3.7 is the code clients show as "unknown
//     address", so the organizer knows to correct it;
//   - 5.3 (scheduling with the recipient not allowed) when the refusal
//     is a policy or security one (X.7.x, e.g. 5.7.1 "delivery not
//     authorized"): retrying will not change the recipient's mind;
//   - 5.2 (no way to deliver) for any other permanent failure, such as a
//     5.1.2 unknown domain, 5.3.4 too big, or a 5xx without enhanced code.
func (e *SendError) ScheduleStatus() string {
	if e.Temporary {
		return ""
	}
	switch {
	case e.Enhanced == "5.1.1" || e.Enhanced == "5.1.3":
		return "3.7"
	case strings.HasPrefix(e.Enhanced, "5.7."):
		return "5.3"
	}
	return "5.2"
}
