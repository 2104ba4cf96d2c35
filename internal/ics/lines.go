package ics

import (
	"strings"
	"unicode/utf8"
)

// nextLine returns the next non-empty logical line: a physical line joined
// with the physical lines after it that begin with a space or a tab (which is
// dropped), as RFC 5545 section 3.1 unfolds. Lines end in CRLF or a bare LF.
// Every logical line is checked to be valid UTF-8 without control
// characters other than HTAB. ok is false at the end of the data.
func (d *decoder) nextLine() (line string, lineNo int, ok bool, err error) {
	for d.pos < len(d.src) {
		lineNo = d.lineNo
		seg := d.physicalLine()
		if len(seg) > d.opts.MaxLineLength {
			return "", 0, false, d.limitf(lineNo, "line longer than %d bytes", d.opts.MaxLineLength)
		}
		if d.pos < len(d.src) && isFoldSpace(d.src[d.pos]) {
			d.unfold = append(d.unfold[:0], seg...)
			for d.pos < len(d.src) && isFoldSpace(d.src[d.pos]) {
				d.pos++
				seg := d.physicalLine()
				if len(d.unfold)+len(seg) > d.opts.MaxLineLength {
					return "", 0, false, d.limitf(lineNo, "line longer than %d bytes after unfolding", d.opts.MaxLineLength)
				}
				d.unfold = append(d.unfold, seg...)
			}
			if len(d.unfold) == 0 {
				continue
			}
			// UTF-8 is checked after unfolding: some producers split a
			// multi-byte character across a fold, which go-ical accepts.
			line := string(d.unfold)
			if err := d.checkText(line, lineNo); err != nil {
				return "", 0, false, err
			}
			return line, lineNo, true, nil
		}
		if len(seg) == 0 {
			continue
		}
		if err := d.checkText(seg, lineNo); err != nil {
			return "", 0, false, err
		}
		return seg, lineNo, true, nil
	}
	return "", 0, false, nil
}

func isFoldSpace(c byte) bool { return c == ' ' || c == '\t' }

// physicalLine returns the line at d.pos without its CRLF or LF and moves
// past it.
func (d *decoder) physicalLine() string {
	rest := d.src[d.pos:]
	d.lineNo++
	i := strings.IndexByte(rest, '\n')
	if i < 0 {
		d.pos = len(d.src)
		return rest
	}
	d.pos += i + 1
	if i > 0 && rest[i-1] == '\r' {
		i--
	}
	return rest[:i]
}

// checkText reports a SyntaxError when s is not valid UTF-8 or holds an
// ASCII control character other than HTAB (RFC 5545 section 3.1 allows none
// in a content line; a bare CR is one).
func (d *decoder) checkText(s string, lineNo int) error {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(s); {
		// Fast path: skip eight bytes at a time while they are all
		// printable ASCII (0x20..0x7E).
		if i+8 <= len(s) {
			x := load64(s, i)
			lt20 := (x - ones*0x20) & ^x & highs // some byte < 0x20
			y := x ^ (ones * 0x7F)
			eq7f := (y - ones) & ^y & highs // some byte == 0x7F
			if (x&highs)|lt20|eq7f == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t') || c == 0x7F {
				return d.errorf(lineNo, "control character %#02x", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return d.errorf(lineNo, "invalid UTF-8")
		}
		i += size
	}
	return nil
}

// load64 reads s[i:i+8] as a little-endian integer.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
