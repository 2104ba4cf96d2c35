package recurrence

import (
	"context"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// Expander expands many objects one after another, as Expand does, but
// shares work between them: TZIDs that name a zone independently of any
// calendar (IANA and Windows names, UTC aliases) are resolved once, not
// once per object. Use one Expander per goroutine; it is not safe for
// concurrent use. The zero value is ready to use.
type Expander struct {
	zones map[string]*time.Location // calendar-independent TZIDs
	// oneShot: a single Expand call; resolve TZIDs with the caller's
	// resolver only, so that nothing is allocated for a cache.
	oneShot bool
	// general: every rule through rrule-go and no one-off shortcut (tests
	// compare the fast paths with it).
	general bool
	memos   zoneMemos // for parsed values
	rules   map[string]*rule
	scratch *scratch // nil until first needed
	// budget counts the steps of the expansion running, unless
	// budgetInUse is false (a panic in yield leaves it true: later
	// expansions then allocate their own).
	budget      budget
	budgetInUse bool
}

// scratch is the memory one expansion uses, kept for the next one.
type scratch struct {
	obj    object
	stream streamScratch
	inUse  bool // an expansion is running (yield may call Expand again)
}

// takeScratch returns x's scratch memory reset for one expansion, or nil
// when x is one-shot or its scratch is in use.
func (x *Expander) takeScratch() *scratch {
	if x.oneShot {
		return nil
	}
	if x.scratch == nil {
		x.scratch = new(scratch)
	}
	sc := x.scratch
	if sc.inUse {
		return nil
	}
	sc.inUse = true
	o := &sc.obj
	clear(o.replaced)
	*o = object{rules: o.rules[:0], overrides: o.overrides[:0], future: o.future[:0], replaced: o.replaced, ridKeys: o.ridKeys[:0]}
	return sc
}

// releaseScratch ends the use of sc (which may be nil), dropping its
// references to components so that they can be collected.
func (x *Expander) releaseScratch(sc *scratch) {
	if sc == nil {
		return
	}
	o := &sc.obj
	clear(o.overrides)
	clear(o.future)
	o.master = nil
	sc.stream.ms = masterStream{}
	sc.inUse = false
}

// maxCachedRules bounds an Expander's cache of parsed rules.
const maxCachedRules = 256

// rule parses an RRULE value, or returns the rule parsed earlier from the
// same text (a parsed rule is never modified).
func (x *Expander) rule(text string) (*rule, error) {
	if x.general {
		return parseGeneralRule(text)
	}
	if r, ok := x.rules[text]; ok {
		return r, nil
	}
	r, err := parseRule(text)
	if err != nil || x.oneShot {
		return r, err
	}
	if x.rules == nil {
		x.rules = make(map[string]*rule)
	}
	if len(x.rules) < maxCachedRules {
		x.rules[text] = r
	}
	return r, nil
}

// maxCachedZones bounds an Expander's zone cache; the zones a user's
// calendars name are far fewer.
const maxCachedZones = 256

// NewExpander returns an empty Expander.
func NewExpander() *Expander { return &Expander{} }

// Expand is the package-level Expand (same arguments, same results),
// reusing what x has learned from earlier calls. A TZID is taken from x's
// cache only when it resolves without res's calendar; a TZID defined by
// the object's own VTIMEZONE is always resolved by res.
func (x *Expander) Expand(ctx context.Context, comps []*ical.Component, res *tz.Resolver, floating *time.Location,
	start, end time.Time, lim Limits, yield func(Instance) bool) error {
	lim = lim.withDefaults()
	if x.oneShot || x.budgetInUse {
		return x.expand(comps, res, floating, start, end, lim, &budget{ctx: ctx, max: lim.MaxSteps}, yield)
	}
	// x's own budget, so that nothing is allocated for it; a nested call
	// (from yield) gets a new one.
	x.budgetInUse = true
	x.budget = budget{ctx: ctx, max: lim.MaxSteps}
	err := x.expand(comps, res, floating, start, end, lim, &x.budget, yield)
	x.budget, x.budgetInUse = budget{}, false
	return err
}

// location resolves tzid: from the cache when it names a zone on its own
// (tz.Resolver consults a calendar's VTIMEZONE only for TZIDs that name
// no zone on their own, so such a TZID means the same in every calendar),
// else with res.
func (x *Expander) location(tzid string, res *tz.Resolver) (*time.Location, error) {
	if x.oneShot {
		return res.Location(tzid)
	}
	if loc, ok := x.zones[tzid]; ok {
		return loc, nil
	}
	loc, err := tz.NewResolver(nil).Location(tzid)
	if err != nil {
		return res.Location(tzid)
	}
	if x.zones == nil {
		x.zones = make(map[string]*time.Location)
	}
	if len(x.zones) < maxCachedZones {
		x.zones[tzid] = loc
	}
	return loc, nil
}

// parse is res.Parse(p, floating) with the common forms read directly:
// DATE, and DATE-TIME in UTC, floating or with a TZID, written exactly as
// RFC 5545 says. Anything else, including every malformed value, goes to
// res.Parse, so the results are always the same.
func (x *Expander) parse(p *ical.Prop, res *tz.Resolver, floating *time.Location) (tz.Value, error) {
	if v, ok := x.parseCommon(p, res, floating); ok {
		return v, nil
	}
	return res.Parse(p, floating)
}

func (x *Expander) parseCommon(p *ical.Prop, res *tz.Resolver, floating *time.Location) (tz.Value, bool) {
	v := p.Value
	if floating == nil || len(v) < 8 || len(v) > 16 {
		return tz.Value{}, false
	}
	var vt, tzid string
	switch len(p.Params) {
	case 0:
	case 1:
		// The usual lone parameter is TZID; then there is no VALUE.
		if tzid = param(p, "TZID"); tzid == "" {
			vt = param(p, "VALUE")
		}
	default:
		vt, tzid = param(p, "VALUE"), param(p, "TZID")
	}
	if len(v) == 8 && vt == "" || vt != "" && strings.EqualFold(vt, "DATE") {
		w, ok := wallDigits(v, false)
		if !ok {
			return tz.Value{}, false
		}
		return tz.Value{Time: x.memos.instant(w, floating), Kind: tz.Date}, true
	}
	return x.parseDateTime(v, tzid, res, floating)
}

// parseDateTime is res.ParseDateTime(v, tzid, floating) for values
// written exactly as RFC 5545 says; ok is false for anything else.
func (x *Expander) parseDateTime(v, tzid string, res *tz.Resolver, floating *time.Location) (tz.Value, bool) {
	if len(v) == 16 && v[15] == 'Z' {
		w, ok := wallDigits(v[:15], true)
		return tz.Value{Time: w, Kind: tz.UTC}, ok
	}
	w, ok := wallDigits(v, true)
	if !ok || floating == nil {
		return tz.Value{}, false
	}
	loc, kind := floating, tz.Floating
	if tzid != "" {
		l, err := x.location(tzid, res)
		if err != nil {
			return tz.Value{}, false
		}
		loc, kind = l, tz.Zoned
	}
	return tz.Value{Time: x.memos.instant(w, loc), Kind: kind}, true
}

// parseListValue is parseOne (one element of an EXDATE or RDATE list)
// for values written exactly as RFC 5545 says; ok is false for anything
// else, and always when x is nil.
func (x *Expander) parseListValue(s string, isDate bool, tzid string, res *tz.Resolver, floating *time.Location) (tz.Value, bool) {
	if x == nil || floating == nil {
		return tz.Value{}, false
	}
	if isDate || len(s) == 8 && !strings.ContainsAny(s, "TZ") {
		w, ok := wallDigits(s, false)
		if !ok {
			return tz.Value{}, false
		}
		// parseOne reads a DATE with time.ParseInLocation, that is
		// time.Date in floating.
		return tz.Value{Time: time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, floating), Kind: tz.Date}, true
	}
	return x.parseDateTime(s, tzid, res, floating)
}

