package queue_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
)

// sink is an in-process SMTP server that records every message by its
// Message-ID; reject, when set, refuses RCPT TO for some recipients.
type sink struct {
	addr string
	srv  *smtp.Server

	mu       sync.Mutex
	received int            // messages accepted, copies included
	byID     map[string]int // Message-ID → copies accepted
	reject   func(rcpt string) error
}

func newSink(t testing.TB) *sink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{addr: l.Addr().String(), byID: map[string]int{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	s.srv.Domain = "sink.test"
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// total returns how many messages arrived, copies included.
func (s *sink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// unique returns how many distinct Message-IDs arrived and the largest
// number of copies of one.
func (s *sink) unique() (ids, maxCopies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.byID {
		maxCopies = max(maxCopies, n)
	}
	return len(s.byID), maxCopies
}

type sinkSession struct {
	s    *sink
	rcpt string
}

func (ss *sinkSession) Reset()                               { ss.rcpt = "" }
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	ss.rcpt = to
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	id := msg.Header.Get("Message-ID")
	ss.s.mu.Lock()
	ss.s.received++
	ss.s.byID[id]++
	ss.s.mu.Unlock()
	return nil
}

// smtpSender is the test's minimal iMIP sender: one plain SMTP
// transaction per message over pooled connections, with the queue ID as
// Message-ID. SMTP 5xx replies are permanent (5.3 for policy refusals,
// enhanced code 5.7.x), everything else temporary.
type smtpSender struct {
	addr string
	pool chan *smtp.Client
}

func newSMTPSender(addr string, conns int) *smtpSender {
	return &smtpSender{addr: addr, pool: make(chan *smtp.Client, conns)}
}

func (s *smtpSender) Send(ctx context.Context, m *backend.OutboundMessage) error {
	var c *smtp.Client
	select {
	case c = <-s.pool:
	default:
		var err error
		if c, err = smtp.Dial(s.addr); err != nil {
			return err
		}
	}
	to := strings.TrimPrefix(backend.AddressKey(m.Recipient), "mailto:")
	var body bytes.Buffer
	fmt.Fprintf(&body, "From: <alice@example.com>\r\nTo: <%s>\r\nMessage-ID: <%s>\r\n"+
		"Content-Type: text/calendar; method=%s; charset=utf-8\r\n\r\n", to, m.ID, m.Method)
	body.Write(m.Data)
	err := c.SendMail("alice@example.com", []string{to}, &body)
	if err != nil {
		_ = c.Close()
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		if se.EnhancedCode[0] == 5 && se.EnhancedCode[1] == 7 {
			return queue.Permanent(itip.StatusRejected, err)
		}
		return queue.Permanent(itip.StatusNoDelivery, err)
	}
	if err != nil {
		return err
	}
	select {
	case s.pool <- c:
	default:
		_ = c.Quit()
	}
	return nil
}

func (s *smtpSender) Close() {
	for {
		select {
		case c := <-s.pool:
			_ = c.Quit()
		default:
			return
		}
	}
}
