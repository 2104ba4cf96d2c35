package freebusy

import "slices"

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
