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
