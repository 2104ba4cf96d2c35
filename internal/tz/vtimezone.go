package tz

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// VTIMEZONE rules are expanded into explicit transitions up to the end of
// this year; later instants keep the last transition's offset unless the
// final rules fit a POSIX TZ footer (the common "last Sunday of March"
// kind), which then carries them on indefinitely.
const vtzLastYear = 2200

// Caps on what one VTIMEZONE may make us compute.
const (
	maxObservances     = 200
	maxTransitions     = 20_000
	maxOnsetsPerRule   = 5_000
	maxRDatesPerProp   = 1_000
	maxVTimezoneRuleSz = 512
)

// observance is one STANDARD or DAYLIGHT sub-component.
type observance struct {
	dst        bool
	start      time.Time // DTSTART wall clock (as UTC fields)
	from, to   int       // TZOFFSETFROM, TZOFFSETTO in seconds
	name       string
	rule       string // RRULE value, "" when none
	rdates     []time.Time
	unboundedY bool // RRULE without COUNT/UNTIL
}

// vtimezoneLocation builds the zone a VTIMEZONE component describes.
// Each observance's onsets (DTSTART, RRULE and RDATE, local times in the
// TZOFFSETFROM offset) become transitions to its TZOFFSETTO offset; the
// time before the earliest onset uses that onset's TZOFFSETFROM.
func vtimezoneLocation(tzid string, c *ical.Component) (*time.Location, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %q: VTIMEZONE %s", ErrUnknownTZID, tzid, fmt.Sprintf(format, args...))
	}
	var obs []observance
	for _, sub := range c.Children {
		isStd := strings.EqualFold(sub.Name, "STANDARD")
		if !isStd && !strings.EqualFold(sub.Name, "DAYLIGHT") {
			continue
		}
		if len(obs) >= maxObservances {
			return nil, bad("has more than %d observances", maxObservances)
		}
		o := observance{dst: !isStd}
		var err error
		if o.start, err = vtzWall(sub.Props.Get("DTSTART")); err != nil {
			return nil, bad("DTSTART: %v", err)
		}
		if o.from, err = parseUTCOffset(sub.Props.Get("TZOFFSETFROM")); err != nil {
			return nil, bad("TZOFFSETFROM: %v", err)
		}
		if o.to, err = parseUTCOffset(sub.Props.Get("TZOFFSETTO")); err != nil {
			return nil, bad("TZOFFSETTO: %v", err)
		}
		if p := sub.Props.Get("TZNAME"); p != nil {
			o.name = p.Value
		}
		if p := sub.Props.Get("RRULE"); p != nil {
			o.rule = p.Value
		}
		for _, p := range sub.Props.Values("RDATE") {
			parts := strings.Split(p.Value, ",")
			if len(parts) > maxRDatesPerProp {
				return nil, bad("RDATE has more than %d values", maxRDatesPerProp)
			}
			for _, s := range parts {
				s, _, _ = strings.Cut(strings.TrimSpace(s), "/") // PERIOD: its start
				t, err := parseWall(s)
				if err != nil {
					return nil, bad("RDATE: %v", err)
				}
				o.rdates = append(o.rdates, t)
			}
		}
		obs = append(obs, o)
	}
	if len(obs) == 0 {
		return nil, bad("has no STANDARD or DAYLIGHT")
	}

	types := []zoneType{{}} // [0]: before the first transition, set below
	typeIdx := map[zoneType]int{}
	typeOf := func(t zoneType) int {
		if i, ok := typeIdx[t]; ok {
			return i
		}
		types = append(types, t)
		typeIdx[t] = len(types) - 1
		return len(types) - 1
	}
	var trans []transition
	add := func(o *observance, wall time.Time) error {
		if len(trans) >= maxTransitions {
			return bad("yields more than %d transitions", maxTransitions)
		}
		k := typeOf(zoneType{offset: o.to, isDST: o.dst, abbr: cleanAbbr(o.name, o.to)})
		trans = append(trans, transition{at: wall.Unix() - int64(o.from), kind: k, from: o.from})
		return nil
	}
	for i := range obs {
		o := &obs[i]
		if o.start.Year() > vtzLastYear {
			continue
		}
		if err := add(o, o.start); err != nil {
			return nil, err
		}
		for _, t := range o.rdates {
			if t.Year() <= vtzLastYear {
				if err := add(o, t); err != nil {
					return nil, err
				}
			}
		}
		if o.rule != "" {
			onsets, unbounded, err := vtzRuleOnsets(o)
			if err != nil {
				return nil, bad("RRULE %q: %v", o.rule, err)
			}
			o.unboundedY = unbounded
			for _, t := range onsets {
				if err := add(o, t); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(trans) == 0 {
		return nil, bad("has no onset before %d", vtzLastYear)
	}
	sort.SliceStable(trans, func(i, j int) bool { return trans[i].at < trans[j].at })
	// Drop transitions that change nothing.
	out := trans[:1]
	for _, t := range trans[1:] {
		if t.at == out[len(out)-1].at {
			out[len(out)-1] = t
			continue
		}
		if t.kind != out[len(out)-1].kind {
			out = append(out, t)
		}
	}
	trans = out
	// The type before the first transition: that onset's TZOFFSETFROM,
	// named after an observance that switches to it, if any.
	firstFrom := trans[0].from
	initial := zoneType{offset: firstFrom, abbr: offsetName(firstFrom)}
	for i := range obs {
		if obs[i].to == firstFrom {
			initial = zoneType{offset: firstFrom, isDST: obs[i].dst, abbr: cleanAbbr(obs[i].name, firstFrom)}
			break
		}
	}
	types[0] = initial
	if len(types) > 255 {
		return nil, bad("has more than 255 distinct offsets")
	}
	loc, err := loadTZif(tzid, types, trans, posixFooter(obs))
	if err != nil {
		return nil, bad("cannot be represented: %v", err)
	}
	return loc, nil
}

// vtzRuleOnsets expands an observance's RRULE into onset wall-clock
// times up to vtzLastYear. Only FREQ=YEARLY rules without time-of-day
// parts are accepted: that is what time zone rules are, and it keeps the
// work per VTIMEZONE small.
func vtzRuleOnsets(o *observance) (onsets []time.Time, unbounded bool, err error) {
	// rrule-go indexes its tables unchecked (a year 0 DTSTART panics).
	defer func() {
		if r := recover(); r != nil {
			onsets, unbounded, err = nil, false, fmt.Errorf("rrule-go failed: %v", r)
		}
	}()
	if o.start.Year() < 1 {
		return nil, false, fmt.Errorf("DTSTART before year 1")
	}
	s := strings.ToUpper(strings.TrimSpace(o.rule))
	if len(s) > maxVTimezoneRuleSz {
		return nil, false, fmt.Errorf("too long")
	}
	var keep []string
	var until time.Time
	hasCount := false
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, false, fmt.Errorf("bad part %q", part)
		}
		switch k {
		case "FREQ":
			if v != "YEARLY" {
				return nil, false, fmt.Errorf("only FREQ=YEARLY is supported in VTIMEZONE")
			}
		case "UNTIL":
			t, err := parseWall(v)
			if err != nil {
				return nil, false, err
			}
			if strings.HasSuffix(v, "Z") {
				t = t.Add(time.Duration(o.from) * time.Second) // UTC → local wall
			}
			until = t
			continue
		case "COUNT":
			hasCount = true
		case "INTERVAL", "BYMONTH", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "WKST", "BYSETPOS":
		default:
			return nil, false, fmt.Errorf("rule part %s is not supported in VTIMEZONE", k)
		}
		keep = append(keep, part)
	}
	if month, week, day, ok := simpleYearlyRule(s); ok {
		// The usual "n-th weekday of a month" rule: computed directly,
		// without rrule-go's per-year tables.
		count := -1
		if hasCount {
			if count, err = countOf(s); err != nil {
				return nil, false, err
			}
		}
		for y := o.start.Year(); y <= vtzLastYear && count != 0; y++ {
			t := time.Date(y, time.Month(month), nthWeekday(y, time.Month(month), week, time.Weekday(day)),
				o.start.Hour(), o.start.Minute(), o.start.Second(), 0, time.UTC)
			if t.Before(o.start) {
				continue
			}
			if !until.IsZero() && t.After(until) {
				break
			}
			onsets = append(onsets, t)
			count--
		}
		return onsets, until.IsZero() && !hasCount, nil
	}
	opt, err := rrule.StrToROption(strings.Join(keep, ";"))
	if err != nil {
		return nil, false, err
	}
	if opt.Interval > 1000 {
		return nil, false, fmt.Errorf("INTERVAL too large")
	}
	// rrule-go only gives up after year 9999 when a rule matches nothing;
	// shifting by whole 400-year Gregorian cycles (same calendar) makes it
	// give up soon after vtzLastYear.
	const shift = 400 * ((9998 - vtzLastYear) / 400)
	opt.Dtstart = o.start.AddDate(shift, 0, 0)
	end := time.Date(vtzLastYear, 12, 31, 23, 59, 59, 0, time.UTC)
	if !until.IsZero() && until.Before(end) {
		end = until
	}
	opt.Until = end.AddDate(shift, 0, 0)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, false, err
	}
	next := r.Iterator()
	for {
		t, ok := next()
		if !ok {
			break
		}
		if len(onsets) >= maxOnsetsPerRule {
			return nil, false, fmt.Errorf("more than %d onsets", maxOnsetsPerRule)
		}
		onsets = append(onsets, t.AddDate(-shift, 0, 0))
	}
	return onsets, until.IsZero() && !hasCount, nil
}