// wallDigits reads YYYYMMDD, or YYYYMMDDTHHMMSS when withTime, as a wall
// clock held in UTC. ok is false unless every field is in range (years
// 1 … 9999).
func wallDigits(s string, withTime bool) (time.Time, bool) {
	if withTime && (len(s) != 15 || s[8] != 'T') || !withTime && len(s) != 8 {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(4, 6), num(6, 8)
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return time.Time{}, false
	}
	var hh, mm, ss int
	if withTime {
		hh, mm, ss = num(9, 11), num(11, 13), num(13, 15)
		if hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 {
			return time.Time{}, false
		}
	}
	secs := DaysFromCivil(int64(y), int64(m), int64(d))*86400 + int64(hh*3600+mm*60+ss)
	return time.Unix(secs, 0).UTC(), true
}

// firstProp is c.Props.Get(name) for an upper-case name, without the
// upper-casing (go-ical keeps property names upper-case).
func firstProp(c *ical.Component, name string) *ical.Prop {
	if ps := c.Props[name]; len(ps) > 0 {
		return &ps[0]
	}
	return nil
}

// param is p.Params.Get(name) for an upper-case name, without the
// upper-casing (go-ical keeps parameter names upper-case).
func param(p *ical.Prop, name string) string {
	if vs := p.Params[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}
