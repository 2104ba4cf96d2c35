package ics

import (
	"math/bits"
	"unicode/utf8"
)

// textFault returns the offset of the first byte of s that a content line
// cannot carry, an ASCII control character other than HTAB or the start of
// an invalid UTF-8 sequence, or -1 when there is none.
func textFault(s string) int {
	for i := 0; i < len(s); {
		// Fast path: skip sixteen, then eight bytes at a time while they
		// are all printable ASCII (0x20..0x7E).
		if i+16 <= len(s) && notPrintable8(load64(s, i))|notPrintable8(load64(s, i+8)) == 0 {
			i += 16
			continue
		}
		if i+8 <= len(s) && notPrintable8(load64(s, i)) == 0 {
			i += 8
			continue
		}
		// Fewer than eight bytes left: the last eight of s cover them
		// (and some already checked) in one step.
		if i+8 > len(s) && len(s) >= 8 && notPrintable8(load64(s, len(s)-8)) == 0 {
			return -1
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(c) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// notPrintable8 returns 0 when each of the eight bytes packed in x is
// printable ASCII (0x20..0x7E), and otherwise a value whose lowest set bit
// is the high bit of the first byte (in memory order) that is not; bits
// above it may be set or not. A byte is flagged when it has its high bit
// set already (0x80 and above), gets it by adding one (0x7F) or by
// subtracting 0x20 (below 0x20); carries and borrows only cross into
// bytes above one flagged itself.
func notPrintable8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return (x | (x + ones) | (x - ones*0x20)) & highs
}

// isControl reports whether c is an ASCII control character other than
// HTAB, which RFC 5545 content lines cannot carry.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t') || c == 0x7F
}

// load64 reads s[i:i+8] as a little-endian integer.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// sourceClean reports whether every line of s, split at LF with one CR
// before the LF dropped, is free of what textFault finds; empty lines
// included, so that a clean source needs no check line by line. It skips
// sixteen, else eight printable bytes at a time (the sixteen sliced once,
// so that neither load is bounds-checked) and jumps straight to the first
// byte that is not.
func sourceClean(s string) bool {
	for i := 0; i < len(s); {
		if i+16 <= len(s) {
			w := s[i : i+16]
			if notPrintable8(load64(w, 0))|notPrintable8(load64(w, 8)) == 0 {
				i += 16
				continue
			}
		}
		if i+8 <= len(s) {
			if m := notPrintable8(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3 // the lowest flagged byte is exact
			} else {
				i += 8
				continue
			}
		}
		c := s[i]
		switch {
		case c == '\n' || c == '\t':
			i++
		case c == '\r':
			if i+1 == len(s) || s[i+1] != '\n' {
				return false
			}
			i += 2
		case c < utf8.RuneSelf:
			if isControl(c) {
				return false
			}
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
		}
	}
	return true
}
