package imip

import (
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
