package freebusy

import (
	"slices"
	"time"
)

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
