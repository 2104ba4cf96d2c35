package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// heldProcessor is an imip.Processor that records the messages it gets
// and, while hold is open, blocks until it is closed.
type heldProcessor struct {
	hold    chan struct{}
	entered chan struct{}

	mu  sync.Mutex
	got []string // originator and method of each message
}

func (p *heldProcessor) ProcessIncoming(ctx context.Context, originator string, recipients []string, msg *itip.Message) (map[string]schedule.Status, error) {
	p.entered <- struct{}{}
	<-p.hold
	p.mu.Lock()
	p.got = append(p.got, originator+" "+msg.Method)
	p.mu.Unlock()
	out := map[string]schedule.Status{}
	for _, r := range recipients {
		out[r] = schedule.StatusDelivered
	}
	return out, nil
}

// listenerConfig is a mail configuration for the listener tests.
func listenerConfig(listen string) *mailConfig {
	return &mailConfig{
		listen:              listen,
		hostname:            "calendar.test",
		listenMaxSize:       1 << 20,
		listenMaxRecipients: 5,
		listenMaxConns:      2,
		listenTimeout:       10 * time.Second,
	}
}

// startTestListener runs a mailListener for alice (memory store) with p,
// offering STARTTLS with tlsConfig when it is not nil.
func startTestListener(t testing.TB, cfg *mailConfig, tlsConfig *tls.Config, p imip.Processor) *mailListener {
	t.Helper()
	store := memory.New()
	u := User{Username: "alice", Password: "x", Name: "Alice", Addresses: []string{alice.addr}, Type: "INDIVIDUAL"}
	if err := store.Provision(context.Background(), u.principal()); err != nil {
		t.Fatal(err)
	}
	l, err := startMailListener(cfg, tlsConfig, store, p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Shutdown(context.Background()) })
	return l
}

// TestMailListenerDrain shuts the listener down with one idle connection
// and one whose mail is being processed: the idle one is closed at once,
// new connections are refused, the busy one gets its 250 and only then
// does Shutdown return.
func TestMailListenerDrain(t *testing.T) {
	p := &heldProcessor{hold: make(chan struct{}), entered: make(chan struct{}, 1)}
	l := startTestListener(t, listenerConfig("127.0.0.1:0"), nil, p)
	addr := l.Addr().String()

	idle, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if err := idle.Hello("idle.test"); err != nil {
		t.Fatal(err)
	}

	busyErr := make(chan error, 1)
	go func() {
		busyErr <- sendMail(addr, "ext@remote.example", "alice@example.org", replyMail("ext@remote.example", "DRAIN-1", "ACCEPTED"))
	}()
	<-p.entered // the busy connection's mail is being processed

	shut := make(chan error, 1)
	go func() { shut <- l.Shutdown(context.Background()) }()

	// The idle connection is closed without waiting for its client.
	if err := idle.Noop(); err == nil {
		deadline := time.Now().Add(5 * time.Second)
		for err == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			err = idle.Noop()
		}
		if err == nil {
			t.Error("the idle connection is still served during the shutdown")
		}
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted during the shutdown")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a mail was being processed", err)
	case <-time.After(200 * time.Millisecond):
	}

	close(p.hold)
	if err := <-busyErr; err != nil {
		t.Errorf("the mail under way at the shutdown: %v", err)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the last mail")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.got) != 1 || p.got[0] != "mailto:ext@remote.example REPLY" {
		t.Errorf("processed %q", p.got)
	}
}

// TestMailListenerShutdownTimeout: a mail still being processed when the
// shutdown's context ends is cut off unanswered (the MTA will retry) and
// Shutdown says so.
func TestMailListenerShutdownTimeout(t *testing.T) {
	p := &heldProcessor{hold: make(chan struct{}), entered: make(chan struct{}, 1)}
	defer close(p.hold)
	l := startTestListener(t, listenerConfig("127.0.0.1:0"), nil, p)
	busyErr := make(chan error, 1)
	go func() {
		busyErr <- sendMail(l.Addr().String(), "ext@remote.example", "alice@example.org", replyMail("ext@remote.example", "DRAIN-2", "ACCEPTED"))
	}()
	<-p.entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := l.Shutdown(ctx); err == nil {
		t.Error("Shutdown reported no error with a mail cut off")
	}
	if err := <-busyErr; err == nil {
		t.Error("the cut-off mail was acknowledged")
	}
}

