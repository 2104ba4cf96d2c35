package ics

import (
	"fmt"
	"math"
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
	DefaultMaxProperties = 100_000
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
// Decoding allocates at most about 120 times the size of the input (about
// 10 times for realistic data; 700 bytes for the 6-byte line "X;A=:"), so
// the property limit caps a hostile input of tiny lines at about 70 MB.
// Callers should bound the input size as well.
type DecodeOptions struct {
	MaxDepth       int // deepest component nesting (DefaultMaxDepth)
	MaxLineLength  int // longest unfolded content line in bytes (DefaultMaxLineLength)
	MaxProperties  int // properties in the whole calendar (DefaultMaxProperties)
	MaxComponents  int // components in the whole calendar (DefaultMaxComponents)
	MaxParamValues int // parameter values on one property (DefaultMaxParamValues)

	// ShareParams lets properties written alike (the same name and
	// parameters, byte for byte) share one Params map once the calendar
	// has a second top-level component of one name: the overrides of a
	// recurring event repeat the master's ORGANIZER and ATTENDEE lines,
	// and sharing saves most of their maps. Properties without
	// parameters all share one empty map. A caller that sets it must
	// never write into a decoded property's map, only give the property
	// a new one (copy on write), as everything in this module does.
	ShareParams bool
}

// DecodeShared is Decode with ShareParams set.
func DecodeShared(data []byte) (*ical.Calendar, error) {
	return DecodeOptions{ShareParams: true}.Decode(data)
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
func (o DecodeOptions) Decode(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		// The decoder is not meant to panic (the fuzz targets check
		// it); should it, the caller still gets a SyntaxError.
		if r := recover(); r != nil {
			cal, err = nil, &SyntaxError{Msg: fmt.Sprintf("%s: %v", internalError, r)}
		}
	}()
	d := &decoder{opts: o.withDefaults()}
	d.setSource(data)
	d.clean = sourceClean(d.src)
	// Size the shared storage for about one property per line.
	d.lines = strings.Count(d.src, "\n") + 1
	// And about one parameter value per ';' (a few are in values).
	if n := strings.Count(d.src, ";"); n > 0 {
		d.chunk = make([]string, 0, min(n, maxChunkHint))
	}
	return d.decode()
}

// maxChunkHint bounds the parameter values Decode makes room for in advance;
// more grow the storage as they come.
const maxChunkHint = 1 << 13

// internalError starts the message of a SyntaxError reporting a bug.
const internalError = "internal error"

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
	// Properties of a component are indexed with int32.
	o.MaxProperties = min(o.MaxProperties, math.MaxInt32)
	return o
}

// utf8BOM is skipped when it starts the data.
const utf8BOM = "\xEF\xBB\xBF"

// decoder holds the state of one Decode call.
type decoder struct {
	opts DecodeOptions
	// src is the input, unfolded, without byte order mark; decoded
	// strings are substrings of it where possible.
	src string
	pos int // offset in src of the next line
	// orig is the input as given when src was unfolded, nil otherwise;
	// it maps offsets in src back to line numbers.
	orig []byte

	// clean reports that no line of src holds a fault (sourceClean), so
	// nextLine need not check each.
	clean bool

	nprops, ncomps int
	lines          int // lines in src

	// shared maps the name and parameters of a line, as written, to the
	// Params map of the first property written so (propParams); nil
	// until a second top-level component of one name begins.
	shared  map[string]ical.Params
	lastTop string // name of the last finished child of the VCALENDAR
	// empty is, with ShareParams, the Params map of every property
	// without parameters.
	empty ical.Params
	// chunk holds Params values: those of the current line from
	// lineValues on, earlier ones handed out to properties.
	chunk      []string
	lineValues int
	pchunk     []ical.Prop // free space handed out for Props slices
	// order is the storage for grouping the properties of a component
	// too large for finishComponent's own; nil until one comes.
	order []int32

	kchunk []*ical.Component // free space handed out for Children slices
	cchunk []ical.Component  // free space handed out for components

	groupsBuf [maxNameGroups]nameGroup // groupNames' storage
}

// frame is one open component.
type frame struct {
	comp      *ical.Component
	propStart int // index in decode's props of the component's first property
	kidStart  int // index in decode's kids of the component's first child
	at        int // offset in src of its BEGIN line
}

