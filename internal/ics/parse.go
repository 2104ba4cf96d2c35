package ics

import (
	"strings"
)

// parseLine splits an unfolded content line (RFC 5545 section 3.1)
//
//	name *(";" param-name "=" param-value *("," param-value)) ":" value
//
// into its name (upper-cased), parameters (appended to params[:0], their
// values to d.chunk; names upper-cased, values RFC 6868-decoded) and raw
// value.
func (d *decoder) parseLine(s string, at int, params []rawParam) (contentLine, []rawParam, error) {
	params = params[:0]
	d.lineValues = len(d.chunk)

	i := 0
	class := uint8(0) // the classes of the name's bytes, or-ed
	for ; i < len(s); i++ {
		c := byteClass[s[i]]
		if c&classNameChar == 0 {
			break
		}
		class |= c
	}
	switch {
	case i == len(s):
		return contentLine{}, nil, d.errorf(at, "missing ':' after property name")
	case s[i] != ';' && s[i] != ':':
		return contentLine{}, nil, d.errorf(at, "invalid character %q in property name", s[i])
	case i == 0:
		return contentLine{}, nil, d.errorf(at, "empty property name")
	}
	name := s[:i]
	if class&classLower != 0 {
		name = upperASCII(name)
	}

	for s[i] == ';' {
		i++
		start := i
		class = 0
		for ; i < len(s); i++ {
			c := byteClass[s[i]]
			if c&classNameChar == 0 {
				break
			}
			class |= c
		}
		switch {
		case i == len(s):
			return contentLine{}, nil, d.errorf(at, "missing '=' after parameter name")
		case s[i] != '=':
			return contentLine{}, nil, d.errorf(at, "invalid character %q in parameter name", s[i])
		case i == start:
			return contentLine{}, nil, d.errorf(at, "empty parameter name")
		}
		p := rawParam{name: s[start:i], first: len(d.chunk) - d.lineValues}
		if class&classLower != 0 {
			p.name = upperASCII(p.name)
		}
		i++ // '='
		for {
			var v string
			caret := false
			if i < len(s) && s[i] == '"' {
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return contentLine{}, nil, d.errorf(at, "unterminated quoted parameter value")
				}
				v = s[i+1 : i+1+end]
				i += end + 2
				caret = strings.IndexByte(v, '^') >= 0
			} else {
				// One table load per byte finds the end and any caret.
				start := i
				for i < len(s) && !isValueStop(s[i]) {
					i++
				}
				for i < len(s) && s[i] == '^' {
					caret = true
					for i++; i < len(s) && !isValueStop(s[i]); i++ {
					}
				}
				if i < len(s) && s[i] == '"' {
					return contentLine{}, nil, d.errorf(at, "'\"' inside unquoted parameter value")
				}
				v = s[start:i]
			}
			if caret {
				v = decodeCaret(v)
			}
			if len(d.chunk)-d.lineValues >= d.opts.MaxParamValues {
				return contentLine{}, nil, d.limitf(at, "more than %d parameter values", d.opts.MaxParamValues)
			}
			d.addValue(v)
			p.nvalue++
			if i == len(s) {
				return contentLine{}, nil, d.errorf(at, "missing ':' after parameters")
			}
			if s[i] != ',' {
				break
			}
			i++
		}
		if s[i] != ';' && s[i] != ':' {
			return contentLine{}, nil, d.errorf(at, "unexpected character %q after parameter value", s[i])
		}
		params = append(params, p)
	}
	return contentLine{name: name, value: s[i+1:]}, params, nil
}

// isNameChar reports whether c may appear in a property, parameter or
// component name: RFC 5545's iana-token and x-name are ALPHA, DIGIT and "-";
// "_" is tolerated too, as some producers use it in X- names.
func isNameChar(c byte) bool { return byteClass[c]&classNameChar != 0 }

// isValueStop reports whether the scan of an unquoted parameter value
// stops at c: at its end (';', ':', ',' or '"') or at a '^' (RFC 6868).
func isValueStop(c byte) bool { return byteClass[c]&classValueStop != 0 }

// Bits of byteClass.
const (
	classNameChar  = 1 << iota // see isNameChar
	classValueStop             // see isValueStop
	classLower                 // an ASCII lower-case letter, which names have upper-cased
)

// byteClass classifies bytes for the scanning loops of parseLine: one
// table load per byte instead of a chain of comparisons. It is filled
// once, at package initialisation, and only read afterwards.
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_' {
			t[c] |= classNameChar
		}
		if 'a' <= b && b <= 'z' {
			t[c] |= classLower
		}
		if b == ';' || b == ':' || b == ',' || b == '"' || b == '^' {
			t[c] |= classValueStop
		}
	}
	return t
}()

// decodeCaret applies RFC 6868 to a parameter value: ^n is a newline, ^' a
// double quote, ^^ a caret; a caret before anything else is kept as is.
func decodeCaret(v string) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '^' && i+1 < len(v) {
			switch v[i+1] {
			case 'n':
				b = append(b, '\n')
				i++
				continue
			case '\'':
				b = append(b, '"')
				i++
				continue
			case '^':
				b = append(b, '^')
				i++
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}
