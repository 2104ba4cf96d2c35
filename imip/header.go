package imip

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSubjectRunes bounds the subject line.
const maxSubjectRunes = 200

// headerText makes s safe for an unstructured header field (Subject, a
// display name): every control character, CR and LF included, becomes a
// space, runs of white space collapse, invalid UTF-8 is replaced, and the
// result is cut to max runes. A header built from it can never be split
// into two fields, whatever the calendar data says.
func headerText(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return clip(b.String(), max)
}

// maxHeaderLine is the line length RFC 5322 §2.1.1 asks header lines
// to keep to (excluding CRLF).
const maxHeaderLine = 78

// foldHeader folds the lines of the header block at the start of data
// (up to the first empty line) that are longer than maxHeaderLine at
// their spaces. go-message folds a field only at 998 octets when its
// first word (an encoded-word of a non-ASCII subject or display name) is
// longer than its 76-octet soft limit.
func foldHeader(data []byte) []byte {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		return data
	}
	head := data[:end+2]
	if !hasLongLine(head, maxHeaderLine+1) { // +1: the CR
		return data
	}
	out := make([]byte, 0, len(data)+len(head)/maxHeaderLine*3)
	for _, l := range bytes.SplitAfter(head, []byte("\r\n")) {
		l = bytes.TrimSuffix(l, []byte("\r\n"))
		for len(l) > maxHeaderLine {
			// The last space that leaves a non-space on this line.
			cut := bytes.LastIndexByte(l[:maxHeaderLine+1], ' ')
			if cut <= 0 || len(bytes.TrimLeft(l[:cut], " \t")) == 0 {
				cut = bytes.IndexByte(l[1:], ' ') + 1 // a long word: fold after it
				if cut <= 0 {
					break
				}
			}
			out = append(out, l[:cut]...)
			out = append(out, '\r', '\n')
			l = l[cut:]
		}
		out = append(out, l...)
		out = append(out, '\r', '\n')
	}
	out = out[:len(out)-2] // head ended with the CRLF of its last line
	return append(out, data[end+2:]...)
}
