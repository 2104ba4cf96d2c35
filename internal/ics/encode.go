package ics

import (
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-ical"
)

// Encode returns cal serialised as iCalendar text: CRLF line endings, lines
// folded at 75 octets without splitting a UTF-8 sequence, properties in a
// deterministic order (see AppendComponent). A nil calendar encodes to nil.
func Encode(cal *ical.Calendar) []byte {
	if cal == nil || cal.Component == nil {
		return nil
	}
	return AppendComponent(make([]byte, 0, estimateSize(cal.Component)), cal.Component)
}

// EncodeTo writes cal serialised as by Encode to w, in a single Write.
func EncodeTo(w io.Writer, cal *ical.Calendar) error {
	_, err := w.Write(Encode(cal))
	return err
}

// AppendComponent appends the serialisation of c and its children to dst
// and returns the extended slice. Within a component the properties listed
// in leadingProps come first in that order, then the others sorted by name;
// several properties of one name keep their order; parameters are sorted by
// name. Children follow the properties in their order. A nil c appends
// nothing.
//
// Names are written as they are; values and parameter values are written
// so that Decode gives them back (see AppendProperty).
func AppendComponent(dst []byte, c *ical.Component) []byte {
	if c == nil {
		return dst
	}
	dst = appendBeginEnd(dst, "BEGIN:", c.Name)

	// The property lists are kept with their names, so that writing them
	// needs no second lookup in the map.
	var lead [len(leadingProps)][]ical.Prop
	var buf [32]named[[]ical.Prop]
	others := buf[:0]
	for name, props := range c.Props {
		if r := leadingRank(name); r >= 0 {
			lead[r] = props
		} else {
			others = append(others, named[[]ical.Prop]{name, props})
		}
	}
	sortNamed(others)
	for _, props := range lead {
		dst = appendProps(dst, props)
	}
	for _, pl := range others {
		dst = appendProps(dst, pl.value)
	}
	for _, child := range c.Children {
		dst = AppendComponent(dst, child)
	}
	return appendBeginEnd(dst, "END:", c.Name)
}

// leadingProps are written first, in this order, when present.
var leadingProps = [...]string{"PRODID", "VERSION", "CALSCALE", "METHOD", "UID", "RECURRENCE-ID", "DTSTAMP", "SEQUENCE"}

// leadingRank returns the index of name in leadingProps, or -1.
func leadingRank(name string) int {
	switch name {
	case "PRODID":
		return 0
	case "VERSION":
		return 1
	case "CALSCALE":
		return 2
	case "METHOD":
		return 3
	case "UID":
		return 4
	case "RECURRENCE-ID":
		return 5
	case "DTSTAMP":
		return 6
	case "SEQUENCE":
		return 7
	}
	return -1
}

func appendBeginEnd(dst []byte, keyword, name string) []byte {
	l := lineWriter{buf: dst, start: len(dst)}
	l.write(keyword)
	l.write(name)
	return l.end()
}

func appendProps(dst []byte, props []ical.Prop) []byte {
	need := 0
	for i := range props {
		p := &props[i]
		need += len(p.Name) + len(p.Value) + 24*len(p.Params) + 8
	}
	if need += need / 32; cap(dst)-len(dst) < need { // folds: 3 in 75
		// Grow at least twofold at once, rather than by small steps in
		// append, for long runs such as a thousand attendees.
		grown := make([]byte, len(dst), max(2*cap(dst), len(dst)+need))
		copy(grown, dst)
		dst = grown
	}
	for i := range props {
		dst = AppendProperty(dst, &props[i])
	}
	return dst
}

// AppendProperty appends p as one folded content line, CRLF included, and
// returns the extended slice. Parameters are sorted by name, a parameter's
// values joined with commas; a parameter without values is left out. A
// parameter value holding ';', ':' or ',' is quoted; '^', '"' and line
// breaks in it are written with RFC 6868 carets (^^, ^', ^n). Line breaks
// in the value, which a content line cannot hold, are written as the TEXT
// escape \n. In values and parameter values, bytes of invalid UTF-8 become
// U+FFFD and other control characters except HTAB are dropped. The name is
// written as it is.
func AppendProperty(dst []byte, p *ical.Prop) []byte {
	l := lineWriter{buf: dst, start: len(dst)}
	l.write(p.Name)
	if len(p.Params) > 0 {
		// The values are kept with their names, so that writing them
		// needs no second lookup in the map.
		var buf [16]named[[]string]
		params := buf[:0]
		for name, vals := range p.Params {
			if len(vals) > 0 { // "A=" would decode as one empty value
				params = append(params, named[[]string]{name, vals})
			}
		}
		sortNamed(params)
		for _, pv := range params {
			l.write(";")
			l.write(pv.name)
			l.write("=")
			for i, v := range pv.value {
				if i > 0 {
					l.write(",")
				}
				l.writeParamValue(v)
			}
		}
	}
	l.write(":")
	l.writeValue(p.Value)
	return l.end()
}

// named is a value with the name it is written under: the property list
// of one name, or the values of one parameter.
type named[T any] struct {
	name  string
	value T
}

// sortNamed sorts s by name in place: insertion sort for the usual
// handful, the standard library beyond.
func sortNamed[T any](s []named[T]) {
	if len(s) > 12 {
		slices.SortFunc(s, func(a, b named[T]) int { return strings.Compare(a.name, b.name) })
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].name < s[j-1].name; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// estimateSize returns a guess at the length of c's serialisation, made
// without walking the property maps (which would cost a good part of
// encoding); appendProps grows the buffer when a guess falls short.
func estimateSize(c *ical.Component) int {
	n := 2*len("BEGIN:\r\n") + 2*len(c.Name) + len(c.Props)*bytesPerProp
	for _, child := range c.Children {
		if child != nil {
			n += estimateSize(child)
		}
	}
	return n
}

// bytesPerProp is about the length of a typical serialised property.
const bytesPerProp = 64