// vtzWall parses a VTIMEZONE DTSTART: a local DATE-TIME (no TZID).
func vtzWall(p *ical.Prop) (time.Time, error) {
	if p == nil {
		return time.Time{}, fmt.Errorf("missing")
	}
	return parseWall(strings.TrimSpace(p.Value))
}

// parseWall parses "YYYYMMDDTHHMMSS" (optionally with Z) or "YYYYMMDD"
// into a wall-clock reading held in UTC fields.
func parseWall(s string) (time.Time, error) {
	s = strings.TrimSuffix(s, "Z")
	layout := "20060102T150405"
	if len(s) == 8 {
		layout = "20060102"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrInvalidValue, s)
	}
	return t, nil
}

// parseUTCOffset parses a UTC-OFFSET value (RFC 5545 §3.3.14): ±hhmm or
// ±hhmmss.
func parseUTCOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("missing")
	}
	s := strings.TrimSpace(p.Value)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("%w: UTC offset %q", ErrInvalidValue, s)
	}
	n := [3]int{}
	for i := 0; i < (len(s)-1)/2; i++ {
		v, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%w: UTC offset %q", ErrInvalidValue, s)
		}
		n[i] = v
	}
	if n[0] > 23 || n[1] > 59 || n[2] > 59 {
		return 0, fmt.Errorf("%w: UTC offset %q", ErrInvalidValue, s)
	}
	off := n[0]*3600 + n[1]*60 + n[2]
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

