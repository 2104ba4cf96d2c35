package caladdr

import "strings"

// Normalize returns the canonical form of addr used for comparison and as a
// map key. It never fails: an address it does not understand is returned
// trimmed, with its scheme lower-cased.
func Normalize(addr string) string {
	addr = strings.TrimSpace(addr)
	colon := strings.IndexByte(addr, ':')
	if colon <= 0 {
		return addr
	}
	scheme := strings.ToLower(addr[:colon])
	rest := addr[colon+1:]
	switch scheme {
	case "mailto":
		rest = strings.TrimPrefix(rest, "//")
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			rest = rest[:q]
		}
		rest = strings.ReplaceAll(rest, "%40", "@")
		return "mailto:" + strings.ToLower(rest)
	case "urn":
		return "urn:" + strings.ToLower(rest)
	case "http", "https":
		// //host/path: host is case-insensitive, the path is not.
		if strings.HasPrefix(rest, "//") {
			hostEnd := strings.IndexByte(rest[2:], '/')
			if hostEnd < 0 {
				rest = strings.ToLower(rest)
			} else {
				rest = strings.ToLower(rest[:2+hostEnd]) + rest[2+hostEnd:]
			}
		}
		return scheme + ":" + strings.TrimSuffix(rest, "/")
	default:
		return scheme + ":" + rest
	}
}

// Equal reports whether a and b name the same calendar user.
func Equal(a, b string) bool {
	if a == b {
		return true
	}
	return Normalize(a) == Normalize(b)
}

// Email returns the e-mail address of a mailto: address, lower-cased, and
// whether addr is a mailto: address with a plausible e-mail address in it.
func Email(addr string) (string, bool) {
	n := Normalize(addr)
	if !strings.HasPrefix(n, "mailto:") {
		return "", false
	}
	e := n[len("mailto:"):]
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return "", false
	}
	return e, true
}

// Set is a set of calendar user addresses compared with Equal.
// The zero value is an empty set ready to use.
type Set map[string]struct{}

// NewSet returns a set holding addrs.
func NewSet(addrs ...string) Set {
	s := make(Set, len(addrs))
	for _, a := range addrs {
		s.Add(a)
	}
	return s
}

// Add puts addr into the set.
func (s Set) Add(addr string) { s[Normalize(addr)] = struct{}{} }

// Has reports whether the set holds an address equal to addr.
func (s Set) Has(addr string) bool {
	_, ok := s[Normalize(addr)]
	return ok
}
