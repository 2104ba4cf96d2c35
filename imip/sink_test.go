package imip

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sunk is one message received by the sink.
type sunk struct {
	from string
	to   []string
	data []byte
}

// sink is an in-process SMTP server (go-smtp) collecting what it gets.
type sink struct {
	mu    sync.Mutex
	msgs  []sunk
	conns map[string]bool
	// failData holds errors returned by the next DATA commands, in order.
	failData []error
	// failRcpt is returned by every RCPT when set.
	failRcpt error
	// user and pass, when set, require AUTH PLAIN before MAIL.
	user, pass string
	// dataDelay makes DATA slow.
	dataDelay time.Duration
	// tlsMode: "plain", "starttls" or "tls".
	tlsMode string
	addr    string
	roots   *x509.CertPool
	srv     *smtp.Server
}

// startSink starts a sink on 127.0.0.1:0 with the given TLS mode.
func startSink(t testing.TB, mode string, configure func(*sink)) *sink {
	t.Helper()
	s := &sink{tlsMode: mode}
	if configure != nil {
		configure(s)
	}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.MaxMessageBytes = 20 << 20
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = mode == "plain"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if mode != "plain" {
		cert, roots := selfSigned(t)
		s.roots = roots
		conf := &tls.Config{Certificates: []tls.Certificate{cert}}
		if mode == "tls" {
			l = tls.NewListener(l, conf)
		} else {
			srv.TLSConfig = conf
		}
	}
	s.addr = l.Addr().String()
	s.srv = srv
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// clientTLS returns the TLS configuration trusting the sink's certificate.
func (s *sink) clientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
}

// received returns a copy of the messages received so far.
func (s *sink) received() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunk(nil), s.msgs...)
}

// sessionCount returns the number of connections that opened a session
// (STARTTLS starts a second session on the same connection).
func (s *sink) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// NewSession implements smtp.Backend.
func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[string]bool{}
	}
	s.conns[c.Conn().RemoteAddr().String()] = true
	s.mu.Unlock()
	return &sinkSession{s: s}, nil
}

// sinkSession is one SMTP session of the sink.
type sinkSession struct {
	s      *sink
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*sinkSession)(nil)

// AuthMechanisms implements smtp.AuthSession.
func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth implements smtp.AuthSession.
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

// Mail implements smtp.Session.
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	ss.from = from
	return nil
}

// Rcpt implements smtp.Session.
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	err := ss.s.failRcpt
	ss.s.mu.Unlock()
	if err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data implements smtp.Session.
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.dataDelay > 0 {
		time.Sleep(ss.s.dataDelay)
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if len(ss.s.failData) > 0 {
		err := ss.s.failData[0]
		ss.s.failData = ss.s.failData[1:]
		return err
	}
	ss.s.msgs = append(ss.s.msgs, sunk{from: ss.from, to: ss.to, data: b})
	return nil
}

// Reset implements smtp.Session.
func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }

// Logout implements smtp.Session.
func (ss *sinkSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sink.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// errTemp and errPerm are SMTP replies the sink can be told to give.
var (
	errTemp = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	errPerm = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
)

// isSendError reports whether err is a *SendError with the given
// temporariness.
func isSendError(err error, temporary bool) bool {
	var se *SendError
	return errors.As(err, &se) && se.Temporary == temporary
}
