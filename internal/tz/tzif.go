package tz

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// zoneType is one local time type of a zone: its UTC offset, whether it
// is daylight saving time, and its abbreviation.
type zoneType struct {
	offset int // seconds east of UTC
	isDST  bool
	abbr   string
}

// transition is the instant from which a zone type applies.
type transition struct {
	at   int64 // Unix seconds
	kind int   // index into the types slice
	from int   // UTC offset in force just before (not encoded)
}

// encodeTZif writes a version 2 TZif file (RFC 8536) with the given types
// and transitions, ready for time.LoadLocationFromTZData. types[0] is the
// type in force before the first transition and must not be referenced by
// a transition (so that Go's reader uses it for early instants). footer is
// an optional POSIX TZ string for instants after the last transition.
func encodeTZif(types []zoneType, trans []transition, footer string) ([]byte, error) {
	if len(types) == 0 || len(types) > 255 {
		return nil, fmt.Errorf("tz: %d zone types", len(types))
	}
	// Abbreviations, deduplicated, NUL-terminated; indexes must fit a byte.
	var chars []byte
	idx := map[string]int{}
	abbrIdx := make([]int, len(types))
	for i, t := range types {
		a := t.abbr
		if a == "" {
			a = offsetName(t.offset)
		}
		j, ok := idx[a]
		if !ok {
			j = len(chars)
			idx[a] = j
			chars = append(chars, a...)
			chars = append(chars, 0)
		}
		abbrIdx[i] = j
	}
	if len(chars) > 255 {
		return nil, fmt.Errorf("tz: zone abbreviations too long")
	}
	var b []byte
	header := func(timecnt, typecnt, charcnt int) {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
	}
	// Version 1 block: readers of version 2 skip it; keep it minimal.
	header(0, 1, 1)
	b = append(b, 0, 0, 0, 0, 0, 0, 0)
	// Version 2 block with 64-bit transition times.
	header(len(trans), len(types), len(chars))
	for _, t := range trans {
		b = binary.BigEndian.AppendUint64(b, uint64(t.at))
	}
	for _, t := range trans {
		b = append(b, byte(t.kind))
	}
	for i, t := range types {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(t.offset)))
		dst := byte(0)
		if t.isDST {
			dst = 1
		}
		b = append(b, dst, byte(abbrIdx[i]))
	}
	b = append(b, chars...)
	b = append(b, '\n')
	b = append(b, footer...)
	b = append(b, '\n')
	return b, nil
}

// offsetName formats an offset as an abbreviation such as "+0100".
func offsetName(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// cleanAbbr keeps a TZNAME usable as an abbreviation: 3 to 10 letters,
// digits, '+' or '-'; anything else becomes the numeric offset.
func cleanAbbr(name string, off int) string {
	if len(name) < 3 || len(name) > 10 || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-')
	}) >= 0 {
		return offsetName(off)
	}
	return name
}

// loadTZif builds a *time.Location named name from types and transitions.
func loadTZif(name string, types []zoneType, trans []transition, footer string) (*time.Location, error) {
	data, err := encodeTZif(types, trans, footer)
	if err != nil {
		return nil, err
	}
	return time.LoadLocationFromTZData(name, data)
}
