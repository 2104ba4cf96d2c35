package imip

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Defaults of Receiver.
const (
	// DefaultMaxMailSize is the default of Receiver.MaxSize: 10 MiB.
	DefaultMaxMailSize = 10 << 20
	// DefaultMaxDepth is the default of Receiver.MaxDepth.
	DefaultMaxDepth = 8
	// DefaultMaxParts is the default of Receiver.MaxParts.
	DefaultMaxParts = 64
	// DefaultMaxRecipients is the default of Receiver.MaxRecipients.
	DefaultMaxRecipients = 1000
)

// EnvelopeCheck says how the SMTP envelope sender (MAIL FROM) must relate
// to the message's originator.
type EnvelopeCheck uint8

const (
	// EnvelopeAligned (the default) requires the MAIL FROM domain to be
	// the originator's domain, a subdomain of it or a parent domain.
	EnvelopeAligned EnvelopeCheck = iota
	// EnvelopeExact requires MAIL FROM to be the originator's address (or
	// a SENT-BY that SentBy trusts).
	EnvelopeExact
	// EnvelopeIgnored does not look at MAIL FROM (for senders with
	// per-message bounce addresses; rely on Verdict then).
	EnvelopeIgnored
)

// Envelope is what the SMTP server learnt about a received mail.
type Envelope struct {
	// MailFrom is the MAIL FROM address; "" when unknown, "<>" for the
	// null reverse-path (which never matches an originator).
	MailFrom string
	// Recipients are the RCPT TO addresses. When given, only the iTIP
	// message's recipients among them are delivered to.
	Recipients []string
}

// Received is one verified iTIP message from an e-mail.
type Received struct {
	// Originator is the calendar user address the message comes from
	// (ORGANIZER, or the replying ATTENDEE), checked against the mail's
	// sender.
	Originator string
	// Message is the iTIP message.
	Message *itip.Message
	// Recipients are the calendar user addresses to deliver to: the
	// message's recipients that are among the envelope recipients.
	Recipients []string
}

// Incoming is a received e-mail that passed every check.
type Incoming struct {
	// From is the e-mail address of the From header.
	From string
	// MessageID is the Message-ID header (without brackets), or "".
	MessageID string
	// Messages are the iTIP messages found in the mail, one per distinct
	// iCalendar object (usually one).
	Messages []*Received
}

