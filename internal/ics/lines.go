package ics

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// setSource stores data as d.src: without a leading UTF-8 byte order mark
// and unfolded (RFC 5545 section 3.1: a line break followed by a space or a
// tab is removed, the break being CRLF or a bare LF), in one copy.
func (d *decoder) setSource(data []byte) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	var b strings.Builder
	start := 0
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		nl := i + j
		i = nl + 1
		if i == len(data) || !isFoldSpace(data[i]) {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(data))
		}
		end := nl
		if end > start && data[end-1] == '\r' {
			end--
		}
		b.Write(data[start:end])
		i++ // the space or tab
		start = i
	}
	if b.Cap() == 0 {
		d.src = string(data)
		return
	}
	b.Write(data[start:])
	d.src = b.String()
	d.orig = data
}

// nextLine returns the next non-empty line of d.src without its CRLF or LF,
// and its offset. Each is checked to be valid UTF-8 without control
// characters other than HTAB. ok is false at the end of the data.
func (d *decoder) nextLine() (line string, at int, ok bool, err error) {
	for d.pos < len(d.src) {
		at = d.pos
		rest := d.src[at:]
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			d.pos = len(d.src)
			line = rest
		} else {
			d.pos += i + 1
			if i > 0 && rest[i-1] == '\r' {
				i--
			}
			line = rest[:i]
		}
		if len(line) == 0 {
			continue
		}
		if len(line) > d.opts.MaxLineLength {
			return "", 0, false, d.limitf(at, "line longer than %d bytes after unfolding", d.opts.MaxLineLength)
		}
		if d.clean {
			return line, at, true, nil
		}
		if err := d.checkText(line, at); err != nil {
			return "", 0, false, err
		}
		return line, at, true, nil
	}
	return "", 0, false, nil
}

func isFoldSpace(c byte) bool { return c == ' ' || c == '\t' }

// lineAt returns the 1-based number, in the input, of the physical line
// where the content line at offset at of d.src starts; 0 for at < 0.
func (d *decoder) lineAt(at int) int {
	if at < 0 {
		return 0
	}
	logical := strings.Count(d.src[:at], "\n")
	if d.orig == nil {
		return logical + 1
	}
	// Walk the input's physical lines; each that does not start with a
	// fold space starts a content line.
	line, n := 1, 0
	for i := 0; n < logical; i++ {
		j := bytes.IndexByte(d.orig[i:], '\n')
		if j < 0 {
			break
		}
		i += j
		line++
		if i+1 == len(d.orig) || !isFoldSpace(d.orig[i+1]) {
			n++
		}
	}
	return line
}

// checkText reports a SyntaxError when s is not valid UTF-8 or holds an
// ASCII control character other than HTAB (RFC 5545 section 3.1 allows none
// in a content line; a bare CR is one).
func (d *decoder) checkText(s string, at int) error {
	i := textFault(s)
	switch {
	case i < 0:
		return nil
	case s[i] < utf8.RuneSelf:
		return d.errorf(at, "control character %#02x", s[i])
	default:
		return d.errorf(at, "invalid UTF-8")
	}
}
