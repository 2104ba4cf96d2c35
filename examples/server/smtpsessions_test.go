package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// dataOnlySession is an smtp.Session without LMTPData that refuses every
// mail with refusal.
type dataOnlySession struct{ refusal error }

func (dataOnlySession) Mail(string, *smtp.MailOptions) error { return nil }
func (dataOnlySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s dataOnlySession) Data(r io.Reader) error {
	_, _ = io.Copy(io.Discard, r)
	return s.refusal
}
func (dataOnlySession) Reset()        {}
func (dataOnlySession) Logout() error { return nil }

// TestTrackedSessionLMTPFallback: around a session without LMTPData, the
// wrapper still speaks LMTP and gives Data's one reply to every
// recipient, as go-smtp would for the bare session. (Its forwarding to
// the Receiver's LMTPData is checked through the server in
// TestMailRefusalThroughServer.)
func TestTrackedSessionLMTPFallback(t *testing.T) {
	store := memory.New()
	for _, name := range []string{"alice", "bob"} {
		u := User{Username: name, Password: "x", Name: name, Addresses: []string{"mailto:" + name + "@example.org"}}
		if err := store.Provision(context.Background(), u.principal()); err != nil {
			t.Fatal(err)
		}
	}
	refusal := &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "refused"}
	b := &drainingBackend{
		next: smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
			return dataOnlySession{refusal: refusal}, nil
		}),
		dir:      store,
		lookup:   time.Second,
		log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		sessions: map[*trackedSession]bool{},
		changed:  make(chan struct{}, 1),
	}
	srv := smtp.NewServer(b)
	srv.LMTP = true
	srv.Domain = "calendar.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	rcpts := []string{"alice@example.org", "bob@example.org"}
	got := lmtpSend(t, ln.Addr().String(), "ext@remote.example", rcpts, "Subject: x\r\n\r\nx\r\n")
	for _, r := range rcpts {
		if se := got[r]; se == nil || se.Code != 554 || !strings.Contains(se.Message, "refused") {
			t.Errorf("%s: %v, want the session's 554", r, se)
		}
	}
}