// Receiver extracts iTIP messages from received e-mails and checks that
// they come from whom they claim. The zero value is ready to use with the
// defaults; it is safe for concurrent use.
type Receiver struct {
	// MaxSize is the largest e-mail accepted, in octets; 0 means
	// DefaultMaxMailSize.
	MaxSize int64
	// MaxDepth bounds the nesting of multipart entities; 0 means
	// DefaultMaxDepth.
	MaxDepth int
	// MaxParts bounds the number of MIME entities; 0 means
	// DefaultMaxParts.
	MaxParts int
	// MaxRecipients bounds the recipients of one iTIP message (its
	// recipients among the envelope's, or all of them without an
	// envelope), each a directory lookup and a delivery; 0 means
	// DefaultMaxRecipients.
	MaxRecipients int
	// Envelope says how MAIL FROM is checked; the zero value is
	// EnvelopeAligned.
	Envelope EnvelopeCheck
	// TrustedAuthServIDs are the authserv-ids of the receiving MTA:
	// only Authentication-Results fields naming one of them are believed
	// (others may come from the sender). Empty means only the topmost
	// Authentication-Results field is believed: the receiving MTA adds
	// it last, and must remove forged ones with its own id.
	TrustedAuthServIDs []string
	// Verdict decides on the MTA's authentication results; nil means
	// RefuseDMARCFail.
	Verdict VerdictFunc
	// SentBy decides whether a SENT-BY parameter naming the mail's
	// sender is believed: nil means SameDomainSentBy.
	SentBy SentByFunc
	// Logger receives a line for every refused mail; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Parse reads a received e-mail (RFC 5322) and returns the iTIP messages
// in it: text/calendar parts with a method parameter anywhere in the MIME
// tree or, when there is none, other iCalendar parts (text/calendar
// without method, application/ics, *.ics attachments); quoted-printable
// and base64 are decoded and ISO-8859-1 and Windows-1252 converted.
//
// Every message must come from the mail's sender: the From header (and
// MAIL FROM, see Envelope) must be the ATTENDEE of a REPLY, REFRESH or
// COUNTER, or the ORGANIZER of other methods, or a SENT-BY of theirs
// that SentBy trusts; the mail must have exactly one From field, with an
// address that names the same mailbox as an e-mail and as a calendar user
// address (no "?", "%" or Unicode case folding into ASCII). Then
// Verdict is asked. Any failure is a *RefusedError wrapping ErrTooLarge,
// ErrTooComplex, ErrMalformed, ErrNoCalendar, ErrSpoofed,
// ErrNotAuthenticated or ErrWrongRecipient (or is the context's error),
// and is logged.
func (r *Receiver) Parse(ctx context.Context, mail io.Reader, env Envelope) (*Incoming, error) {
	in, err := r.parse(ctx, mail, env)
	if err != nil {
		attrs := []any{"err", err, "mail_from", clip(env.MailFrom, 200)}
		if in != nil {
			attrs = append(attrs, "from", in.From, "message_id", in.MessageID)
		}
		r.logger().WarnContext(ctx, "imip: incoming mail refused", attrs...)
		return nil, err
	}
	return in, nil
}

// logger returns Logger, or slog.Default() when it is nil.
func (r *Receiver) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// parse does Parse's work; on error it returns what it learnt so far.
func (r *Receiver) parse(ctx context.Context, mail io.Reader, env Envelope) (*Incoming, error) {
	max := r.MaxSize
	if max <= 0 {
		max = DefaultMaxMailSize
	}
	data, err := io.ReadAll(io.LimitReader(mail, max+1))
	if errors.Is(err, smtp.ErrDataTooLarge) {
		// The SMTP server's own limit (smtp.Server.MaxMessageBytes) cut
		// the mail off before MaxSize.
		return nil, refusedBy(ErrTooLarge, err, "over the SMTP server's size limit")
	}
	if err != nil {
		return nil, refusedBy(ErrMalformed, err, "reading the mail")
	}
	if int64(len(data)) > max {
		return nil, refused(ErrTooLarge, "larger than %d octets", max)
	}
	h, body, err := readHeader(data)
	if err != nil {
		return nil, err
	}
	mh := gomail.Header{Header: message.Header{Header: h}}
	in := &Incoming{}
	if id, err := mh.MessageID(); err == nil {
		in.MessageID = clip(id, 200)
	}
	if n := len(h.Values("From")); n != 1 {
		// RFC 5322 §3.6 allows one; the MTA may have authenticated
		// another one than this package would read.
		return in, refused(ErrSpoofed, "%d From fields", n)
	}
	from, err := mh.AddressList("From")
	if err != nil || len(from) != 1 {
		return in, refused(ErrSpoofed, "the From header must name exactly one address")
	}
	if !singleMailbox(from[0].Address) {
		return in, refused(ErrSpoofed, "From %q is not a plain e-mail address", clip(from[0].Address, 100))
	}
	in.From = strings.ToLower(from[0].Address)

	w := &walker{maxDepth: orDefault(r.MaxDepth, DefaultMaxDepth), maxParts: orDefault(r.MaxParts, DefaultMaxParts)}
	if err := w.walk(h, body, 0); err != nil {
		return in, err
	}
	parts := chooseParts(w.found)
	if len(parts) == 0 {
		if w.skipped != nil {
			return in, w.skipped
		}
		return in, refused(ErrNoCalendar, "no iCalendar object in the mail")
	}
	results := r.trustedResults(&h)
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return in, err
		}
		rcv, err := r.message(ctx, p, in.From, env, mh, results)
		if err != nil {
			return in, err
		}
		in.Messages = append(in.Messages, rcv)
	}
	return in, nil
}

// message parses and checks one calendar part.
func (r *Receiver) message(ctx context.Context, p calendarPart, from string, env Envelope, mh gomail.Header, results []AuthResult) (*Received, error) {
	cal, err := ics.Decode(p.data)
	if err != nil {
		return nil, refusedBy(ErrMalformed, err, "decoding the iCalendar object")
	}
	msg, err := parseITIP(cal, fallbackRecipients(env, mh))
	if err != nil {
		return nil, refusedBy(ErrMalformed, err, "not an iTIP message")
	}
	if p.method != "" && p.method != msg.Method {
		return nil, refused(ErrMalformed, "Content-Type method=%s but METHOD:%s", clip(p.method, 30), msg.Method)
	}
	if msg.Originator == "" && msg.Method == itip.MethodCounter {
		// A COUNTER listing several attendees: the proposal is from
		// the one the mail is from.
		if msg.Originator = attendeeNamed(msg, from); msg.Originator == "" {
			return nil, refused(ErrSpoofed, "From %s is none of the COUNTER's attendees", from)
		}
	}
	allowed, err := r.allowedSenders(ctx, msg, from)
	if err != nil {
		return nil, err
	}
	if !hasAddress(allowed, from) {
		return nil, refused(ErrSpoofed, "From %s is not %s (%s)", from, msg.Originator, msg.Method)
	}
	if err := r.checkEnvelope(env.MailFrom, from, allowed); err != nil {
		return nil, err
	}
	verdict := r.Verdict
	if verdict == nil {
		verdict = RefuseDMARCFail
	}
	v := &Verdict{From: from, EnvelopeFrom: env.MailFrom, Originator: msg.Originator, Method: msg.Method, Results: results}
	if err := verdict(ctx, v); err != nil {
		return nil, refusedBy(ErrNotAuthenticated, err, "")
	}
	rcv := &Received{Originator: msg.Originator, Message: msg}
	for _, to := range msg.Recipients {
		if len(env.Recipients) == 0 || hasAddress(env.Recipients, to) {
			rcv.Recipients = append(rcv.Recipients, to)
		}
	}
	if len(rcv.Recipients) == 0 {
		return nil, refused(ErrWrongRecipient, "%s is for %s", msg.Method, clip(strings.Join(msg.Recipients, ", "), 300))
	}
	if max := orDefault(r.MaxRecipients, DefaultMaxRecipients); len(rcv.Recipients) > max {
		return nil, refused(ErrTooComplex, "%s for %d recipients, more than %d", msg.Method, len(rcv.Recipients), max)
	}
	return rcv, nil
}

