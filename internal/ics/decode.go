package ics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-ical"
)

// Default limits applied by Decode, and by DecodeOptions fields left at zero.
const (
	// DefaultMaxDepth is the deepest nesting of components accepted; the
	// VCALENDAR itself is depth 1, a VALARM in a VEVENT depth 3.
	DefaultMaxDepth = 32
	// DefaultMaxLineLength is the longest content line accepted, in bytes,
	// after unfolding.
	DefaultMaxLineLength = 1 << 20
	// DefaultMaxProperties is the most properties accepted in one calendar,
	// all components together (BEGIN and END lines are not counted).
	DefaultMaxProperties = 250_000
	// DefaultMaxComponents is the most components accepted in one calendar,
	// the VCALENDAR included.
	DefaultMaxComponents = 50_000
	// DefaultMaxParamValues is the most parameter values accepted on one
	// property (CN=x;ROLE=y counts 2, DELEGATED-TO="a","b" counts 2).
	DefaultMaxParamValues = 1_000
)

// DecodeOptions bounds the work and memory Decode may spend on data from an
// untrusted source. A zero or negative field means the matching Default
// constant. Exceeding a limit yields a *SyntaxError matching both ErrSyntax
// and ErrLimit.
//
// The decoded calendar needs roughly 100 to 200 bytes of memory per property
// on top of a copy of the input, so the defaults keep a hostile input from
// costing more than about 50 MB beyond its own size.
type DecodeOptions struct {
	MaxDepth       int // deepest component nesting (DefaultMaxDepth)
	MaxLineLength  int // longest unfolded content line in bytes (DefaultMaxLineLength)
	MaxProperties  int // properties in the whole calendar (DefaultMaxProperties)
	MaxComponents  int // components in the whole calendar (DefaultMaxComponents)
	MaxParamValues int // parameter values on one property (DefaultMaxParamValues)
}

// Decode parses data holding exactly one VCALENDAR object, with the default
// limits. See DecodeOptions.Decode.
func Decode(data []byte) (*ical.Calendar, error) {
	return DecodeOptions{}.Decode(data)
}

// Decode parses data holding exactly one VCALENDAR object into go-ical's
// types, exactly as go-ical's own decoder would (the package documentation
// lists the inputs it rejects where go-ical does not). It never panics; every
// error is a *SyntaxError. The strings of the result share one copy of data,
// so data may be reused once Decode returns.
func (o DecodeOptions) Decode(data []byte) (*ical.Calendar, error) {
	d := decoder{opts: o.withDefaults(), src: string(data), lineNo: 1}
	cal, err := d.decode()
	if err != nil {
		return nil, err
	}
	return cal, nil
}

func (o DecodeOptions) withDefaults() DecodeOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxDepth, DefaultMaxDepth)
	def(&o.MaxLineLength, DefaultMaxLineLength)
	def(&o.MaxProperties, DefaultMaxProperties)
	def(&o.MaxComponents, DefaultMaxComponents)
	def(&o.MaxParamValues, DefaultMaxParamValues)
	return o
}

// utf8BOM is skipped when it starts the data.
const utf8BOM = "\xEF\xBB\xBF"

// decoder holds the state of one Decode call.
type decoder struct {
	opts DecodeOptions
	src  string // the input; decoded strings are substrings of it where possible
	pos  int    // offset in src of the next physical line
	// lineNo is the 1-based number of the physical line at pos.
	lineNo int

	unfold []byte // scratch for joining folded lines

	nprops, ncomps int

	stack []frame     // open components, innermost last
	props []ical.Prop // properties of the open components, innermost last

	params []rawParam // parameters of the current line
	values []string   // parameter values of the current line
	chunk  []string   // free space handed out for Params values
}

// frame is one open component.
type frame struct {
	comp      *ical.Component
	propStart int // index in decoder.props of the component's first property
	line      int // line of its BEGIN
}

// rawParam is one parameter of the current line, values in decoder.values.
type rawParam struct {
	name          string
	first, nvalue int
}

// contentLine is one unfolded, parsed line; its parameters are in the
// decoder's params and values scratch slices.
type contentLine struct {
	name, value string
	line        int
}

func (d *decoder) errorf(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) limitf(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...), limit: true}
}

