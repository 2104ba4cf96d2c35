package imip

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security is how the connection to the SMTP server is protected.
type Security uint8

const (
	// StartTLS connects in plain text and upgrades with STARTTLS (RFC
	// 3207), failing when the server does not offer it (port 587).
	StartTLS Security = iota
	// ImplicitTLS connects with TLS from the first byte (RFC 8314, port
	// 465).
	ImplicitTLS
	// PlainText never uses TLS: for a relay on localhost or a trusted
	// network (port 25). smtp.SendMail cannot do this; the Sender can.
	PlainText
)

// String returns "starttls", "tls" or "plain".
func (s Security) String() string {
	switch s {
	case StartTLS:
		return "starttls"
	case ImplicitTLS:
		return "tls"
	case PlainText:
		return "plain"
	}
	return "unknown"
}

// Defaults of SenderOptions.
const (
	// DefaultMaxConns is the default of SenderOptions.MaxConns.
	DefaultMaxConns = 4
	// DefaultIdleTimeout is the default of SenderOptions.IdleTimeout.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultMaxPerConn is the default of SenderOptions.MaxPerConn.
	DefaultMaxPerConn = 1000
	// DefaultDialTimeout is the default of SenderOptions.DialTimeout.
	DefaultDialTimeout = 30 * time.Second
	// DefaultCommandTimeout is the default of SenderOptions.CommandTimeout.
	DefaultCommandTimeout = 2 * time.Minute
)

// SenderOptions configure a Sender.
type SenderOptions struct {
	// Addr is the SMTP server, host:port. Required.
	Addr string
	// Security selects STARTTLS (default), implicit TLS or plain text.
	Security Security
	// TLSConfig configures TLS; nil means the system roots and the host
	// of Addr as server name.
	TLSConfig *tls.Config
	// Auth returns the SASL client for one new connection (e.g.
	// sasl.NewPlainClient); nil means no authentication.
	Auth func() sasl.Client
	// AllowInsecureAuth permits authentication over a PlainText
	// connection. Without it, Auth with PlainText is refused, so that no
	// password crosses the network in clear.
	AllowInsecureAuth bool
	// LocalName is the host name given in EHLO; "" means "localhost".
	// With StartTLS it is used after the upgrade: go-smtp greets with
	// "localhost" before STARTTLS.
	LocalName string
	// MaxConns bounds the simultaneous connections; 0 means
	// DefaultMaxConns.
	MaxConns int
	// IdleTimeout closes connections idle longer; 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxPerConn is the number of messages sent over one connection
	// before it is replaced; 0 means DefaultMaxPerConn.
	MaxPerConn int
	// DialTimeout bounds connecting and the TLS handshake; 0 means
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// CommandTimeout bounds each SMTP command; 0 means
	// DefaultCommandTimeout.
	CommandTimeout time.Duration
	// Logger receives debug logs; nil means slog.Default().
	Logger *slog.Logger
}

// Sender sends composed e-mails over SMTP, reusing connections: a
// transaction runs over an idle connection when there is one (MAIL, RCPT,
// DATA, no new handshake), which is what makes thousands of messages per
// second possible. It is safe for concurrent use; Close it on shutdown.
type Sender struct {
	opts  SenderOptions
	host  string
	log   *slog.Logger
	slots chan struct{}

	mu     sync.Mutex
	idle   []*smtpConn
	closed bool
}

// smtpConn is one connection with its bookkeeping.
type smtpConn struct {
	raw      net.Conn
	c        *smtp.Client
	sent     int
	lastUsed time.Time
}

// NewSender checks opts and returns a Sender. It does not connect.
func NewSender(opts SenderOptions) (*Sender, error) {
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("imip: SenderOptions.Addr: %w", err)
	}
	if opts.Security > PlainText {
		return nil, fmt.Errorf("imip: SenderOptions.Security %d unknown", opts.Security)
	}
	if opts.Auth != nil && opts.Security == PlainText && !opts.AllowInsecureAuth {
		return nil, errors.New("imip: SenderOptions.Auth over PlainText needs AllowInsecureAuth")
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxPerConn <= 0 {
		opts.MaxPerConn = DefaultMaxPerConn
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.CommandTimeout <= 0 {
		opts.CommandTimeout = DefaultCommandTimeout
	}
	s := &Sender{opts: opts, host: host, log: opts.Logger, slots: make(chan struct{}, opts.MaxConns)}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// Send hands m to the SMTP server. The error is a *SendError: Temporary
// for network and TLS failures and 4xx replies, permanent for 5xx
// replies. A failure on a reused connection before DATA is retried once
// on a fresh one (the server may have closed an idle connection).
func (s *Sender) Send(ctx context.Context, m *Outgoing) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return &SendError{Temporary: true, Stage: "dial", Err: ctx.Err()}
	}
	defer func() { <-s.slots }()

	conn, reused := s.takeIdle(), true
	if conn == nil {
		reused = false
		var err error
		if conn, err = s.dial(ctx); err != nil {
			return err
		}
	}
	err := s.transaction(ctx, conn, m)
	var se *SendError
	if reused && errors.As(err, &se) && se.Code == 0 && se.Stage == "mail" && ctx.Err() == nil {
		s.log.DebugContext(ctx, "imip: reused SMTP connection failed, reconnecting", "err", err)
		if conn, err = s.dial(ctx); err != nil {
			return err
		}
		err = s.transaction(ctx, conn, m)
	}
	return err
}

// takeIdle returns a usable idle connection, or nil.
func (s *Sender) takeIdle() *smtpConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for len(s.idle) > 0 {
		c := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if now.Sub(c.lastUsed) < s.opts.IdleTimeout {
			return c
		}
		go c.close()
	}
	return nil
}

