package freebusy

import (
	"slices"
	"time"
)

// Merge coalesces overlapping and adjacent periods of the same Type and
// returns them sorted by start, then end, then type, in UTC. Periods of
// different types may overlap in the result (RFC 4791 §7.10 allows it);
// empty periods and FREE periods are dropped. Merge reorders and reuses the
// backing array of periods.
func Merge(periods []Period) []Period {
	out := periods[:0]
	for _, p := range periods {
		if p.Type == "" {
			p.Type = Busy
		}
		if p.Type == Free || !p.End.After(p.Start) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Period) int {
		if a.Type != b.Type {
			if a.Type < b.Type {
				return -1
			}
			return 1
		}
		return a.Start.Compare(b.Start)
	})
	merged := out[:0]
	for _, p := range out {
		if n := len(merged); n > 0 && merged[n-1].Type == p.Type && !p.Start.After(merged[n-1].End) {
			if p.End.After(merged[n-1].End) {
				merged[n-1].End = p.End
			}
			continue
		}
		merged = append(merged, p)
	}
	for i := range merged {
		merged[i].Start = merged[i].Start.UTC()
		merged[i].End = merged[i].End.UTC()
	}
	slices.SortFunc(merged, comparePeriods)
	return merged
}

func comparePeriods(a, b Period) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := a.End.Compare(b.End); c != 0 {
		return c
	}
	switch {
	case a.Type < b.Type:
		return -1
	case a.Type > b.Type:
		return 1
	}
	return 0
}

// span is a half-open interval of instants, used for interval arithmetic.
type span struct{ start, end time.Time }

// normalize sorts spans and merges overlapping or adjacent ones in place.
func normalize(s []span) []span {
	out := s[:0]
	for _, x := range s {
		if x.end.After(x.start) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start.Compare(b.start) })
	merged := out[:0]
	for _, x := range out {
		if n := len(merged); n > 0 && !x.start.After(merged[n-1].end) {
			if x.end.After(merged[n-1].end) {
				merged[n-1].end = x.end
			}
			continue
		}
		merged = append(merged, x)
	}
	return merged
}

// subtract returns a minus b; both must be normalized. The result is
// normalized and newly allocated.
func subtract(a, b []span) []span {
	var out []span
	j := 0
	for _, x := range a {
		cur := x.start
		for j < len(b) && !b[j].end.After(cur) {
			j++
		}
		for k := j; k < len(b) && b[k].start.Before(x.end); k++ {
			if b[k].start.After(cur) {
				out = append(out, span{cur, b[k].start})
			}
			if b[k].end.After(cur) {
				cur = b[k].end
			}
		}
		if x.end.After(cur) {
			out = append(out, span{cur, x.end})
		}
	}
	return out
}

// clip returns x intersected with [start, end), and whether it is non-empty.
func clip(x span, start, end time.Time) (span, bool) {
	if x.start.Before(start) {
		x.start = start
	}
	if x.end.After(end) {
		x.end = end
	}
	return x, x.end.After(x.start)
}
