package imip

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// allowedSenders returns the addresses allowed to send msg: its
// originator and the SENT-BY of the originator's properties that r.SentBy
// trusts. A SENT-BY naming from that is not trusted is an error wrapping
// ErrSpoofed.
func (r *Receiver) allowedSenders(ctx context.Context, msg *itip.Message, from string) ([]string, error) {
	out := []string{msg.Originator}
	name := ical.PropOrganizer
	if msg.Method == itip.MethodReply || msg.Method == itip.MethodRefresh || msg.Method == itip.MethodCounter {
		name = ical.PropAttendee
	}
	trust := r.SentBy
	if trust == nil {
		trust = SameDomainSentBy
	}
	for _, c := range msg.Components() {
		for _, p := range c.Props[name] {
			sb := strings.Trim(p.Params.Get(ical.ParamSentBy), `"`)
			if sb == "" || !caladdr.Equal(p.Value, msg.Originator) || hasAddress(out, sb) {
				continue
			}
			if err := trust(ctx, caladdr.Normalize(asMailto(sb)), caladdr.Normalize(msg.Originator)); err != nil {
				if hasAddress([]string{sb}, from) {
					return nil, refusedBy(ErrSpoofed, err, "SENT-BY "+clip(sb, 100)+" may not act for "+clip(msg.Originator, 100))
				}
				continue
			}
			out = append(out, sb)
		}
	}
	return out, nil
}

// SameDomainSentBy is the default SentByFunc: it believes a SENT-BY in
// exactly the calendar user's domain (a delegate in the same
// organisation, whose mail the receiving MTA authenticates for that
// domain). Not a parent or subdomain: on shared hosting those belong to
// others. RFC 6047 §3 leaves trusting anyone else to the receiver: a
// SENT-BY is the message's own claim.
func SameDomainSentBy(_ context.Context, sentBy, calendarUser string) error {
	s, ok1 := caladdr.Email(sentBy)
	u, ok2 := caladdr.Email(calendarUser)
	if ok1 && ok2 && domainOf(s) != "" && domainOf(s) == domainOf(u) {
		return nil
	}
	return fmt.Errorf("%s is not in the domain of %s", clip(sentBy, 100), clip(calendarUser, 100))
}

// singleMailbox reports whether the e-mail address addr (as the mail
// carries it) means the same mailbox to an MTA and as a calendar user
// address: no "?" or "%" (which calendar-address normalisation cuts off or
// decodes, so "gina%40a.example?@b.example" would speak for
// gina@a.example while the MTA authenticated b.example), and no
// character whose lower case is ASCII only through Unicode folding (the
// Kelvin sign K).
func singleMailbox(addr string) bool {
	for _, c := range addr {
		if c == '?' || c == '%' || c >= utf8.RuneSelf && unicode.ToLower(c) < utf8.RuneSelf {
			return false
		}
	}
	_, ok := caladdr.Email("mailto:" + addr)
	return ok
}

// hasAddress reports whether the e-mail or calendar user address addr is
// among addrs (e-mail or calendar user addresses).
func hasAddress(addrs []string, addr string) bool {
	a := asMailto(addr)
	for _, x := range addrs {
		if caladdr.Equal(asMailto(x), a) {
			return true
		}
	}
	return false
}

// asMailto returns addr as a calendar user address.
func asMailto(addr string) string {
	addr = strings.TrimSpace(addr)
	if strings.Contains(addr, ":") {
		return addr
	}
	return "mailto:" + addr
}

// checkEnvelope applies r.Envelope to MAIL FROM.
func (r *Receiver) checkEnvelope(mailFrom, from string, allowed []string) error {
	if mailFrom == "" || r.Envelope == EnvelopeIgnored {
		return nil
	}
	env := strings.ToLower(strings.Trim(strings.TrimSpace(mailFrom), "<>"))
	if env != "" && !singleMailbox(env) {
		return refused(ErrSpoofed, "MAIL FROM %q is not a plain e-mail address", clip(mailFrom, 100))
	}
	if r.Envelope == EnvelopeExact {
		if env != "" && hasAddress(allowed, env) {
			return nil
		}
		return refused(ErrSpoofed, "MAIL FROM %q is not the originator", clip(mailFrom, 100))
	}
	envDomain := domainOf(env)
	for _, a := range append([]string{from}, allowed...) {
		e, ok := caladdr.Email(asMailto(a))
		if ok && envDomain != "" && aligned(envDomain, domainOf(e)) {
			return nil
		}
	}
	return refused(ErrSpoofed, "MAIL FROM %q is not aligned with %s", clip(mailFrom, 100), from)
}

// domainOf returns the domain of an e-mail address, or "".
func domainOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(email[at+1:], ".")
}

// aligned reports whether a and b are the same domain or one is a
// subdomain of the other.
func aligned(a, b string) bool {
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}

// SentByFunc decides whether sentBy (a mailto: address, the mail's
// sender) may act for calendarUser (the ORGANIZER or replying ATTENDEE
// whose SENT-BY parameter names it); a non-nil error refuses the mail.
type SentByFunc func(ctx context.Context, sentBy, calendarUser string) error
