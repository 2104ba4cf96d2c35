package imip

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// ComposerOptions configure a Composer.
type ComposerOptions struct {
	// From is the e-mail address the service sends from, e.g.
	// "calendar@example.org". Required. It is the From header (unless
	// FromOriginator) and the envelope MAIL FROM (unless EnvelopeFrom).
	From string
	// EnvelopeFrom is the SMTP MAIL FROM (bounce) address; "" means From.
	EnvelopeFrom string
	// FromOriginator writes the originator's own address (the organizer
	// of an invitation, the attendee of a reply) as From, and From as
	// Sender. Use it only when the server may send mail for its users'
	// domains (SPF, DKIM, DMARC). By default the From header is the
	// service address with the originator's name ("Alice via Calendar")
	// and Reply-To is the originator, so that human replies reach them.
	FromOriginator bool
	// Domain is the right-hand side of Message-IDs; "" means the domain
	// of From.
	Domain string
	// ProductName names the service in display names and footers; ""
	// means "Calendar".
	ProductName string
	// Templates render the text and HTML parts; nil fields mean the
	// built-in templates.
	Templates Templates
	// AttachICS adds the calendar data a second time, as an
	// "invite.ics" attachment of type application/ics (for mail readers
	// that only offer attachments). The message then is multipart/mixed
	// around the multipart/alternative. RFC 6047 does not need it; off by
	// default.
	AttachICS bool
}

// Composer builds iMIP e-mails (RFC 6047) from iTIP messages. It is safe
// for concurrent use. Compose is pure: the same input gives the same
// bytes, so a queue can store the input (or the output) and retry.
type Composer struct {
	from, envFrom, domain, product string
	fromOriginator, attach         bool
	tpl                            Templates
}

// NewComposer checks opts and returns a Composer.
func NewComposer(opts ComposerOptions) (*Composer, error) {
	from, err := plainAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("imip: ComposerOptions.From: %w", err)
	}
	env := from
	if opts.EnvelopeFrom != "" {
		if env, err = plainAddress(opts.EnvelopeFrom); err != nil {
			return nil, fmt.Errorf("imip: ComposerOptions.EnvelopeFrom: %w", err)
		}
	}
	domain := opts.Domain
	if domain == "" {
		domain = from[strings.LastIndexByte(from, '@')+1:]
	}
	if strings.ContainsAny(domain, "<>@ \t\r\n") {
		return nil, fmt.Errorf("imip: ComposerOptions.Domain %q is not a domain", domain)
	}
	c := &Composer{
		from: from, envFrom: env, domain: domain,
		product:        headerText(opts.ProductName, 100),
		fromOriginator: opts.FromOriginator, attach: opts.AttachICS,
		tpl: opts.Templates,
	}
	if c.product == "" {
		c.product = "Calendar"
	}
	def := DefaultTemplates()
	if c.tpl.Text == nil {
		c.tpl.Text = def.Text
	}
	if c.tpl.HTML == nil {
		c.tpl.HTML = def.HTML
	}
	return c, nil
}

// plainAddress checks that s is a bare e-mail address (no display name,
// no control characters) and returns it.
func plainAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not an e-mail address", ErrNotMailto, s)
	}
	if a.Address != s || a.Name != "" || strings.ContainsAny(s, " \t\r\n<>\"") {
		return "", fmt.Errorf("%w: %q is not a plain e-mail address", ErrNotMailto, s)
	}
	return s, nil
}

// recipientEmail returns the e-mail address of a mailto: calendar user
// address fit for a header and an SMTP RCPT.
func recipientEmail(addr string) (string, error) {
	e, ok := caladdr.Email(addr)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotMailto, addr)
	}
	return plainAddress(e)
}

// ComposeInput is what one e-mail is made from.
type ComposeInput struct {
	// Message is the iTIP message; its Bytes are the text/calendar part.
	Message *itip.Message
	// Recipient is the calendar user address the mail goes to (mailto:).
	Recipient string
	// Key is the idempotency key of this delivery (a queue's job ID, for
	// instance): the Message-ID is derived from it, so a retried delivery
	// carries the same Message-ID and receivers can drop duplicates. ""
	// derives it from the message content and the recipient.
	Key string
	// Date is the Date header; zero means the DTSTAMP of the message
	// (never the wall clock: Compose is pure).
	Date time.Time
	// Location is the recipient's time zone, used to write times; nil
	// means the time zone of the event.
	Location *time.Location
	// OriginatorName is the display name of the originator (the
	// principal's name); "" means the CN parameter of the originator.
	OriginatorName string
	// Previous is the previous version of the scheduling object, when
	// known; the mail then lists what changed.
	Previous *ical.Calendar
}

