package queuetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

// SMTPSender is a queue.Sender that sends each message in one plain SMTP
// transaction over a small pool of connections, with "<" + m.ID + ">" as
// Message-ID and m.Data as a text/calendar body. It maps SMTP replies the
// way an iMIP sender should: 5xx is permanent (5.3 for policy refusals,
// enhanced code 5.7.x; else 5.2), anything else temporary.
type SMTPSender struct {
	addr string
	from string
	pool chan *smtp.Client
}

// NewSMTPSender returns a sender to the SMTP server at addr that keeps up
// to conns idle connections.
func NewSMTPSender(addr string, conns int) *SMTPSender {
	return &SMTPSender{addr: addr, from: "scheduler@localhost", pool: make(chan *smtp.Client, max(conns, 1))}
}

// Send sends m; see SMTPSender.
func (s *SMTPSender) Send(ctx context.Context, m *backend.OutboundMessage) error {
	to := strings.TrimPrefix(backend.AddressKey(m.Recipient), "mailto:")
	if to == "" || strings.ContainsAny(to, "\r\n<>") || !strings.Contains(to, "@") {
		return queue.Permanent(itip.StatusNoDelivery, fmt.Errorf("queuetest: recipient %q is not an e-mail address", m.Recipient))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var c *smtp.Client
	select {
	case c = <-s.pool:
	default:
		var err error
		if c, err = smtp.Dial(s.addr); err != nil {
			return err
		}
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "From: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/calendar; method=%s; charset=utf-8\r\n\r\n", s.from, to, m.ID, m.Method)
	body.Write(m.Data)
	err := c.SendMail(s.from, []string{to}, &body)
	if err != nil {
		_ = c.Close()
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code >= 500 {
			if se.EnhancedCode[0] == 5 && se.EnhancedCode[1] == 7 {
				return queue.Permanent(itip.StatusRejected, err)
			}
			return queue.Permanent(itip.StatusNoDelivery, err)
		}
		return err
	}
	select {
	case s.pool <- c:
	default:
		_ = c.Quit()
	}
	return nil
}

// Close ends the pooled connections.
func (s *SMTPSender) Close() {
	for {
		select {
		case c := <-s.pool:
			_ = c.Quit()
		default:
			return
		}
	}
}
