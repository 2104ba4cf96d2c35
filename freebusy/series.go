package freebusy

import "github.com/emersion/go-ical"

// pruneSeries is mayOverlap, the grouping by UID and pruneOverrides at
// once, for the usual recurring object: comps (the object's VEVENTs, one
// adjacent run) begin with the only master, which has no RDATE, and the
// rest are overrides. Each override is read once, and its UID only when
// it is kept: an override with another UID belongs to a group without a
// master (comps has only one), where it counts only by its own start and
// end, and an override is dropped only when those lie outside the range.
//
// handled is false when comps is not of that shape or the master's
// values cannot be read; the caller then groups and filters as usual.
// Otherwise kept is the master and the overrides that may matter, to be
// expanded as one group, or nil when nothing can overlap the range. kept
// is built in *buf's memory, never in comps'. When a kept override has
// RANGE=THISANDFUTURE, handled is false too (see movesLater).
func pruneSeries(buf *[]*ical.Component, comps []*ical.Component, startUnix, endUnix int64) (kept []*ical.Component, handled bool) {
	master := comps[0]
	if len(master.Props["RECURRENCE-ID"]) > 0 || len(master.Props["RDATE"]) > 0 {
		return nil, false
	}
	start, dur, ok := wallSpan(master)
	if !ok {
		return nil, false
	}
	uid := propValue(master, "UID")
	k := append((*buf)[:0], master)
	defer func() { *buf = k[:0] }()
	for _, comp := range comps[1:] {
		rid := firstProp(comp, "RECURRENCE-ID")
		if rid == nil {
			return nil, false // a second master: group by UID
		}
		if !keepOverride(comp, rid, dur, startUnix, endUnix) {
			continue
		}
		if propValue(comp, "UID") != uid {
			return nil, false
		}
		k = append(k, comp)
	}
	if movesLater(k[1:]) {
		return nil, false
	}
	if len(k) == 1 && (start-prefilterMargin >= endUnix || !rulesMayReach(master, start, dur, startUnix)) {
		return nil, true
	}
	return k, true
}
