package imip

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/emersion/go-smtp"
)

// maxEnvelopeRecipients bounds the RCPT commands of one transaction.
const maxEnvelopeRecipients = 100

// processTimeout bounds the handling of one received mail.
const processTimeout = time.Minute

// SMTPBackend returns a go-smtp Backend that takes iMIP mail handed over
// by the MTA (typically over LMTP, for a dedicated calendar address or a
// filter that only passes text/calendar mail): each message is checked
// with Parse, using the SMTP envelope, and handed to p with Process.
//
// The SMTP reply says what happened: 250 when processed; 552 5.3.4 for
// mail over MaxSize; 554 5.6.0 for malformed mail or mail without a
// calendar; 550 5.7.1 for a spoofed or unauthenticated sender; 550 5.1.1
// when the message is not for the envelope recipients; 451 4.3.0 when p
// fails (the MTA retries).
func (r *Receiver) SMTPBackend(p Processor) smtp.Backend {
	return smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &receiverSession{r: r, p: p}, nil
	})
}

// receiverSession is one SMTP or LMTP session of SMTPBackend.
type receiverSession struct {
	r   *Receiver
	p   Processor
	env Envelope
}

// Mail implements smtp.Session.
func (s *receiverSession) Mail(from string, _ *smtp.MailOptions) error {
	s.env.MailFrom = from
	if from == "" {
		s.env.MailFrom = "<>"
	}
	return nil
}

// Rcpt implements smtp.Session.
func (s *receiverSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if len(s.env.Recipients) >= maxEnvelopeRecipients {
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3}, Message: "too many recipients"}
	}
	s.env.Recipients = append(s.env.Recipients, to)
	return nil
}

// Data implements smtp.Session.
func (s *receiverSession) Data(body io.Reader) error {
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	in, err := s.r.Parse(ctx, body, s.env)
	// Parse reads at most MaxSize+1 octets; go-smtp needs the rest gone.
	_, _ = io.Copy(io.Discard, body)
	if err != nil {
		return smtpReply(err)
	}
	if _, err := s.r.Process(ctx, s.p, in); err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "calendar processing failed, try again later"}
	}
	return nil
}

// smtpReply maps a Parse refusal to an SMTP reply.
func smtpReply(err error) *smtp.SMTPError {
	switch {
	case errors.Is(err, ErrTooLarge):
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message too large"}
	case errors.Is(err, ErrSpoofed), errors.Is(err, ErrNotAuthenticated):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender is not the organizer or attendee of the calendar message"}
	case errors.Is(err, ErrWrongRecipient):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "calendar message is not for this recipient"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "timed out, try again later"}
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "no valid iCalendar scheduling message"}
}

// Reset implements smtp.Session.
func (s *receiverSession) Reset() { s.env = Envelope{} }

// Logout implements smtp.Session.
func (s *receiverSession) Logout() error { return nil }
