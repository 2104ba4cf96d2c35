package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/backend"
)

// drainingBackend wraps the go-smtp Backend of an imip.Receiver: it
// refuses RCPT TO for addresses that are not the server's users, and it
// knows which sessions are inside a mail transaction (between MAIL and the
// reply to DATA), so that a shutdown can close the idle connections at
// once and wait for the busy ones.
type drainingBackend struct {
	next   smtp.Backend
	dir    backend.Directory
	lookup time.Duration // bound of one recipient lookup
	log    *slog.Logger

	mu       sync.Mutex
	closing  bool
	sessions map[*trackedSession]bool // value: inside a transaction
	changed  chan struct{}            // a session left a transaction or ended
}

// errShuttingDown answers MAIL (and EHLO) once the shutdown began.
var errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}

// NewSession implements smtp.Backend.
func (b *drainingBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	closing := b.closing
	b.mu.Unlock()
	if closing {
		return nil, errShuttingDown
	}
	inner, err := b.next.NewSession(c)
	if err != nil {
		return nil, err
	}
	s := &trackedSession{Session: inner, b: b, conn: c}
	b.mu.Lock()
	b.sessions[s] = false
	b.mu.Unlock()
	return s, nil
}

// beginClosing refuses new sessions and transactions from now on.
func (b *drainingBackend) beginClosing() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
}

// drain closes the connections of idle sessions, as they become idle,
// until none is left in a transaction; it returns ctx's error when ctx
// ends first. Call beginClosing first: then no idle session can start a
// transaction, so closing it cannot cut one off.
func (b *drainingBackend) drain(ctx context.Context) error {
	for {
		b.mu.Lock()
		var idle []*smtp.Conn
		busy := 0
		for s, inTx := range b.sessions {
			if inTx {
				busy++
			} else if !s.closed {
				s.closed = true
				idle = append(idle, s.conn)
			}
		}
		b.mu.Unlock()
		// Conn.Close calls Logout, which takes b.mu: close outside it.
		for _, c := range idle {
			_ = c.Close()
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-b.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// setBusy records whether s is inside a mail transaction.
func (b *drainingBackend) setBusy(s *trackedSession, busy bool) {
	b.mu.Lock()
	if _, ok := b.sessions[s]; ok {
		b.sessions[s] = busy
	}
	b.mu.Unlock()
	if !busy {
		b.signal()
	}
}

// signal wakes drain without blocking.
func (b *drainingBackend) signal() {
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// trackedSession is one session of drainingBackend around the Receiver's
// own session.
type trackedSession struct {
	smtp.Session
	b      *drainingBackend
	conn   *smtp.Conn
	closed bool // drain closed its connection; guarded by b.mu
}

// Mail starts a transaction, unless the server is shutting down.
func (s *trackedSession) Mail(from string, opts *smtp.MailOptions) error {
	s.b.mu.Lock()
	if s.b.closing {
		s.b.mu.Unlock()
		return errShuttingDown
	}
	s.b.sessions[s] = true
	s.b.mu.Unlock()
	if err := s.Session.Mail(from, opts); err != nil {
		s.b.setBusy(s, false)
		return err
	}
	return nil
}

// Rcpt accepts only the addresses of the server's users: the listener
// takes calendar mail for them, and is no relay.
func (s *trackedSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.b.lookup)
	defer cancel()
	_, err := s.b.dir.PrincipalByAddress(ctx, "mailto:"+to)
	switch {
	case errors.Is(err, backend.ErrNotFound):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No calendar user with this address here"}
	case err != nil:
		s.b.log.Error("smtp: looking up a recipient", "rcpt", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Recipient lookup failed, try again later"}
	}
	return s.Session.Rcpt(to, opts)
}

// LMTPData implements smtp.LMTPSession, so that over LMTP every
// recipient gets its own reply: it hands the mail to the wrapped
// session's LMTPData when it has one. Otherwise it answers as go-smtp does
// for a session without it: Data's one reply, for every recipient.
func (s *trackedSession) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	if l, ok := s.Session.(smtp.LMTPSession); ok {
		return l.LMTPData(r, status)
	}
	return s.Session.Data(r)
}

// Reset ends the transaction (go-smtp calls it after the reply to DATA,
// on RSET, and on a new EHLO).
func (s *trackedSession) Reset() {
	s.Session.Reset()
	s.b.setBusy(s, false)
}

// Logout ends the session.
func (s *trackedSession) Logout() error {
	err := s.Session.Logout()
	s.b.mu.Lock()
	delete(s.b.sessions, s)
	s.b.mu.Unlock()
	s.b.signal()
	return err
}
