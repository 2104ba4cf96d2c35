package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/go-autoschedule/autoschedule/imip"
)

// smtpPasswordEnv names the environment variable holding the SMTP relay
// password: a flag would show it in ps and shell histories.
const smtpPasswordEnv = "AUTOSCHEDULE_SMTP_PASSWORD"

// Defaults of the SMTP/LMTP listener's limits.
const (
	defaultListenMaxSize       = imip.DefaultMaxMailSize
	defaultListenMaxRecipients = 50
	defaultListenMaxConns      = 32
	defaultListenTimeout       = 5 * time.Minute
	defaultRetryMin            = 30 * time.Second
	defaultRetryMax            = 6 * time.Hour
	defaultMaxAttempts         = 12
	defaultLease               = 5 * time.Minute
)

// mailConfig is the e-mail part of the command line: the relay that
// outgoing invitations go through (iMIP, RFC 6047) and the listener that
// takes incoming ones.
type mailConfig struct {
	// Outgoing.
	relay          string // host:port; "" means no outgoing mail
	security       imip.Security
	user           string
	password       string // from smtpPasswordEnv
	from           string
	fromOriginator bool
	hostname       string // EHLO name and listener greeting
	retryMin       time.Duration
	retryMax       time.Duration
	maxAttempts    int
	lease          time.Duration

	// Incoming.
	listen              string // host:port or unix:/path; "" means none
	lmtp                bool
	listenMaxSize       int64
	listenMaxRecipients int
	listenMaxConns      int
	listenTimeout       time.Duration
	authservIDs         []string
	requireDMARC        bool
}

// outgoing reports whether invitations to remote addresses go out by
// e-mail.
func (m *mailConfig) outgoing() bool { return m.relay != "" }

// addFlags defines the e-mail flags on fs.
func (m *mailConfig) addFlags(fs *flag.FlagSet) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	fs.StringVar(&m.relay, "smtp-relay", "", "SMTP relay `host:port` for invitations to addresses this server does not host (iMIP); needs -mail-from")
	fs.Func("smtp-security", "how to reach -smtp-relay: starttls (default), tls (implicit, port 465) or plain", func(v string) error {
		for _, s := range []imip.Security{imip.StartTLS, imip.ImplicitTLS, imip.PlainText} {
			if strings.EqualFold(v, s.String()) {
				m.security = s
				return nil
			}
		}
		return errors.New("want starttls, tls or plain")
	})
	fs.StringVar(&m.user, "smtp-user", "", "SMTP relay user `name` (SASL PLAIN); the password comes from $"+smtpPasswordEnv)
	fs.StringVar(&m.from, "mail-from", "", "the service's e-mail `address` (From and envelope sender of invitations; Reply-To is the organizer or attendee)")
	fs.BoolVar(&m.fromOriginator, "mail-from-originator", false, "write the organizer's (attendee's) own address as From, -mail-from as Sender: only if the relay may send for your users' domains (SPF, DKIM)")
	fs.StringVar(&m.hostname, "smtp-hostname", host, "host `name` given in EHLO to the relay and in the listener's greeting")
	fs.DurationVar(&m.retryMin, "mail-retry-min", defaultRetryMin, "wait after a mail's first temporary failure (doubling each time)")
	fs.DurationVar(&m.retryMax, "mail-retry-max", defaultRetryMax, "longest wait between attempts of a mail")
	fs.IntVar(&m.maxAttempts, "mail-max-attempts", defaultMaxAttempts, "attempts before a mail is given up (SCHEDULE-STATUS 5.1)")
	fs.DurationVar(&m.lease, "mail-lease", defaultLease, "how long mails taken for sending stay reserved: after a crash, the restart (or another server on the same database) takes them over after this long; at least 4 times the slowest send")
	fs.StringVar(&m.listen, "smtp-listen", "", "take incoming iMIP mail (replies, invitations) over SMTP on `host:port`, or unix:/path")
	fs.BoolVar(&m.lmtp, "smtp-listen-lmtp", false, "speak LMTP instead of SMTP on -smtp-listen (for an MTA's lmtp transport)")
	fs.Int64Var(&m.listenMaxSize, "smtp-listen-max-size", defaultListenMaxSize, "largest incoming mail in `bytes`")
	fs.IntVar(&m.listenMaxRecipients, "smtp-listen-max-recipients", defaultListenMaxRecipients, "most RCPT TO of one incoming mail")
	fs.IntVar(&m.listenMaxConns, "smtp-listen-max-conns", defaultListenMaxConns, "most simultaneous connections to -smtp-listen (more get 421)")
	fs.DurationVar(&m.listenTimeout, "smtp-listen-timeout", defaultListenTimeout, "how long the listener waits for each command or line of data")
	fs.Func("smtp-authserv-id", "trust Authentication-Results (DKIM, SPF, DMARC) only from this MTA `id` (repeatable); without it only the topmost one is read", func(v string) error {
		if v = strings.TrimSpace(v); v == "" || strings.ContainsAny(v, " \t;") {
			return errors.New("an authserv-id is one token")
		}
		m.authservIDs = append(m.authservIDs, v)
		return nil
	})
	fs.BoolVar(&m.requireDMARC, "smtp-require-dmarc", false, "refuse incoming mail without dmarc=pass from a trusted -smtp-authserv-id (default: refuse dmarc=fail only)")
}