// Outgoing is a composed e-mail ready for Sender.Send.
type Outgoing struct {
	// MessageID is the Message-ID, without angle brackets.
	MessageID string
	// From is the envelope MAIL FROM address.
	From string
	// To is the envelope RCPT TO address.
	To string
	// Subject is the (sanitised) subject, for logs.
	Subject string
	// Data is the RFC 5322 message, CRLF line ends.
	Data []byte
}

// Compose builds the e-mail carrying in.Message to in.Recipient:
// multipart/alternative with a text/plain and a text/html summary and the
// text/calendar part (charset=UTF-8, method matching METHOD, component;
// 7bit when the data is ASCII, else base64). Errors wrap ErrNotMailto for
// a recipient that is not a mailto: address.
func (c *Composer) Compose(in *ComposeInput) (*Outgoing, error) {
	if in == nil || in.Message == nil || in.Message.Calendar == nil {
		return nil, errors.New("imip: Compose without a message")
	}
	to, err := recipientEmail(in.Recipient)
	if err != nil {
		return nil, err
	}
	msg := in.Message
	ics := msg.Bytes()
	sum := summarize(in, c.product)

	key := in.Key
	if key == "" {
		h := sha256.Sum256(ics)
		key = caladdr.Normalize(in.Recipient) + "\x00" + string(h[:])
	}
	id := messageID(key, c.domain)
	date := in.Date
	if date.IsZero() {
		date = dtstamp(msg)
	}

	var h gomail.Header
	h.SetDate(date)
	h.SetMessageID(id)
	h.SetSubject(sum.Subject)
	origName, origEmail := c.originator(msg, in.OriginatorName)
	if c.fromOriginator && origEmail != "" {
		h.SetAddressList("From", []*gomail.Address{{Name: origName, Address: origEmail}})
		h.SetAddressList("Sender", []*gomail.Address{{Address: c.from}})
	} else {
		name := c.product
		if origName != "" {
			name = headerText(origName+" via "+c.product, 150)
		} else if origEmail != "" {
			name = headerText(origEmail+" via "+c.product, 150)
		}
		h.SetAddressList("From", []*gomail.Address{{Name: name, Address: c.from}})
	}
	if origEmail != "" {
		h.SetAddressList("Reply-To", []*gomail.Address{{Name: origName, Address: origEmail}})
	}
	h.SetAddressList("To", []*gomail.Address{{Name: headerText(sum.Recipient.Name, 150), Address: to}})
	h.Set("Auto-Submitted", "auto-generated")

	var text, html bytes.Buffer
	if err := c.tpl.Text.Execute(&text, sum); err != nil {
		return nil, fmt.Errorf("imip: text template: %w", err)
	}
	if err := c.tpl.HTML.Execute(&html, sum); err != nil {
		return nil, fmt.Errorf("imip: HTML template: %w", err)
	}

	boundary := "=_" + id[:strings.IndexByte(id, '@')]
	calEnc := "7bit"
	if !isASCII(ics) || bytes.Contains(ics, []byte(boundary)) || hasLongLine(ics, 998) {
		calEnc = "base64"
	}
	var out bytes.Buffer
	out.Grow(len(ics)*2 + text.Len() + html.Len() + 2048)
	altHeader := message.Header{}
	altHeader.SetContentType("multipart/alternative", map[string]string{"boundary": boundary + "_alt"})
	var alt *message.Writer
	var top *message.Writer
	if c.attach {
		h.SetContentType("multipart/mixed", map[string]string{"boundary": boundary + "_mix"})
		if top, err = message.CreateWriter(&out, h.Header); err != nil {
			return nil, fmt.Errorf("imip: compose: %w", err)
		}
		if alt, err = top.CreatePart(altHeader); err != nil {
			return nil, fmt.Errorf("imip: compose: %w", err)
		}
	} else {
		h.SetContentType("multipart/alternative", map[string]string{"boundary": boundary + "_alt"})
		if alt, err = message.CreateWriter(&out, h.Header); err != nil {
			return nil, fmt.Errorf("imip: compose: %w", err)
		}
	}
	if err := writePart(alt, "text/plain", map[string]string{"charset": "utf-8"}, "quoted-printable", nil, crlf(text.Bytes())); err != nil {
		return nil, err
	}
	if err := writePart(alt, "text/html", map[string]string{"charset": "utf-8"}, "quoted-printable", nil, crlf(html.Bytes())); err != nil {
		return nil, err
	}
	calParams := map[string]string{"charset": "utf-8", "method": msg.Method}
	if comps := msg.Components(); len(comps) > 0 {
		calParams["component"] = strings.ToLower(comps[0].Name)
	}
	if err := writePart(alt, "text/calendar", calParams, calEnc, nil, ics); err != nil {
		return nil, err
	}
	if err := alt.Close(); err != nil {
		return nil, fmt.Errorf("imip: compose: %w", err)
	}
	if top != nil {
		disp := map[string]string{"filename": "invite.ics"}
		if err := writePart(top, "application/ics", map[string]string{"name": "invite.ics"}, "base64", disp, ics); err != nil {
			return nil, err
		}
		if err := top.Close(); err != nil {
			return nil, fmt.Errorf("imip: compose: %w", err)
		}
	}
	return &Outgoing{MessageID: id, From: c.envFrom, To: to, Subject: sum.Subject, Data: foldHeader(out.Bytes())}, nil
}

