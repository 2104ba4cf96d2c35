package ics

import "unicode/utf8"

// maxLineOctets is the longest line RFC 5545 section 3.1 lets us write,
// excluding the CRLF; a continuation line's leading space counts.
const maxLineOctets = 75

// lineWriter appends one content line to buf, folding it as it goes.
type lineWriter struct {
	buf   []byte
	start int // offset in buf of the current physical line
}

// write appends s, folding before the line would exceed 75 octets, never
// inside a UTF-8 sequence.
func (l *lineWriter) write(s string) {
	if len(l.buf)-l.start+len(s) <= maxLineOctets {
		l.buf = append(l.buf, s...)
		return
	}
	l.writeFolding(s)
}

// writeFolding is write for a string that does not fit on the current line.
func (l *lineWriter) writeFolding(s string) {
	for {
		room := maxLineOctets - (len(l.buf) - l.start)
		if len(s) <= room {
			l.buf = append(l.buf, s...)
			return
		}
		cut := room
		// Back up to the start of the UTF-8 sequence s[cut] belongs to
		// (at most 3 continuation bytes, so invalid data still progresses).
		for k := 0; k < 3 && cut > 0 && s[cut]&0xC0 == 0x80; k++ {
			cut--
		}
		l.buf = append(l.buf, s[:cut]...)
		l.buf = append(l.buf, "\r\n "...)
		l.start = len(l.buf) - 1
		s = s[cut:]
	}
}

// end terminates the line with CRLF and returns the buffer.
func (l *lineWriter) end() []byte {
	return append(l.buf, '\r', '\n')
}

// writeValue writes a property value. What a content line cannot carry is
// replaced: line breaks (CRLF, LF or CR) by the TEXT escape \n, bytes of
// invalid UTF-8 by U+FFFD; other control characters but HTAB are dropped.
func (l *lineWriter) writeValue(v string) {
	for {
		i := textFault(v)
		if i < 0 {
			break
		}
		l.write(v[:i])
		v = v[i+l.replaceFault(v[i:], `\n`):]
	}
	l.write(v)
}

// writeParamValue writes a parameter value, quoted when it holds ';', ':'
// or ',', with RFC 6868 caret escapes for '^', '"' and line breaks (^^, ^',
// ^n), bytes of invalid UTF-8 replaced by U+FFFD and other control
// characters but HTAB dropped.
func (l *lineWriter) writeParamValue(v string) {
	var class byte
	for i := 0; i < len(v); i++ {
		class |= paramByteClass[v[i]]
	}
	if class == 0 {
		l.write(v)
		return
	}
	quote := class&needsQuote != 0
	if quote {
		l.write(`"`)
	}
	for {
		i := paramFault(v)
		if i < 0 {
			break
		}
		l.write(v[:i])
		switch v[i] {
		case '^':
			l.write("^^")
			v = v[i+1:]
		case '"':
			l.write("^'")
			v = v[i+1:]
		default:
			v = v[i+l.replaceFault(v[i:], "^n"):]
		}
	}
	l.write(v)
	if quote {
		l.write(`"`)
	}
}

// replaceFault writes the replacement for the fault (see textFault) that
// starts s, newline standing for a line break, and returns its length.
func (l *lineWriter) replaceFault(s, newline string) int {
	switch {
	case s[0] == '\r' && len(s) > 1 && s[1] == '\n':
		l.write(newline)
		return 2
	case s[0] == '\r' || s[0] == '\n':
		l.write(newline)
	case s[0] >= utf8.RuneSelf:
		l.write("\uFFFD")
	}
	return 1
}

// paramFault returns the offset of the first byte of s that
// writeParamValue must escape or replace, or -1.
func paramFault(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if paramByteClass[c]&needsEscape != 0 {
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

// Classes of bytes in parameter values.
const (
	needsQuote  = 1 << iota // ';', ':' or ','
	needsEscape             // '^', '"' or a control character but HTAB
	nonASCII                // maybe invalid UTF-8
)

// paramByteClass maps every byte to its class in parameter values.
var paramByteClass = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ';' || c == ':' || c == ',':
			t[c] = needsQuote
		case c == '^' || c == '"' || isControl(byte(c)):
			t[c] = needsEscape
		case c >= utf8.RuneSelf:
			t[c] = nonASCII
		}
	}
	return t
}()
