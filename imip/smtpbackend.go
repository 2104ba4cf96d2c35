package imip

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/schedule"
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
// The reply says what happened. Refusals by Parse apply to every
// recipient: 552 5.3.4 for mail over MaxSize or over the go-smtp
// server's MaxMessageBytes; 554 5.6.0 for malformed
// mail or mail without a calendar; 550 5.7.1 for a spoofed or
// unauthenticated sender; 550 5.1.1 when the message is not for the
// envelope recipients; 451 4.3.0 when p fails as a whole (the MTA
// retries). After processing, each envelope recipient's status gives its
// reply: 250 when delivered (1.x); 451 4.3.0 for a temporary failure
// (5.1); 550 5.1.1 for a recipient not hosted (3.7) or not named by the
// message; 550 5.7.1 when the sender may not schedule this object with
// the recipient (3.8: not its organizer, not an attendee); 554 5.6.0 for
// other refusals. Over LMTP (smtp.Server.LMTP) every recipient gets its
// own reply (smtp.LMTPSession). Over SMTP the one reply is 451 when a
// recipient failed temporarily (redelivery is harmless: a copy that
// already reflects a message is left alone and the inbox not filled
// twice), else 250 when a recipient got the message, else the first
// recipient's refusal.
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

// Data implements smtp.Session: one reply for all recipients (SMTP).
func (s *receiverSession) Data(body io.Reader) error {
	st, err := s.receive(body)
	if err != nil {
		return err
	}
	return combinedReply(st, s.env.Recipients)
}

// LMTPData implements smtp.LMTPSession: one reply per recipient.
func (s *receiverSession) LMTPData(body io.Reader, sc smtp.StatusCollector) error {
	st, err := s.receive(body)
	if err != nil {
		return err // go-smtp gives it to every recipient
	}
	for _, rcpt := range s.env.Recipients {
		sc.SetStatus(rcpt, recipientReply(st, rcpt))
	}
	return nil
}

// receive parses and processes one mail. The statuses are keyed by
// normalised calendar user address; an error is the SMTP reply for every
// recipient.
func (s *receiverSession) receive(body io.Reader) (map[string]schedule.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	in, err := s.r.Parse(ctx, body, s.env)
	// Parse reads at most MaxSize+1 octets; go-smtp needs the rest gone.
	_, _ = io.Copy(io.Discard, body)
	if err != nil {
		return nil, smtpReply(err)
	}
	st, err := s.r.Process(ctx, s.p, in)
	if err != nil {
		s.r.logger().ErrorContext(ctx, "imip: processing incoming mail failed", "err", err, "from", in.From, "message_id", in.MessageID)
		return nil, &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "calendar processing failed, try again later"}
	}
	return st, nil
}

// recipientReply is the reply for envelope recipient rcpt after
// processing: nil (250) when the message was delivered to them.
func recipientReply(st map[string]schedule.Status, rcpt string) error {
	status, ok := st[caladdr.Normalize("mailto:"+rcpt)]
	switch {
	case !ok:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "calendar message is not for this recipient"}
	case strings.HasPrefix(string(status), "1."):
		return nil
	case status == schedule.StatusTempFailure:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "calendar processing failed, try again later"}
	case status == schedule.StatusInvalidUser:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no calendar user with this address"}
	case status == schedule.StatusNoPrivilege:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender may not schedule this event with this recipient"}
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "calendar message refused (" + string(status) + ")"}
}

// combinedReply is the one SMTP reply for all recipients (see
// SMTPBackend).
func combinedReply(st map[string]schedule.Status, rcpts []string) error {
	var refused error
	delivered := false
	for _, rcpt := range rcpts {
		err := recipientReply(st, rcpt)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			delivered = true
		case errors.As(err, &se) && se.Code/100 == 4:
			return err
		case refused == nil:
			refused = err
		}
	}
	if delivered {
		return nil
	}
	return refused
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
