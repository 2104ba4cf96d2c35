package ics

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// textFaultReference is textFault written plainly, byte by byte.
func textFaultReference(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r < utf8.RuneSelf && isControl(byte(r)) {
			return i
		}
		i += size
	}
	return -1
}

// TestTextFault puts each kind of fault at every offset of lines long
// enough for the sixteen- and eight-byte fast paths, and checks textFault
// against the plain reference.
func TestTextFault(t *testing.T) {
	faults := []string{"\x00", "\x1f", "\x7f", "\r", "\n", "\xff", "\xc3", "\xe2\x82"}
	fine := []string{"", "\t", "~", " ", "ü", "€", "😀"}
	for n := 0; n < 40; n++ {
		base := strings.Repeat("a", n)
		for at := 0; at <= n; at++ {
			for _, f := range append(faults, fine...) {
				s := base[:at] + f + base[at:]
				if got, want := textFault(s), textFaultReference(s); got != want {
					t.Fatalf("textFault(%q) = %d, want %d", s, got, want)
				}
			}
		}
	}
}

// sourceCleanReference is sourceClean written plainly: every line, split
// at LF with one CR before the LF dropped, passes textFault.
func sourceCleanReference(s string) bool {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if i < len(lines)-1 {
			line = strings.TrimSuffix(line, "\r") // the last line has no LF
		}
		if textFault(line) >= 0 {
			return false
		}
	}
	return true
}

// TestSourceClean puts each kind of fault and line ending at every offset
// of sources long enough for the eight-byte fast path, and checks
// sourceClean against the plain reference.
func TestSourceClean(t *testing.T) {
	inserts := []string{"\x00", "\x1f", "\x7f", "\r", "\n", "\r\n", "\r\r\n", "\n\r", "\xff", "\xc3", "\xe2\x82", "", "\t", "~", "ü", "€", "😀"}
	for n := 0; n < 40; n++ {
		base := strings.Repeat("a", n)
		for at := 0; at <= n; at++ {
			for _, f := range inserts {
				for _, tail := range []string{"", "\r\n", "\n", "\r"} {
					s := base[:at] + f + base[at:] + tail
					if got, want := sourceClean(s), sourceCleanReference(s); got != want {
						t.Fatalf("sourceClean(%q) = %v, want %v", s, got, want)
					}
				}
			}
		}
	}
}