// writePart writes one leaf part into the multipart writer w.
func writePart(w *message.Writer, typ string, params map[string]string, enc string, disposition map[string]string, body []byte) error {
	var ph message.Header
	ph.SetContentType(typ, params)
	ph.Set("Content-Transfer-Encoding", enc)
	if disposition != nil {
		ph.SetContentDisposition("attachment", disposition)
	}
	pw, err := w.CreatePart(ph)
	if err != nil {
		return fmt.Errorf("imip: compose %s: %w", typ, err)
	}
	if _, err := pw.Write(body); err != nil {
		return fmt.Errorf("imip: compose %s: %w", typ, err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("imip: compose %s: %w", typ, err)
	}
	return nil
}

// originator returns the display name and e-mail address of the
// message's originator ("" when it is not a mailto: address).
func (c *Composer) originator(msg *itip.Message, name string) (string, string) {
	email, err := recipientEmail(msg.Originator)
	if err != nil {
		return "", ""
	}
	if name == "" {
		for _, comp := range msg.Components() {
			if p := comp.Props.Get(ical.PropOrganizer); p != nil && caladdr.Equal(p.Value, msg.Originator) {
				name = p.Params.Get(ical.ParamCommonName)
			}
			for _, a := range comp.Props[ical.PropAttendee] {
				if name == "" && caladdr.Equal(a.Value, msg.Originator) {
					name = a.Params.Get(ical.ParamCommonName)
				}
			}
			if name != "" {
				break
			}
		}
	}
	return headerText(name, 100), email
}

// messageID derives a stable Message-ID (without brackets) from key.
func messageID(key, domain string) string {
	sum := sha256.Sum256([]byte("imip-message-id\x00" + key))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20])
	return strings.ToLower(enc) + "@" + domain
}

// dtstamp returns the DTSTAMP of the message's first component, or the
// zero time.
func dtstamp(msg *itip.Message) time.Time {
	for _, c := range msg.Components() {
		if p := c.Props.Get(ical.PropDateTimeStamp); p != nil {
			if t, err := time.Parse("20060102T150405Z", strings.TrimSpace(p.Value)); err == nil {
				return t
			}
		}
	}
	return time.Unix(0, 0).UTC()
}

// isASCII reports whether b is 7-bit without NUL.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0 {
			return false
		}
	}
	return true
}

// hasLongLine reports whether b has a line longer than n octets.
func hasLongLine(b []byte, n int) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return len(b) > n
		}
		if i > n {
			return true
		}
		b = b[i+1:]
	}
	return false
}

// crlf converts bare LF line ends (templates are written with LF) to
// CRLF.
func crlf(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n")) {
		return b
	}
	out := make([]byte, 0, len(b)+bytes.Count(b, []byte("\n")))
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