// TestMailListenerLimits checks the connection limit, the recipient
// check and the size limit, speaking LMTP on a Unix socket.
func TestMailListenerLimits(t *testing.T) {
	p := &heldProcessor{hold: make(chan struct{}), entered: make(chan struct{}, 10)}
	close(p.hold)
	cfg := listenerConfig("unix:" + filepath.Join(t.TempDir(), "lmtp.sock"))
	cfg.lmtp = true
	cfg.listenMaxConns = 1
	cfg.listenMaxSize = 4 << 10
	l := startTestListener(t, cfg, nil, p)
	if l.protocol() != "LMTP" {
		t.Errorf("protocol %s", l.protocol())
	}
	dial := func() net.Conn {
		c, err := net.Dial("unix", strings.TrimPrefix(cfg.listen, "unix:"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := dial()
	greeting, _ := bufio.NewReader(first).ReadString('\n')
	if !strings.HasPrefix(greeting, "220 calendar.test LMTP") {
		t.Errorf("greeting %q", greeting)
	}
	second := dial()
	busy, _ := bufio.NewReader(second).ReadString('\n')
	second.Close()
	if !strings.HasPrefix(busy, "421 ") {
		t.Errorf("connection over the limit: %q, want 421", busy)
	}
	first.Close()

	// The slot is free once the server noticed the close.
	var c *smtp.Client
	for i := 0; ; i++ {
		c = smtp.NewClientLMTP(dial())
		err := c.Hello("mx.test")
		if err == nil {
			break
		}
		c.Close()
		if i == 50 {
			t.Fatalf("LMTP after the first connection closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer c.Close()
	if err := c.Mail("ext@remote.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("nobody@example.org", nil); smtpCode(err) != 550 {
		t.Errorf("RCPT of an unknown user: %v, want 550", err)
	}
	if err := c.Rcpt("alice@example.org", nil); err != nil {
		t.Fatalf("RCPT alice: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(replyMail("ext@remote.example", "BIG", "ACCEPTED") + strings.Repeat(strings.Repeat("x", 70)+"\r\n", 120)))
	if err := w.Close(); smtpCode(err) != 552 {
		t.Errorf("mail over the size limit: %v, want 552", err)
	}
	if err := c.SendMail("ext@remote.example", []string{"alice@example.org"}, strings.NewReader(replyMail("ext@remote.example", "LMTP-1", "ACCEPTED"))); err != nil {
		t.Errorf("LMTP mail: %v", err)
	}
	c.Quit()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.got) != 1 {
		t.Errorf("processed %q, want the one mail within the limits", p.got)
	}
}

// TestMailListenerSTARTTLS: with -tls-cert and -tls-key the listener
// offers STARTTLS with the server's certificate.
func TestMailListenerSTARTTLS(t *testing.T) {
	p := &heldProcessor{hold: make(chan struct{}), entered: make(chan struct{}, 1)}
	close(p.hold)
	certFile, keyFile, cert := selfSigned(t, t.TempDir())
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	l := startTestListener(t, listenerConfig("127.0.0.1:0"), &tls.Config{Certificates: []tls.Certificate{pair}}, p)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	c, err := smtp.DialStartTLS(l.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("no TLS after STARTTLS")
	}
	if err := c.SendMail("ext@remote.example", []string{"alice@example.org"}, strings.NewReader(replyMail("ext@remote.example", "TLS-1", "ACCEPTED"))); err != nil {
		t.Errorf("mail over STARTTLS: %v", err)
	}
}

// TestListenMailStaleSocket: a socket file left by a killed server is
// replaced; one a live server answers on is not.
func TestListenMailStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmtp.sock")
	live, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := listenMail("unix:" + path); err == nil {
		t.Fatal("took over the socket of a live listener")
	}
	live.(*net.UnixListener).SetUnlinkOnClose(false)
	live.Close() // the file stays, as after SIGKILL
	ln, err := listenMail("unix:" + path)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	ln.Close()
}