func (d *decoder) decode() (*ical.Calendar, error) {
	if strings.HasPrefix(d.src, utf8BOM) {
		d.pos = len(utf8BOM)
	}
	var root *ical.Component
	for {
		raw, line, ok, err := d.nextLine()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if root != nil && len(d.stack) == 0 {
			return nil, d.errorf(line, "data after END:VCALENDAR")
		}
		cl, err := d.parseLine(raw, line)
		if err != nil {
			return nil, err
		}
		switch cl.name {
		case "BEGIN":
			name, err := d.componentName(cl)
			if err != nil {
				return nil, err
			}
			if root == nil && name != ical.CompCalendar {
				return nil, d.errorf(line, "expected BEGIN:VCALENDAR, got BEGIN:%s", cl.value)
			}
			if len(d.stack) >= d.opts.MaxDepth {
				return nil, d.limitf(line, "components nested deeper than %d", d.opts.MaxDepth)
			}
			if d.ncomps++; d.ncomps > d.opts.MaxComponents {
				return nil, d.limitf(line, "more than %d components", d.opts.MaxComponents)
			}
			c := &ical.Component{Name: name}
			if root == nil {
				root = c
			} else {
				parent := d.stack[len(d.stack)-1].comp
				parent.Children = append(parent.Children, c)
			}
			d.stack = append(d.stack, frame{comp: c, propStart: len(d.props), line: line})
		case "END":
			if len(d.stack) == 0 {
				return nil, d.errorf(line, "END:%s without BEGIN", cl.value)
			}
			top := &d.stack[len(d.stack)-1]
			if !equalFoldASCII(cl.value, top.comp.Name) {
				return nil, d.errorf(line, "END:%s does not match BEGIN:%s on line %d", cl.value, top.comp.Name, top.line)
			}
			d.finishComponent(top)
			d.stack = d.stack[:len(d.stack)-1]
		default:
			if len(d.stack) == 0 {
				return nil, d.errorf(line, "expected BEGIN:VCALENDAR, got property %s", cl.name)
			}
			if d.nprops++; d.nprops > d.opts.MaxProperties {
				return nil, d.limitf(line, "more than %d properties", d.opts.MaxProperties)
			}
			d.props = append(d.props, ical.Prop{Name: cl.name, Params: d.buildParams(), Value: cl.value})
		}
	}
	if root == nil {
		return nil, d.errorf(0, "no VCALENDAR object")
	}
	if len(d.stack) > 0 {
		top := d.stack[len(d.stack)-1]
		return nil, d.errorf(d.lineNo, "missing END:%s for BEGIN on line %d", top.comp.Name, top.line)
	}
	return &ical.Calendar{Component: root}, nil
}

// componentName validates and upper-cases the value of a BEGIN line.
func (d *decoder) componentName(cl contentLine) (string, error) {
	v := cl.value
	if v == "" {
		return "", d.errorf(cl.line, "BEGIN without a component name")
	}
	for i := 0; i < len(v); i++ {
		if !isNameChar(v[i]) {
			return "", d.errorf(cl.line, "invalid character %q in component name", v[i])
		}
	}
	return upperASCII(v), nil
}

// finishComponent gives f's component its properties, grouped by name in
// their order of appearance, and pops them off the property stack.
func (d *decoder) finishComponent(f *frame) {
	own := d.props[f.propStart:]
	if len(own) == 0 {
		f.comp.Props = make(ical.Props)
		return
	}
	slices.SortStableFunc(own, func(a, b ical.Prop) int { return strings.Compare(a.Name, b.Name) })
	distinct := 1
	for i := 1; i < len(own); i++ {
		if own[i].Name != own[i-1].Name {
			distinct++
		}
	}
	// One backing array for the component; each name gets a slice with
	// its capacity capped so that a caller's append never overwrites the
	// next name's properties.
	backing := make([]ical.Prop, len(own))
	copy(backing, own)
	props := make(ical.Props, distinct)
	start := 0
	for i := 1; i <= len(backing); i++ {
		if i == len(backing) || backing[i].Name != backing[start].Name {
			props[backing[start].Name] = backing[start:i:i]
			start = i
		}
	}
	f.comp.Props = props
	clear(own)
	d.props = d.props[:f.propStart]
}

// buildParams turns the current line's parameters into a go-ical Params
// map. go-ical always gives a property a non-nil Params map, so this does too.
func (d *decoder) buildParams() ical.Params {
	params := make(ical.Params, len(d.params))
	for _, p := range d.params {
		vals := d.keep(d.values[p.first : p.first+p.nvalue])
		if prev, ok := params[p.name]; ok {
			vals = append(prev, vals...)
		}
		params[p.name] = vals
	}
	return params
}

// keep copies vals into shared backing storage and returns the copy with its
// capacity capped, so that appending to it reallocates.
func (d *decoder) keep(vals []string) []string {
	if cap(d.chunk)-len(d.chunk) < len(vals) {
		size := 2 * cap(d.chunk)
		size = min(max(size, 16), 1024)
		size = max(size, len(vals))
		d.chunk = make([]string, 0, size)
	}
	start := len(d.chunk)
	d.chunk = append(d.chunk, vals...)
	return d.chunk[start:len(d.chunk):len(d.chunk)]
}

// equalFoldASCII reports whether a and b are equal under ASCII case folding.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// upperASCII returns s with ASCII letters upper-cased, without allocating
// when s has no lower-case letter.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
