package queuetest

import (
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Sink is an in-process SMTP server that accepts every message and counts
// the copies of each Message-ID. It is safe for concurrent use.
type Sink struct {
	addr string
	srv  *smtp.Server

	mu       sync.Mutex
	received int            // messages accepted, copies included
	byID     map[string]int // Message-ID → copies accepted
	reject   func(rcpt string) error
}

// NewSink starts a Sink on a loopback port; it stops when the test ends.
func NewSink(tb testing.TB) *Sink {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("queuetest: listen: %v", err)
	}
	s := &Sink{addr: l.Addr().String(), byID: map[string]int{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "sink.test"
	s.srv.MaxMessageBytes = 1 << 22
	go func() { _ = s.srv.Serve(l) }()
	tb.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Addr returns the host:port the sink listens on.
func (s *Sink) Addr() string { return s.addr }

// SetReject makes the sink answer RCPT TO with the error reject returns
// for a recipient (an *smtp.SMTPError to choose the reply code); nil, or
// a nil result, accepts.
func (s *Sink) SetReject(reject func(rcpt string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reject
}

// Total returns how many messages arrived, copies included.
func (s *Sink) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// Copies returns how many copies of the message with Message-ID id (with
// its angle brackets) arrived.
func (s *Sink) Copies(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

// Unique returns how many distinct Message-IDs arrived and the largest
// number of copies of one of them.
func (s *Sink) Unique() (ids, maxCopies int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.byID {
		maxCopies = max(maxCopies, n)
	}
	return len(s.byID), maxCopies
}

// session is one SMTP connection to the sink.
type session struct{ s *Sink }

func (ss *session) Reset()                               {}
func (ss *session) Logout() error                        { return nil }
func (ss *session) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		return reject(to)
	}
	return nil
}

func (ss *session) Data(r io.Reader) error {
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