// check validates the e-mail flags once fs is parsed; password is the
// value of smtpPasswordEnv.
func (m *mailConfig) check(fs *flag.FlagSet, password string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	needs := func(dependent []string, on, onValue string) error {
		if onValue != "" {
			return nil
		}
		for _, name := range dependent {
			if set[name] {
				return fmt.Errorf("-%s needs -%s", name, on)
			}
		}
		return nil
	}
	if err := needs([]string{"smtp-security", "smtp-user", "mail-from", "mail-from-originator",
		"mail-retry-min", "mail-retry-max", "mail-max-attempts", "mail-lease"}, "smtp-relay", m.relay); err != nil {
		return err
	}
	if err := needs([]string{"smtp-listen-lmtp", "smtp-listen-max-size", "smtp-listen-max-recipients", "smtp-listen-max-conns",
		"smtp-listen-timeout", "smtp-authserv-id", "smtp-require-dmarc"}, "smtp-listen", m.listen); err != nil {
		return err
	}
	if strings.ContainsAny(m.hostname, " \t\r\n<>") || m.hostname == "" {
		return fmt.Errorf("-smtp-hostname %q is not a host name", m.hostname)
	}
	if m.relay != "" {
		if err := m.checkOutgoing(password); err != nil {
			return err
		}
	}
	if m.listen != "" {
		return m.checkListener()
	}
	return nil
}

// checkOutgoing validates the relay flags; password is the value of
// smtpPasswordEnv.
func (m *mailConfig) checkOutgoing(password string) error {
	if err := checkHostPort("-smtp-relay", m.relay); err != nil {
		return err
	}
	if m.from == "" {
		return errors.New("-smtp-relay needs -mail-from, the address invitations are sent from")
	}
	if _, err := imip.NewComposer(imip.ComposerOptions{From: m.from}); err != nil {
		return fmt.Errorf("-mail-from %q: give a plain address such as calendar@example.org (%w)", m.from, err)
	}
	switch {
	case m.retryMin <= 0 || m.retryMax < m.retryMin:
		return errors.New("-mail-retry-min must be positive and at most -mail-retry-max")
	case m.maxAttempts <= 0:
		return errors.New("-mail-max-attempts must be positive")
	case m.lease < time.Second:
		return errors.New("-mail-lease must be at least 1s")
	case m.user == "" && password != "":
		return fmt.Errorf("$%s is set but -smtp-user is not", smtpPasswordEnv)
	case m.user != "" && password == "":
		return fmt.Errorf("-smtp-user needs the password in $%s", smtpPasswordEnv)
	case m.user != "" && m.security == imip.PlainText && !isLoopbackHost(m.relay):
		return errors.New("-smtp-user with -smtp-security plain would send the password in clear: use starttls or tls, or a relay on a loopback address")
	}
	m.password = password
	return nil
}

// checkListener validates the -smtp-listen flags.
func (m *mailConfig) checkListener() error {
	if path, ok := strings.CutPrefix(m.listen, "unix:"); ok {
		if path == "" {
			return errors.New("-smtp-listen unix: needs a socket path")
		}
	} else if err := checkHostPort("-smtp-listen", m.listen); err != nil {
		return err
	}
	switch {
	case m.listenMaxSize <= 0:
		return errors.New("-smtp-listen-max-size must be positive")
	case m.listenMaxRecipients <= 0:
		return errors.New("-smtp-listen-max-recipients must be positive")
	case m.listenMaxConns <= 0:
		return errors.New("-smtp-listen-max-conns must be positive")
	case m.listenTimeout <= 0:
		return errors.New("-smtp-listen-timeout must be positive")
	case m.requireDMARC && len(m.authservIDs) == 0:
		return errors.New("-smtp-require-dmarc needs -smtp-authserv-id: otherwise the sender could write the Authentication-Results itself")
	}
	return nil
}

// checkHostPort checks that v is host:port with a port.
func checkHostPort(flagName, v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil || port == "" {
		return fmt.Errorf("%s %q: want host:port", flagName, v)
	}
	return nil
}

// isLoopbackHost reports whether hostPort names this machine (localhost
// or a loopback IP).
func isLoopbackHost(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