// rawParam is one parameter of the current line; its values are
// decoder.chunk[decoder.lineValues+first:][:nvalue].
type rawParam struct {
	name          string
	first, nvalue int
}

// contentLine is one unfolded, parsed line; its parameters are kept apart
// (parseLine), their values in the decoder's chunk. It is two strings only,
// so that parseLine's results fit in registers.
type contentLine struct {
	name, value string
}

// errorf returns a SyntaxError for the content line at offset at of src
// (-1: no line).
func (d *decoder) errorf(at int, format string, args ...any) error {
	return &SyntaxError{Line: d.lineAt(at), Msg: fmt.Sprintf(format, args...)}
}

// limitf returns a SyntaxError for an exceeded limit, as errorf.
func (d *decoder) limitf(at int, format string, args ...any) error {
	return &SyntaxError{Line: d.lineAt(at), Msg: fmt.Sprintf(format, args...), limit: true}
}

// decode parses d.src. Its scratch stacks are local arrays, kept on the
// goroutine's stack (as is the decoder) because no pointer to them is ever
// stored in the decoder; a calendar outgrowing one moves it to the heap.
func (d *decoder) decode() (*ical.Calendar, error) {
	var (
		stackBuf  [8]frame
		kidsBuf   [8]*ical.Component
		propsBuf  [32]ical.Prop
		paramsBuf [8]rawParam
	)
	stack := stackBuf[:0] // open components, innermost last
	kids := kidsBuf[:0]   // children of the open components, innermost last
	props := propsBuf[:0] // properties of the open components, innermost last
	var root *ical.Component
	for {
		raw, at, ok, err := d.nextLine()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if root != nil && len(stack) == 0 {
			return nil, d.errorf(at, "data after END:VCALENDAR")
		}
		cl, params, err := d.parseLine(raw, at, paramsBuf[:0])
		if err != nil {
			return nil, err
		}
		switch cl.name {
		case "BEGIN":
			name, err := d.componentName(cl, at)
			if err != nil {
				return nil, err
			}
			if root == nil && name != ical.CompCalendar {
				return nil, d.errorf(at, "expected BEGIN:VCALENDAR, got BEGIN:%s", clip(cl.value))
			}
			if len(stack) >= d.opts.MaxDepth {
				return nil, d.limitf(at, "components nested deeper than %d", d.opts.MaxDepth)
			}
			if d.ncomps++; d.ncomps > d.opts.MaxComponents {
				return nil, d.limitf(at, "more than %d components", d.opts.MaxComponents)
			}
			if d.opts.ShareParams && len(stack) == 1 && name == d.lastTop && d.shared == nil {
				// A second VEVENT (say) in the calendar: overrides
				// repeat the master's lines, so identical ones are
				// worth sharing from here on.
				d.shared = make(map[string]ical.Params)
			}
			c := d.newComponent(name)
			if root == nil {
				root = c
			} else {
				kids = append(kids, c)
			}
			stack = append(stack, frame{comp: c, propStart: len(props), kidStart: len(kids), at: at})
		case "END":
			if len(stack) == 0 {
				return nil, d.errorf(at, "END:%s without BEGIN", clip(cl.value))
			}
			top := &stack[len(stack)-1]
			if !equalFoldASCII(cl.value, top.comp.Name) {
				return nil, d.errorf(at, "END:%s does not match BEGIN:%s on line %d", clip(cl.value), clip(top.comp.Name), d.lineAt(top.at))
			}
			d.finishComponent(top, kids[top.kidStart:], props[top.propStart:])
			kids, props = kids[:top.kidStart], props[:top.propStart]
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				d.lastTop = top.comp.Name
			}
		default:
			if len(stack) == 0 {
				return nil, d.errorf(at, "expected BEGIN:VCALENDAR, got property %s", clip(cl.name))
			}
			if d.nprops++; d.nprops > d.opts.MaxProperties {
				return nil, d.limitf(at, "more than %d properties", d.opts.MaxProperties)
			}
			props = append(props, ical.Prop{Name: cl.name, Params: d.propParams(raw, cl, params), Value: cl.value})
		}
	}
	if root == nil {
		return nil, d.errorf(-1, "no VCALENDAR object")
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return nil, d.errorf(len(d.src), "missing END:%s for BEGIN on line %d", clip(top.comp.Name), d.lineAt(top.at))
	}
	return &ical.Calendar{Component: root}, nil
}