// chooseParts returns the iMIP body parts, or the other calendar parts
// when there is none, without duplicates.
func chooseParts(found []calendarPart) []calendarPart {
	var out []calendarPart
	primary := false
	for _, p := range found {
		primary = primary || p.primary
	}
	for _, p := range found {
		if p.primary != primary {
			continue
		}
		dup := false
		for _, q := range out {
			dup = dup || bytes.Equal(p.data, q.data)
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// parseITIP validates cal as an iTIP message. A REPLY, REFRESH or COUNTER
// without ORGANIZER (Outlook, Exchange) is accepted with recipients as
// its recipients; cal itself is not changed.
func parseITIP(cal *ical.Calendar, recipients []string) (*itip.Message, error) {
	msg, err := itip.ParseMessage(cal)
	if err == nil || !errors.Is(err, itip.ValidOrganizer) || len(recipients) == 0 {
		return msg, err
	}
	method := strings.ToUpper(strings.TrimSpace(propValue(cal.Component, ical.PropMethod)))
	if method != itip.MethodReply && method != itip.MethodRefresh && method != itip.MethodCounter {
		return nil, err
	}
	// Validate a copy that names the first recipient as ORGANIZER.
	shadow := &ical.Calendar{Component: &ical.Component{Name: cal.Name, Props: cal.Props}}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone && c.Props.Get(ical.PropOrganizer) == nil {
			cc := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props)+1), Children: c.Children}
			for k, v := range c.Props {
				cc.Props[k] = v
			}
			cc.Props[ical.PropOrganizer] = []ical.Prop{{Name: ical.PropOrganizer, Params: ical.Params{}, Value: recipients[0]}}
			c = cc
		}
		shadow.Children = append(shadow.Children, c)
	}
	msg, err2 := itip.ParseMessage(shadow)
	if err2 != nil {
		return nil, err2
	}
	msg.Calendar = cal
	msg.Recipients = recipients
	return msg, nil
}

// attendeeNamed returns the ATTENDEE of msg whose address is the e-mail
// address email, as written, or "".
func attendeeNamed(msg *itip.Message, email string) string {
	for _, c := range msg.Components() {
		for _, p := range c.Props[ical.PropAttendee] {
			if hasAddress([]string{p.Value}, email) {
				return strings.TrimSpace(p.Value)
			}
		}
	}
	return ""
}

// fallbackRecipients returns the recipients of an ORGANIZER-less reply:
// the envelope recipients, else the To addresses.
func fallbackRecipients(env Envelope, mh gomail.Header) []string {
	var out []string
	for _, r := range env.Recipients {
		out = append(out, "mailto:"+r)
	}
	if len(out) > 0 {
		return out
	}
	to, _ := mh.AddressList("To")
	for _, a := range to {
		out = append(out, "mailto:"+a.Address)
	}
	return out
}

// trustedResults returns the Authentication-Results the receiver
// believes.
func (r *Receiver) trustedResults(h interface{ Values(string) []string }) []AuthResult {
	vals := h.Values("Authentication-Results")
	var out []AuthResult
	for i, v := range vals {
		ar, err := ParseAuthenticationResults(v)
		if err != nil {
			continue
		}
		trusted := false
		if len(r.TrustedAuthServIDs) == 0 {
			trusted = i == 0
		}
		for _, id := range r.TrustedAuthServIDs {
			trusted = trusted || strings.EqualFold(id, ar.AuthServID)
		}
		if trusted {
			out = append(out, ar.Results...)
		}
	}
	return out
}

// orDefault returns v, or def when v is not positive.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
