package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/imip"
)

// recipientLookupTimeout bounds the store lookup of one RCPT TO address.
const recipientLookupTimeout = 10 * time.Second

// mailListener is the SMTP or LMTP server of -smtp-listen: mail for the
// server's users that carries iTIP (an external attendee's REPLY, an
// external organizer's REQUEST or CANCEL) is checked by an imip.Receiver
// and applied by the scheduling middleware.
type mailListener struct {
	srv      *smtp.Server
	ln       net.Listener
	sessions *drainingBackend
	served   chan error    // Serve's result, read by shutdown
	stopped  chan struct{} // closed when Serve returned
	log      *slog.Logger

	shutdownOnce sync.Once
	shutdownErr  error
}

// startMailListener listens on cfg.listen and serves in the background
// until Shutdown. tlsConfig, when not nil, is offered with STARTTLS.
// Recipients must be addresses of principals in dir (others get 550
// 5.1.1); the mail is parsed and checked by a Receiver configured from
// cfg, then handed to proc.
func startMailListener(cfg *mailConfig, tlsConfig *tls.Config, dir backend.Directory, proc imip.Processor, log *slog.Logger) (*mailListener, error) {
	recv := &imip.Receiver{
		MaxSize:            cfg.listenMaxSize,
		TrustedAuthServIDs: cfg.authservIDs,
		Logger:             log,
	}
	if cfg.requireDMARC {
		recv.Verdict = imip.RequireDMARCPass
	}
	sessions := &drainingBackend{
		next:     recv.SMTPBackend(proc),
		dir:      dir,
		lookup:   min(cfg.listenTimeout, recipientLookupTimeout),
		log:      log,
		sessions: map[*trackedSession]bool{},
		changed:  make(chan struct{}, 1),
	}
	srv := smtp.NewServer(sessions)
	srv.LMTP = cfg.lmtp
	srv.Domain = cfg.hostname
	// One octet above the Receiver's limit, which reads one octet past
	// it: the Receiver's own check refuses the mail (552, logged with the
	// limit). go-smtp's limit would be answered 552 as well.
	srv.MaxMessageBytes = cfg.listenMaxSize + 1
	srv.MaxRecipients = cfg.listenMaxRecipients
	srv.ReadTimeout = cfg.listenTimeout
	srv.WriteTimeout = cfg.listenTimeout
	srv.TLSConfig = tlsConfig
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)

	ln, err := listenMail(cfg.listen)
	if err != nil {
		return nil, fmt.Errorf("-smtp-listen: %w", err)
	}
	l := &mailListener{
		srv:      srv,
		ln:       ln,
		sessions: sessions,
		served:   make(chan error, 1),
		stopped:  make(chan struct{}),
		log:      log,
	}
	limited := &limitListener{Listener: ln, slots: make(chan struct{}, cfg.listenMaxConns), log: log}
	go func() {
		l.served <- srv.Serve(limited)
		close(l.stopped)
	}()
	return l, nil
}

// protocol names what the listener speaks, for logs.
func (l *mailListener) protocol() string {
	if l.srv.LMTP {
		return "LMTP"
	}
	return "SMTP"
}

// Stopped is closed when the listener stopped serving: after Shutdown, or
// when accepting connections failed; nil for a nil listener, so that a
// select on it waits forever.
func (l *mailListener) Stopped() <-chan struct{} {
	if l == nil {
		return nil
	}
	return l.stopped
}

// Addr is the address the listener accepts connections on.
func (l *mailListener) Addr() net.Addr { return l.ln.Addr() }

// Shutdown stops accepting connections and mail transactions, closes
// idle connections, lets the transactions under way finish (their mail is
// processed and answered) until ctx ends, then closes every connection.
// A mail is acknowledged only after it was processed, so one cut off by
// ctx is not lost: the sending MTA tries again. Later calls return the
// first one's result.
func (l *mailListener) Shutdown(ctx context.Context) error {
	l.shutdownOnce.Do(func() { l.shutdownErr = l.shutdown(ctx) })
	return l.shutdownErr
}

// shutdown does Shutdown's work, once.
func (l *mailListener) shutdown(ctx context.Context) error {
	l.sessions.beginClosing()
	var errs []error
	if err := l.ln.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := l.sessions.drain(ctx); err != nil {
		errs = append(errs, fmt.Errorf("mail transactions still under way: %w", err))
	}
	// Closes the connections left (before their first EHLO, or cut off
	// by ctx); the listener is closed already.
	_ = l.srv.Close()
	if err := <-l.served; err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s listener: %w", l.protocol(), errors.Join(errs...))
	}
	return nil
}

// listenMail opens the listener of -smtp-listen: host:port, or
// unix:/path. A Unix socket file left behind by a server that was killed
// is replaced, unless something still answers on it.
func listenMail(spec string) (net.Listener, error) {
	path, ok := strings.CutPrefix(spec, "unix:")
	if !ok {
		return net.Listen("tcp", spec)
	}
	ln, err := net.Listen("unix", path)
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		return ln, err
	}
	if c, dialErr := net.DialTimeout("unix", path, time.Second); dialErr == nil {
		c.Close()
		return nil, err // a live server has it
	}
	if rmErr := os.Remove(path); rmErr != nil {
		return nil, errors.Join(err, rmErr)
	}
	return net.Listen("unix", path)
}

// limitListener accepts at most cap(slots) connections at once; beyond
// that a new connection is told 421 (try later) and closed.
type limitListener struct {
	net.Listener
	slots chan struct{}
	log   *slog.Logger
}

// busyReply is written to connections over the limit: SMTP and LMTP
// clients both read a 421 greeting as "try again later".
const busyReply = "421 4.3.2 Too many connections, try again later\r\n"

// Accept returns the next connection within the limit.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
			l.log.Warn("smtp: connection refused, too many connections", "remote", c.RemoteAddr().String(), "max", cap(l.slots))
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte(busyReply))
			_ = c.Close()
		}
	}
}

// slotConn gives its limitListener slot back when closed (once).
type slotConn struct {
	net.Conn
	release func()
	once    sync.Once
}

// Close closes the connection and frees its slot.
func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
