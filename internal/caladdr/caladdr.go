package caladdr

import (
	"strings"
	"unicode"
)

// Normalize returns the canonical form of addr used for comparison and as a
// map key. It never fails: an address it does not understand is returned
// trimmed, with its scheme lower-cased. An address already in canonical
// mailto: form is returned as it is, without allocating.
func Normalize(addr string) string {
	if canonicalMailto(addr) {
		return addr
	}
	return normalize(addr)
}

// canonicalMailto reports whether addr is a mailto: address that normalize
// would return unchanged: a lower-case "mailto:" scheme, then only ASCII
// without upper-case letters, '?' or '%', not starting with "//", and no
// white space at either end of the address after the scheme.
func canonicalMailto(addr string) bool {
	const scheme = "mailto:"
	if len(addr) <= len(scheme) || addr[:len(scheme)] != scheme {
		return false
	}
	rest := addr[len(scheme):]
	if strings.HasPrefix(rest, "//") || isASCIISpace(rest[0]) || isASCIISpace(rest[len(rest)-1]) {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if notCanonical[rest[i]] {
			return false
		}
	}
	return true
}

// notCanonical marks the bytes canonicalMailto refuses after the scheme:
// non-ASCII, upper-case letters, '?' and '%'. It is filled once, at
// package initialisation, and only read afterwards.
var notCanonical = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 0x80 || ('A' <= c && c <= 'Z') || c == '?' || c == '%'
	}
	return t
}()

// slashOrSpace reports whether r is '/' or white space (as strings.TrimSpace
// sees it).
func slashOrSpace(r rune) bool { return r == '/' || unicode.IsSpace(r) }

// isASCIISpace reports the bytes strings.TrimSpace trims that are ASCII.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// normalize is Normalize for any input.
func normalize(addr string) string {
	addr = strings.TrimSpace(addr)
	colon := strings.IndexByte(addr, ':')
	if colon <= 0 {
		return addr
	}
	scheme := strings.ToLower(addr[:colon])
	rest := addr[colon+1:]
	switch scheme {
	case "mailto":
		// White space around the address or before a "?" query is no
		// part of it (and trimming it here keeps Normalize idempotent).
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "//") {
			rest = strings.TrimSpace(rest[2:])
		}
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			rest = strings.TrimSpace(rest[:q])
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
		// A trailing slash (or white space) is no part of the resource;
		// trimming them all keeps Normalize idempotent.
		return scheme + ":" + strings.TrimRightFunc(rest, slashOrSpace)
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
