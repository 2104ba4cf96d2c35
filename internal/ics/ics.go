// Package ics decodes and encodes iCalendar (RFC 5545) data as go-ical's
// types, safely: Decode never panics on malformed input and Encode writes
// valid RFC 5545 (CRLF line endings, lines folded at 75 octets on UTF-8
// boundaries, properties in a deterministic order).
package ics

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/emersion/go-ical"
)

// SyntaxError reports iCalendar data that cannot be decoded.
type SyntaxError struct {
	Line int    // 1-based line of the problem, 0 when unknown
	Msg  string // what is wrong
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ics: line %d: %s", e.Line, e.Msg)
	}
	return "ics: " + e.Msg
}

// ErrSyntax matches every *SyntaxError with errors.Is.
var ErrSyntax = errors.New("ics: invalid iCalendar data")

// Is makes errors.Is(err, ErrSyntax) true for every SyntaxError.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// Decode parses data holding exactly one VCALENDAR object.
func Decode(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, &SyntaxError{Msg: fmt.Sprintf("malformed data (%v)", r)}
		}
	}()
	dec := ical.NewDecoder(bytes.NewReader(data))
	cal, err = dec.Decode()
	if err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	if _, err := dec.Decode(); err == nil {
		return nil, &SyntaxError{Msg: "more than one VCALENDAR object"}
	}
	return cal, nil
}

// Encode returns cal serialised as iCalendar text.
func Encode(cal *ical.Calendar) []byte {
	return AppendComponent(nil, cal.Component)
}

// AppendComponent appends the serialisation of c and its children to dst.
func AppendComponent(dst []byte, c *ical.Component) []byte {
	dst = appendLine(dst, "BEGIN:"+c.Name)
	for _, name := range propertyOrder(c) {
		for i := range c.Props[name] {
			dst = appendProp(dst, &c.Props[name][i])
		}
	}
	for _, child := range c.Children {
		dst = AppendComponent(dst, child)
	}
	return appendLine(dst, "END:"+c.Name)
}

// leading lists the properties written first, in this order, when present.
var leading = []string{"PRODID", "VERSION", "CALSCALE", "METHOD", "UID", "RECURRENCE-ID", "DTSTAMP", "SEQUENCE"}

func propertyOrder(c *ical.Component) []string {
	names := make([]string, 0, len(c.Props))
	for _, l := range leading {
		if _, ok := c.Props[l]; ok {
			names = append(names, l)
		}
	}
	n := len(names)
	for name := range c.Props {
		if !isLeading(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names[n:])
	return names
}

func isLeading(name string) bool {
	for _, l := range leading {
		if l == name {
			return true
		}
	}
	return false
}

func appendProp(dst []byte, p *ical.Prop) []byte {
	var b strings.Builder
	b.WriteString(p.Name)
	pnames := make([]string, 0, len(p.Params))
	for k := range p.Params {
		pnames = append(pnames, k)
	}
	sort.Strings(pnames)
	for _, k := range pnames {
		b.WriteByte(';')
		b.WriteString(k)
		b.WriteByte('=')
		for i, v := range p.Params[k] {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(v, ";:,") {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(v, `"`, ""))
				b.WriteByte('"')
			} else {
				b.WriteString(v)
			}
		}
	}
	b.WriteByte(':')
	b.WriteString(p.Value)
	return appendLine(dst, b.String())
}

// appendLine appends line folded at 75 octets, never inside a UTF-8 sequence.
func appendLine(dst []byte, line string) []byte {
	const limit = 75
	first := true
	for len(line) > 0 {
		max := limit
		if !first {
			max = limit - 1 // the leading space counts
			dst = append(dst, ' ')
		}
		if len(line) <= max {
			dst = append(dst, line...)
			break
		}
		cut := max
		for cut > 0 && line[cut]&0xC0 == 0x80 {
			cut--
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, '\r', '\n')
		line = line[cut:]
		first = false
	}
	return append(dst, '\r', '\n')
}
