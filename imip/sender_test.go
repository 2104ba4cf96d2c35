package imip

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
)

// outgoing composes the test invitation for bob.
func outgoing(t testing.TB) *Outgoing {
	t.Helper()
	out, err := mustComposer(t, ComposerOptions{}).Compose(&ComposeInput{Message: mustMessage(t, invitationICS), Recipient: "mailto:bob@remote.example"})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mustSender returns a Sender closed at the end of the test.
func mustSender(t testing.TB, opts SenderOptions) *Sender {
	t.Helper()
	s, err := NewSender(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// checkReceived asserts that the sink got exactly m, parsable.
func checkReceived(t *testing.T, sk *sink, m *Outgoing) {
	t.Helper()
	got := sk.received()
	if len(got) != 1 {
		t.Fatalf("sink has %d messages", len(got))
	}
	if got[0].from != m.From || len(got[0].to) != 1 || got[0].to[0] != m.To {
		t.Errorf("envelope %q -> %v", got[0].from, got[0].to)
	}
	if string(got[0].data) != string(m.Data) {
		t.Errorf("data changed in transit (%d vs %d octets)", len(got[0].data), len(m.Data))
	}
	pm := parseBack(t, got[0].data)
	if pm.part(t, "text/calendar").params["method"] != "REQUEST" {
		t.Error("received mail lacks the iTIP part")
	}
}

func TestSendPlainRelay(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText, LocalName: "cal.example.org"})
	m := outgoing(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, sk, m)
}

func TestSendStartTLS(t *testing.T) {
	sk := startSink(t, "starttls", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: StartTLS, TLSConfig: sk.clientTLS()})
	m := outgoing(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, sk, m)

	// An untrusted certificate is a (temporary) TLS failure, not a send
	// in clear text.
	s2 := mustSender(t, SenderOptions{Addr: sk.addr, Security: StartTLS})
	if err := s2.Send(context.Background(), m); !isSendError(err, true) {
		t.Errorf("untrusted certificate: %v", err)
	}
	// STARTTLS required but not offered.
	plain := startSink(t, "plain", nil)
	s3 := mustSender(t, SenderOptions{Addr: plain.addr, Security: StartTLS, TLSConfig: sk.clientTLS()})
	if err := s3.Send(context.Background(), m); !isSendError(err, true) || len(plain.received()) != 0 {
		t.Errorf("no STARTTLS offered: %v, %d sent", err, len(plain.received()))
	}
}

func TestSendImplicitTLS(t *testing.T) {
	sk := startSink(t, "tls", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: ImplicitTLS, TLSConfig: sk.clientTLS()})
	m := outgoing(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, sk, m)
}

func TestSendSASLPlain(t *testing.T) {
	sk := startSink(t, "starttls", func(s *sink) { s.user, s.pass = "cal", "s3cret" })
	m := outgoing(t)

	// Without authentication the server refuses MAIL: permanent.
	anon := mustSender(t, SenderOptions{Addr: sk.addr, TLSConfig: sk.clientTLS()})
	err := anon.Send(context.Background(), m)
	var se *SendError
	if !errors.As(err, &se) || se.Temporary || se.Code != 530 || se.Stage != "mail" {
		t.Errorf("unauthenticated: %v", err)
	}
	// Wrong password: permanent 535 at auth.
	bad := mustSender(t, SenderOptions{Addr: sk.addr, TLSConfig: sk.clientTLS(),
		Auth: func() sasl.Client { return sasl.NewPlainClient("", "cal", "wrong") }})
	if err := bad.Send(context.Background(), m); !errors.As(err, &se) || se.Temporary || se.Code != 535 || se.Stage != "auth" || se.Enhanced != "5.7.8" {
		t.Errorf("bad password: %v", err)
	}
	good := mustSender(t, SenderOptions{Addr: sk.addr, TLSConfig: sk.clientTLS(),
		Auth: func() sasl.Client { return sasl.NewPlainClient("", "cal", "s3cret") }})
	if err := good.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, sk, m)
}