// putIdle keeps c for the next Send, or closes it.
func (s *Sender) putIdle(c *smtpConn) {
	if c.sent >= s.opts.MaxPerConn {
		go c.quit()
		return
	}
	c.lastUsed = time.Now()
	s.mu.Lock()
	if s.closed || len(s.idle) >= s.opts.MaxConns {
		s.mu.Unlock()
		go c.quit()
		return
	}
	s.idle = append(s.idle, c)
	s.mu.Unlock()
}

// Close ends the idle connections with QUIT. A Send after Close still
// works, but its connection is closed after use instead of kept.
func (s *Sender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, c := range idle {
		c.quit()
	}
	return nil
}

// dial connects, sets up TLS, says EHLO and authenticates.
func (s *Sender) dial(ctx context.Context) (*smtpConn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.DialTimeout)
	defer cancel()
	d := net.Dialer{}
	raw, err := d.DialContext(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return nil, &SendError{Temporary: true, Stage: "dial", Err: err}
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	tlsConf := s.tlsConfig()
	var c *smtp.Client
	switch s.opts.Security {
	case ImplicitTLS:
		tc := tls.Client(raw, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, &SendError{Temporary: true, Stage: "tls", Err: err}
		}
		c = smtp.NewClient(tc)
	case StartTLS:
		if c, err = smtp.NewClientStartTLS(raw, tlsConf); err != nil {
			raw.Close()
			return nil, s.classify("tls", err)
		}
	default:
		c = smtp.NewClient(raw)
	}
	c.CommandTimeout = s.opts.CommandTimeout
	c.SubmissionTimeout = s.opts.CommandTimeout
	if s.opts.LocalName != "" {
		if err := c.Hello(s.opts.LocalName); err != nil {
			c.Close()
			return nil, s.classify("ehlo", err)
		}
	}
	if s.opts.Auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			c.Close()
			return nil, &SendError{Temporary: true, Stage: "auth", Err: errors.New("server does not offer AUTH")}
		}
		if err := c.Auth(s.opts.Auth()); err != nil {
			c.Close()
			return nil, s.classify("auth", err)
		}
	}
	if ctx.Err() != nil {
		c.Close()
		return nil, &SendError{Temporary: true, Stage: "dial", Err: ctx.Err()}
	}
	return &smtpConn{raw: raw, c: c}, nil
}

// tlsConfig returns the TLS configuration with a server name.
func (s *Sender) tlsConfig() *tls.Config {
	var conf *tls.Config
	if s.opts.TLSConfig != nil {
		conf = s.opts.TLSConfig.Clone()
	} else {
		conf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if conf.ServerName == "" {
		conf.ServerName = s.host
	}
	return conf
}

// transaction sends m over c (MAIL, RCPT, DATA) and returns c to the pool
// when it is still usable.
func (s *Sender) transaction(ctx context.Context, c *smtpConn, m *Outgoing) (err error) {
	stop := context.AfterFunc(ctx, func() { c.raw.Close() })
	healthy := false
	defer func() {
		if !stop() {
			healthy = false // the deadline was forced: the connection is dead
			if err != nil {
				err = &SendError{Temporary: true, Stage: stageOf(err), Err: errors.Join(ctx.Err(), err)}
			}
		}
		if healthy {
			s.putIdle(c)
		} else {
			c.close()
		}
	}()
	var opts *smtp.MailOptions
	if !isASCII([]byte(m.From)) || !isASCII([]byte(m.To)) {
		opts = &smtp.MailOptions{UTF8: true}
	} else {
		opts = &smtp.MailOptions{Size: int64(len(m.Data))}
	}
	if err := c.c.Mail(m.From, opts); err != nil {
		healthy = s.recover(c, err)
		return s.classify("mail", err)
	}
	if err := c.c.Rcpt(m.To, nil); err != nil {
		healthy = s.recover(c, err)
		return s.classify("rcpt", err)
	}
	w, err := c.c.Data()
	if err != nil {
		healthy = s.recover(c, err)
		return s.classify("data", err)
	}
	if _, err := w.Write(m.Data); err != nil {
		return s.classify("data", err)
	}
	if !bytes.HasSuffix(m.Data, []byte("\r\n")) {
		if _, err := w.Write([]byte("\r\n")); err != nil {
			return s.classify("data", err)
		}
	}
	if err := w.Close(); err != nil {
		healthy = s.recover(c, err)
		return s.classify("data", err)
	}
	c.sent++
	healthy = true
	return nil
}

// recover resets the transaction after an SMTP error reply and reports
// whether the connection can be reused.
func (s *Sender) recover(c *smtpConn, err error) bool {
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code == 421 {
		return false
	}
	return c.c.Reset() == nil
}

// classify turns an error from go-smtp into a *SendError.
func (s *Sender) classify(stage string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		out := &SendError{Temporary: se.Code/100 != 5, Code: se.Code, Stage: stage, Err: err}
		if ec := se.EnhancedCode; ec != smtp.EnhancedCodeNotSet && ec != smtp.NoEnhancedCode {
			out.Enhanced = fmt.Sprintf("%d.%d.%d", ec[0], ec[1], ec[2])
		}
		return out
	}
	return &SendError{Temporary: true, Stage: stage, Err: err}
}

// stageOf returns the stage of a *SendError, or "data".
func stageOf(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		return se.Stage
	}
	return "data"
}

// close drops the connection without QUIT.
func (c *smtpConn) close() { _ = c.c.Close() }

// quit ends the session politely and closes the connection.
func (c *smtpConn) quit() {
	c.raw.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.c.Quit(); err != nil {
		_ = c.c.Close()
	}
}
