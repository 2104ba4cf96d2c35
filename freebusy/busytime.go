package freebusy

import (
	"slices"
	"time"
)

// busyTime is a busy period while Compute collects them: Unix seconds
// (iCalendar times have no finer resolution) and a small type code, so
// that sorting and merging many thousands of instances stays cheap.
type busyTime struct {
	start, end int64
	kind       busyKind
}

// busyKind is a Type other than Free, as a small integer.
type busyKind uint8

const (
	kindBusy busyKind = iota
	kindTentative
	kindUnavailable
)

func kindOf(t Type) busyKind {
	switch t {
	case BusyTentative:
		return kindTentative
	case BusyUnavailable:
		return kindUnavailable
	default:
		return kindBusy
	}
}

func (k busyKind) Type() Type {
	switch k {
	case kindTentative:
		return BusyTentative
	case kindUnavailable:
		return BusyUnavailable
	default:
		return Busy
	}
}

// mergeBusy sorts bt by type and start and coalesces overlapping and
// adjacent entries of one type, in place. No entry may start before
// base; *scratch is memory for the sort (see sortBusy).
func mergeBusy(bt []busyTime, scratch *[]busyTime, base int64) []busyTime {
	sortBusy(bt, scratch, base)
	out := bt[:0]
	for _, x := range bt {
		if n := len(out); n > 0 && out[n-1].kind == x.kind && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// mergeSorted appends to out the busy times of a and b, each sorted and
// coalesced as mergeBusy leaves them, in the same order and coalesced:
// the result equals mergeBusy of both together. out must not share
// memory with a or b.
func mergeSorted(out, a, b []busyTime) []busyTime {
	push := func(x busyTime) {
		if n := len(out); n > 0 && out[n-1].kind == x.kind && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			return
		}
		out = append(out, x)
	}
	for len(a) > 0 && len(b) > 0 {
		if a[0].kind < b[0].kind || a[0].kind == b[0].kind && a[0].start <= b[0].start {
			push(a[0])
			a = a[1:]
		} else {
			push(b[0])
			b = b[1:]
		}
	}
	for _, x := range a {
		push(x)
	}
	for _, x := range b {
		push(x)
	}
	return out
}

// periods converts merged busy times to sorted Periods in UTC. Times at
// the ends of the range are the range's own ends, which may have a
// fraction of a second.
func (c *computation) periods() []Period {
	out := make([]Period, len(c.busy))
	for i, x := range c.busy {
		p := Period{Start: time.Unix(x.start, 0).UTC(), End: time.Unix(x.end, 0).UTC(), Type: x.kind.Type()}
		if x.start <= c.startUnix {
			p.Start = c.start.UTC()
		}
		if x.end >= c.endUnix {
			p.End = c.end.UTC()
		}
		out[i] = p
	}
	slices.SortFunc(out, comparePeriods)
	return out
}
