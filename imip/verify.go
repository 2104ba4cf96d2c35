package imip

import (
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// allowedSenders returns the addresses allowed to send msg: its
// originator and the SENT-BY of the originator's properties.
func allowedSenders(msg *itip.Message) []string {
	out := []string{msg.Originator}
	name := ical.PropOrganizer
	if msg.Method == itip.MethodReply || msg.Method == itip.MethodRefresh || msg.Method == itip.MethodCounter {
		name = ical.PropAttendee
	}
	for _, c := range msg.Components() {
		for _, p := range c.Props[name] {
			if sb := strings.Trim(p.Params.Get("SENT-BY"), `"`); sb != "" && caladdr.Equal(p.Value, msg.Originator) {
				out = append(out, sb)
			}
		}
	}
	return out
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
