package imip

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// failingProcessor always fails.
type failingProcessor struct{}

// ProcessIncoming implements Processor.
func (failingProcessor) ProcessIncoming(context.Context, string, []string, *itip.Message) (map[string]schedule.Status, error) {
	return nil, errors.New("store down")
}

// serveReceiver runs r.SMTPBackend(p) on 127.0.0.1:0 and returns its address.
func serveReceiver(t *testing.T, r *Receiver, p Processor) string {
	t.Helper()
	return serveBackend(t, r.SMTPBackend(p), false)
}

// serveBackend runs be as an SMTP (or LMTP) server on 127.0.0.1:0 and
// returns its address.
func serveBackend(t *testing.T, be smtp.Backend, lmtp bool) string {
	t.Helper()
	return serveConfigured(t, be, func(srv *smtp.Server) { srv.LMTP = lmtp })
}

// serveConfigured runs be as a server on 127.0.0.1:0, with the changes of
// configure to the test defaults, and returns its address.
func serveConfigured(t *testing.T, be smtp.Backend, configure func(*smtp.Server)) string {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	configure(srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

// submit sends mail over SMTP and returns the server's answer.
func submit(t *testing.T, addr, from string, to []string, mail []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.SendMail(from, to, bytes.NewReader(mail))
}

func TestSMTPBackend(t *testing.T) {
	var p fakeProcessor
	addr := serveReceiver(t, &Receiver{Logger: quiet}, &p)
	if err := submit(t, addr, "gina@gmail.example", []string{"bob@example.org"}, fixture(t, "google-request.eml")); err != nil {
		t.Fatalf("valid invitation: %v", err)
	}
	if len(p.calls) != 1 || p.calls[0] != "REQUEST mailto:gina@gmail.example -> mailto:bob@example.org" {
		t.Errorf("processor calls %q", p.calls)
	}
	for name, tc := range map[string]struct {
		from string
		to   string
		mail []byte
		code int
	}{
		"spoofed From":           {"gina@gmail.example", "bob@example.org", replace(t, "google-request.eml", "From: Gina Google <gina@gmail.example>", "From: <mallory@evil.example>"), 550},
		"foreign envelope":       {"mallory@evil.example", "bob@example.org", fixture(t, "google-request.eml"), 550},
		"not for this recipient": {"gina@gmail.example", "eve@example.org", fixture(t, "google-request.eml"), 550},
		"no calendar":            {"gina@gmail.example", "bob@example.org", []byte("From: gina@gmail.example\r\nSubject: hi\r\n\r\nhello\r\n"), 554},
	} {
		err := submit(t, addr, tc.from, []string{tc.to}, tc.mail)
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != tc.code {
			t.Errorf("%s: %v, want %d", name, err, tc.code)
		}
	}
	if len(p.calls) != 1 {
		t.Errorf("refused mail reached the processor: %q", p.calls)
	}

	small := serveReceiver(t, &Receiver{Logger: quiet, MaxSize: 2000}, &p)
	var se *smtp.SMTPError
	if err := submit(t, small, "gina@gmail.example", []string{"bob@example.org"}, fixture(t, "google-request.eml")); !errors.As(err, &se) || se.Code != 552 {
		t.Errorf("too large: %v", err)
	}
	broken := serveReceiver(t, &Receiver{Logger: quiet}, failingProcessor{})
	if err := submit(t, broken, "gina@gmail.example", []string{"bob@example.org"}, fixture(t, "google-request.eml")); !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("processor failure: %v, want 451", err)
	}
}

// TestSMTPBackendServerSizeLimit: when the go-smtp server's own
// MaxMessageBytes, below the Receiver's MaxSize, cuts the mail off, the
// sender is told 552 5.3.4 (too large), over SMTP and for every LMTP
// recipient, not 554 (malformed); nothing is processed.
func TestSMTPBackendServerSizeLimit(t *testing.T) {
	var p fakeProcessor
	r := &Receiver{Logger: quiet}
	mail := fixture(t, "google-request.eml")
	limit := func(lmtp bool) func(*smtp.Server) {
		return func(srv *smtp.Server) {
			srv.LMTP = lmtp
			srv.MaxMessageBytes = int64(len(mail) / 2)
		}
	}

	addr := serveConfigured(t, r.SMTPBackend(&p), limit(false))
	var se *smtp.SMTPError
	err := submit(t, addr, "gina@gmail.example", []string{"bob@example.org"}, mail)
	if !errors.As(err, &se) || se.Code != 552 || se.EnhancedCode != (smtp.EnhancedCode{5, 3, 4}) {
		t.Errorf("SMTP, over the server's limit: %v, want 552 5.3.4", err)
	}

	lmtpAddr := serveConfigured(t, r.SMTPBackend(&p), limit(true))
	codes := lmtpSend(t, lmtpAddr, "gina@gmail.example", []string{"bob@example.org", "carol@example.org"}, mail)
	if codes["bob@example.org"] != 552 || codes["carol@example.org"] != 552 {
		t.Errorf("LMTP, over the server's limit: %v, want 552 for both", codes)
	}
	if len(p.calls) != 0 {
		t.Errorf("mail over the limit was processed: %q", p.calls)
	}
}