func TestSendRefusesPasswordInClear(t *testing.T) {
	_, err := NewSender(SenderOptions{Addr: "127.0.0.1:25", Security: PlainText,
		Auth: func() sasl.Client { return sasl.NewPlainClient("", "u", "p") }})
	if err == nil {
		t.Fatal("AUTH over plain text accepted without AllowInsecureAuth")
	}
	sk := startSink(t, "plain", func(s *sink) { s.user, s.pass = "u", "p" })
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText, AllowInsecureAuth: true,
		Auth: func() sasl.Client { return sasl.NewPlainClient("", "u", "p") }})
	if err := s.Send(context.Background(), outgoing(t)); err != nil {
		t.Fatalf("plain relay with explicit insecure auth: %v", err)
	}
}

func TestSendServerDownIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := mustSender(t, SenderOptions{Addr: addr, Security: PlainText, DialTimeout: 2 * time.Second})
	err = s.Send(context.Background(), outgoing(t))
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary || se.Stage != "dial" || se.Code != 0 {
		t.Errorf("server down: %v", err)
	}
}

func TestSendTemporaryThenSuccess(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) { s.failData = []error{errTemp} })
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText})
	m := outgoing(t)
	err := s.Send(context.Background(), m)
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary || se.Code != 451 || se.Enhanced != "4.3.0" || se.Stage != "data" {
		t.Fatalf("4xx: %v", err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("retry: %v", err)
	}
	checkReceived(t, sk, m)
	if n := sk.sessionCount(); n != 1 {
		t.Errorf("%d sessions: the connection was not reused after a 4xx", n)
	}
}

func TestSendPermanentFailure(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) { s.failRcpt = errPerm })
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText})
	err := s.Send(context.Background(), outgoing(t))
	var se *SendError
	if !errors.As(err, &se) || se.Temporary || se.Code != 550 || se.Enhanced != "5.1.1" || se.Stage != "rcpt" {
		t.Fatalf("5xx: %v", err)
	}
	if !strings.Contains(err.Error(), "permanent") {
		t.Errorf("message %q", err)
	}
}

func TestSendReusesConnection(t *testing.T) {
	sk := startSink(t, "starttls", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, TLSConfig: sk.clientTLS(), MaxConns: 1})
	m := outgoing(t)
	for i := 0; i < 20; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(sk.received()); n != 20 {
		t.Errorf("%d received", n)
	}
	if n := sk.sessionCount(); n != 1 {
		t.Errorf("%d sessions for 20 messages", n)
	}
}

func TestSendReplacesConnections(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText, MaxPerConn: 3})
	m := outgoing(t)
	for i := 0; i < 7; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if n := sk.sessionCount(); n != 3 {
		t.Errorf("%d sessions for 7 messages at 3 per connection", n)
	}
	// An idle connection past IdleTimeout is not reused.
	sk2 := startSink(t, "plain", nil)
	s2 := mustSender(t, SenderOptions{Addr: sk2.addr, Security: PlainText, IdleTimeout: time.Millisecond})
	_ = s2.Send(context.Background(), m)
	time.Sleep(5 * time.Millisecond)
	_ = s2.Send(context.Background(), m)
	if n := sk2.sessionCount(); n != 2 {
		t.Errorf("%d sessions after the idle timeout", n)
	}
}

func TestSendReconnectsWhenServerDroppedIdleConnection(t *testing.T) {
	sk := startSink(t, "plain", nil)
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText})
	m := outgoing(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// Kill the pooled connection under the sender's feet.
	s.mu.Lock()
	for _, c := range s.idle {
		c.raw.Close()
	}
	s.mu.Unlock()
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("send over a dropped connection was not retried: %v", err)
	}
	if n := len(sk.received()); n != 2 {
		t.Errorf("%d received", n)
	}
}

func TestSendHonoursContext(t *testing.T) {
	sk := startSink(t, "plain", func(s *sink) { s.dataDelay = 2 * time.Second })
	s := mustSender(t, SenderOptions{Addr: sk.addr, Security: PlainText})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, outgoing(t))
	if !isSendError(err, true) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled send: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("send took %v after its deadline", d)
	}
}