// simpleYearlyRule recognises "FREQ=YEARLY;BYMONTH=m;BYDAY=nDD" (any
// order, optional INTERVAL=1, WKST, COUNT, UNTIL) and returns the month,
// the week (1 to 4, or 5 for the last) and the weekday (Sunday 0).
func simpleYearlyRule(rule string) (month, week, day int, ok bool) {
	var core []string
	for _, part := range strings.Split(rule, ";") {
		k, _, _ := strings.Cut(part, "=")
		switch k {
		case "COUNT", "UNTIL", "WKST":
			continue
		}
		core = append(core, part)
	}
	o := observance{rule: strings.Join(core, ";")}
	r, ok := posixRule(&o)
	if !ok {
		return 0, 0, 0, false
	}
	// posixRule rendered "Mm.w.d/…"; read the numbers back.
	if _, err := fmt.Sscanf(r, "M%d.%d.%d/", &month, &week, &day); err != nil {
		return 0, 0, 0, false
	}
	return month, week, day, true
}

// countOf returns the COUNT of a rule.
func countOf(rule string) (int, error) {
	for _, part := range strings.Split(rule, ";") {
		if v, ok := strings.CutPrefix(part, "COUNT="); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("bad COUNT %q", v)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("no COUNT")
}

// nthWeekday returns the day of month of the week-th wd of month in year
// (week 5: the last one).
func nthWeekday(year int, month time.Month, week int, wd time.Weekday) int {
	if week == 5 {
		last := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC)
		return last.Day() - (int(last.Weekday())-int(wd)+7)%7
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	return 1 + (int(wd)-int(first.Weekday())+7)%7 + 7*(week-1)
}
