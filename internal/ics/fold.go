package ics

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

// writeValue writes a property value, replacing the line breaks a content
// line cannot hold with the TEXT escape \n and dropping other control
// characters (HTAB excepted).
func (l *lineWriter) writeValue(v string) {
	if !hasControl(v) {
		l.write(v)
		return
	}
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isControl(c) {
			continue
		}
		l.write(v[start:i])
		start = i + 1
		switch {
		case c == '\r' && i+1 < len(v) && v[i+1] == '\n':
			// CRLF: the LF writes the escape.
		case c == '\r' || c == '\n':
			l.write(`\n`)
		}
	}
	l.write(v[start:])
}

// writeParamValue writes a parameter value, quoted when it holds ';', ':'
// or ',', with RFC 6868 caret escapes for '^', '"' and line breaks, and
// without other control characters (HTAB excepted).
func (l *lineWriter) writeParamValue(v string) {
	var class byte
	for i := 0; i < len(v); i++ {
		class |= paramByteClass[v[i]]
	}
	quote, escape := class&needsQuote != 0, class&needsEscape != 0
	if quote {
		l.write(`"`)
	}
	if !escape {
		l.write(v)
	} else {
		start := 0
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c != '^' && c != '"' && !isControl(c) {
				continue
			}
			l.write(v[start:i])
			start = i + 1
			switch {
			case c == '^':
				l.write("^^")
			case c == '"':
				l.write("^'")
			case c == '\r' && i+1 < len(v) && v[i+1] == '\n':
				// CRLF: the LF writes the escape.
			case c == '\r' || c == '\n':
				l.write("^n")
			}
		}
		l.write(v[start:])
	}
	if quote {
		l.write(`"`)
	}
}

// isControl reports whether c is an ASCII control character other than
// HTAB, which RFC 5545 content lines cannot carry.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t') || c == 0x7F
}

// hasControl reports whether s holds a byte for which isControl is true,
// eight bytes at a time.
func hasControl(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		lt20 := (x - ones*0x20) & ^x & highs
		y := x ^ (ones * 0x7F)
		eq7f := (y - ones) & ^y & highs
		if lt20|eq7f != 0 {
			// A byte < 0x20 (maybe a HTAB) or 0x7F: look closer.
			for _, c := range []byte(s[i : i+8]) {
				if isControl(c) {
					return true
				}
			}
		}
	}
	for ; i < len(s); i++ {
		if isControl(s[i]) {
			return true
		}
	}
	return false
}

// Classes of bytes in parameter values.
const (
	needsQuote  = 1 << iota // ';', ':' or ','
	needsEscape             // '^', '"' or a control character but HTAB
)

// paramByteClass maps every byte to its class in parameter values.
var paramByteClass = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ';' || c == ':' || c == ',':
			t[c] = needsQuote
		case c == '^' || c == '"' || isControl(byte(c)):
			t[c] = needsEscape
		}
	}
	return t
}()