// componentName validates and upper-cases the value of a BEGIN line, cl,
// at offset at of src.
func (d *decoder) componentName(cl contentLine, at int) (string, error) {
	v := cl.value
	if v == "" {
		return "", d.errorf(at, "BEGIN without a component name")
	}
	for i := 0; i < len(v); i++ {
		if !isNameChar(v[i]) {
			return "", d.errorf(at, "invalid character %q in component name", v[i])
		}
	}
	return upperASCII(v), nil
}

// finishComponent gives f's component its children, kids, and its
// properties, own, grouped by name in their order of appearance.
func (d *decoder) finishComponent(f *frame, kids []*ical.Component, own []ical.Prop) {
	if len(kids) > 0 {
		f.comp.Children = d.keepKids(kids)
	}
	if len(own) == 0 {
		f.comp.Props = make(ical.Props)
		return
	}
	// One stretch of shared storage for the component, the properties
	// grouped by name; each name gets a slice with its capacity capped so
	// that a caller's append never overwrites the next name's properties.
	backing := d.keepProps(len(own))
	// order[k] is the group of own[k] (groupNames), or the index of the
	// k-th property in name order (sortedProps).
	var orderBuf [32]int32
	order := orderBuf[:]
	if len(own) > len(orderBuf) {
		if len(d.order) < len(own) {
			d.order = make([]int32, max(len(own), 2*len(d.order)))
		}
		order = d.order
	}
	order = order[:len(own)]
	var props ical.Props
	if groups, ok := d.groupNames(own, order); ok {
		props = make(ical.Props, len(groups))
		start := int32(0)
		for i := range groups {
			groups[i].next = start
			start += groups[i].count
		}
		for k := range own {
			g := &groups[order[k]]
			backing[g.next] = own[k]
			g.next++
		}
		for _, g := range groups {
			props[own[g.first].Name] = backing[g.next-g.count : g.next : g.next]
		}
	} else {
		props = sortedProps(own, backing, order)
	}
	f.comp.Props = props
}

// nameGroup is one distinct property name of a component being finished.
type nameGroup struct {
	first int32 // index of the first property of that name
	count int32 // properties of that name
	next  int32 // finishComponent: index in backing of the group's next property
}

// maxNameGroups is the most distinct property names groupNames handles;
// a component with more is grouped by sorting (sortedProps).
const maxNameGroups = 32

// groupNames finds the distinct names of own in order of first appearance,
// with their counts, and leaves in order[k] the group of own[k]. It
// reports false, having done nothing useful, when own has more than
// maxNameGroups names. Neighbours usually share a name (ATTENDEE runs), so
// each property is compared with its predecessor's group first.
func (d *decoder) groupNames(own []ical.Prop, order []int32) ([]nameGroup, bool) {
	groups := d.groupsBuf[:0]
	last := -1
	for k := range own {
		name := own[k].Name
		g := -1
		if last >= 0 && own[groups[last].first].Name == name {
			g = last
		} else {
			for i := range groups {
				if own[groups[i].first].Name == name {
					g = i
					break
				}
			}
			if g < 0 {
				if len(groups) == maxNameGroups {
					return nil, false
				}
				groups = append(groups, nameGroup{first: int32(k)})
				g = len(groups) - 1
			}
		}
		groups[g].count++
		order[k] = int32(g)
		last = g
	}
	return groups, true
}

// sortedProps groups own by name into backing by a stable sort, for
// components with many distinct names, and returns the Props map. order
// has the length of own.
func sortedProps(own, backing []ical.Prop, order []int32) ical.Props {
	// Sort through an index so that the (pointer-holding) properties are
	// moved once.
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(own[a].Name, own[b].Name) })
	distinct := 1
	for k, i := range order {
		backing[k] = own[i]
		if k > 0 && backing[k].Name != backing[k-1].Name {
			distinct++
		}
	}
	props := make(ical.Props, distinct)
	start := 0
	for i := 1; i <= len(backing); i++ {
		if i == len(backing) || backing[i].Name != backing[start].Name {
			props[backing[start].Name] = backing[start:i:i]
			start = i
		}
	}
	return props
}

// keepProps returns n zero properties from shared backing storage, with
// the capacity capped at n.
func (d *decoder) keepProps(n int) []ical.Prop {
	if cap(d.pchunk)-len(d.pchunk) < n {
		size := 2 * cap(d.pchunk)
		if size == 0 {
			size = d.lines
		}
		size = min(max(size, 16), 512)
		size = max(size, n)
		d.pchunk = make([]ical.Prop, 0, size)
	}
	start := len(d.pchunk)
	d.pchunk = d.pchunk[:start+n]
	return d.pchunk[start : start+n : start+n]
}

// newComponent returns a new component from shared backing storage.
func (d *decoder) newComponent(name string) *ical.Component {
	if len(d.cchunk) == cap(d.cchunk) {
		d.cchunk = make([]ical.Component, 0, min(max(2*cap(d.cchunk), 4), 256))
	}
	d.cchunk = append(d.cchunk, ical.Component{Name: name})
	return &d.cchunk[len(d.cchunk)-1]
}

// keepKids copies kids into shared backing storage and returns the copy with
// its capacity capped.
func (d *decoder) keepKids(kids []*ical.Component) []*ical.Component {
	if cap(d.kchunk)-len(d.kchunk) < len(kids) {
		size := min(max(2*cap(d.kchunk), 8), 1024)
		d.kchunk = make([]*ical.Component, 0, max(size, len(kids)))
	}
	start := len(d.kchunk)
	d.kchunk = append(d.kchunk, kids...)
	return d.kchunk[start:len(d.kchunk):len(d.kchunk)]
}

// propParams returns the Params map for the current line, raw as read and
// cl and params as parsed: with DecodeOptions.ShareParams, the map of an earlier
// property written with the same name and parameters when there is one; a
// new one otherwise.
func (d *decoder) propParams(raw string, cl contentLine, params []rawParam) ical.Params {
	if d.opts.ShareParams && len(params) == 0 {
		if d.empty == nil {
			d.empty = make(ical.Params)
		}
		return d.empty
	}
	if d.shared == nil {
		return d.buildParams(params)
	}
	key := raw[:len(raw)-len(cl.value)-1] // the name and parameters, before ':'
	if shared, ok := d.shared[key]; ok {
		d.chunk = d.chunk[:d.lineValues] // the line's values are not needed
		return shared
	}
	built := d.buildParams(params)
	d.shared[key] = built
	return built
}

// buildParams turns the current line's parameters, raw, into a go-ical
// Params map. go-ical always gives a property a non-nil Params map, so this does too.
// A name given twice gets the values of both, in order, as in go-ical.
func (d *decoder) buildParams(raw []rawParam) ical.Params {
	params := make(ical.Params, len(raw))
	// The usual case: each name once, so no lookup of an earlier value
	// list. A repeated name replaced its first values, leaving the map
	// short of an entry; it is then filled again, merging.
	for _, p := range raw {
		params[p.name] = d.paramValues(p)
	}
	if len(params) == len(raw) {
		return params
	}
	clear(params)
	for _, p := range raw {
		vals := d.paramValues(p)
		if prev, ok := params[p.name]; ok {
			vals = append(prev, vals...)
		}
		params[p.name] = vals
	}
	return params
}

// paramValues returns the values of p, a parameter of the current line,
// with the capacity capped: appending to one value list never overwrites
// the next.
func (d *decoder) paramValues(p rawParam) []string {
	first := d.lineValues + p.first
	return d.chunk[first : first+p.nvalue : first+p.nvalue]
}

// addValue appends a parameter value of the current line to d.chunk,
// moving the line's values to a new chunk when the current one is full.
func (d *decoder) addValue(v string) {
	if len(d.chunk) == cap(d.chunk) {
		line := d.chunk[d.lineValues:]
		size := min(max(2*cap(d.chunk), 16), 1024)
		size = max(size, 2*len(line))
		chunk := make([]string, len(line), size)
		copy(chunk, line)
		d.chunk, d.lineValues = chunk, 0
	}
	d.chunk = append(d.chunk, v)
}

// clip shortens s, when long, for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
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
