package recurrence

import (
	mathbits "math/bits"
	"strings"
	"time"
)

// simpleRule describes the rules most calendars are made of, which are
// iterated by arithmetic on the wall clock instead of by rrule-go:
// FREQ=DAILY or FREQ=WEEKLY, with INTERVAL, COUNT or UNTIL, and for
// WEEKLY plain BYDAY weekdays (no ordinals) and WKST; no other BY* part.
// Such a rule has one time of day (DTSTART's) and its instances are a
// fixed pattern per period, so the instance at or after any day, and its
// index for COUNT, are found without walking from DTSTART.
type simpleRule struct {
	weekly   bool
	interval int
	days     uint8 // WEEKLY BYDAY: bit i is Monday+i; 0 means DTSTART's weekday
	wkst     int   // Monday 0 … Sunday 6
}

// Rule part bits for parseSimpleRule's repetition check.
const (
	partFreq = 1 << iota
	partInterval
	partCount
	partUntil
	partByday
	partWkst
)

// parseSimpleRule recognises a simple rule (see simpleRule) written
// plainly, without building rrule-go options. ok is false for anything
// else, including every malformed rule: parseRule then decides, and
// reports the error, so both parsers accept exactly the same rules and
// agree on what each of the simple ones means.
func parseSimpleRule(s string) (r *rule, ok bool) {
	if len(s) > maxRuleLen {
		return nil, false
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "RRULE:"))
	r = &rule{}
	sr := simpleRule{interval: 1}
	seen := 0
	for s != "" {
		part := s
		if i := strings.IndexByte(s, ';'); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if part == "" {
			continue
		}
		k, v, found := strings.Cut(part, "=")
		if !found || v == "" {
			return nil, false
		}
		var bit int
		switch {
		case strings.EqualFold(k, "FREQ"):
			bit = partFreq
			switch {
			case strings.EqualFold(v, "DAILY"):
			case strings.EqualFold(v, "WEEKLY"):
				sr.weekly = true
			default:
				return nil, false
			}
		case strings.EqualFold(k, "INTERVAL"):
			bit = partInterval
			n, ok := smallNumber(v)
			if !ok || n < 1 || n > maxInterval {
				return nil, false
			}
			sr.interval = n
		case strings.EqualFold(k, "COUNT"):
			bit = partCount
			n, ok := smallNumber(v)
			if !ok || n < 1 {
				return nil, false
			}
			r.count = n
		case strings.EqualFold(k, "UNTIL"):
			bit = partUntil
			if r.parseUntil(strings.ToUpper(v)) != nil {
				return nil, false
			}
		case strings.EqualFold(k, "BYDAY"):
			bit = partByday
			for v != "" {
				d := v
				if i := strings.IndexByte(v, ','); i >= 0 {
					d, v = v[:i], v[i+1:]
					if v == "" {
						return nil, false
					}
				} else {
					v = ""
				}
				w, ok := weekdayCode(d)
				if !ok {
					return nil, false
				}
				sr.days |= 1 << w
			}
		case strings.EqualFold(k, "WKST"):
			bit = partWkst
			w, ok := weekdayCode(v)
			if !ok {
				return nil, false
			}
			sr.wkst = w
		default:
			return nil, false
		}
		if seen&bit != 0 {
			return nil, false
		}
		seen |= bit
	}
	if seen&partFreq == 0 || (seen&partCount != 0 && seen&partUntil != 0) {
		return nil, false
	}
	if !sr.weekly && sr.days != 0 {
		return nil, false // DAILY;BYDAY filters days: rrule-go decides
	}
	r.simple, r.isSimple = sr, true
	return r, true
}

// smallNumber parses up to 18 decimal digits.
func smallNumber(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// weekdayCode maps MO … SU (any case) to 0 … 6.
func weekdayCode(s string) (int, bool) {
	if len(s) != 2 {
		return 0, false
	}
	for i, c := range [7]string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"} {
		if strings.EqualFold(s, c) {
			return i, true
		}
	}
	return 0, false
}

// lastWallSecond is 9999-12-31T23:59:59 as wall-clock Unix seconds:
// rrule-go yields nothing later, and neither does simpleReadings.
var lastWallSecond = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()

// simpleReadings yields the wall-clock readings of a simple rule in
// ascending order, as rrule-go would for the same rule: every interval-th
// day, or in every interval-th week (weeks beginning on WKST) the BYDAY
// weekdays, at DTSTART's time of day, never before DTSTART.
type simpleReadings struct {
	clock    int64 // seconds into the day
	first    int64 // DTSTART's day (days since 1970-01-01)
	period   int64 // first day of the current period
	step     int64 // days from one period to the next
	days     uint8 // weekly: weekdays taken (bit 0 Monday)
	offsets  uint8 // weekly: the same days as offsets from WKST (bit 0 WKST)
	weekly   bool
	off      int64 // weekly: next day of the period to look at
	lastWall int64 // no reading after this wall-clock second
	done     bool
}

// newSimpleReadings starts the readings of sr at startWall (DTSTART's
// wall clock); untilWall, unless zero, is the last reading allowed.
func newSimpleReadings(sr simpleRule, startWall, untilWall time.Time) simpleReadings {
	secs := startWall.Unix()
	day := floorDiv(secs, 86400)
	it := simpleReadings{
		clock:    secs - day*86400,
		first:    day,
		period:   day,
		step:     int64(sr.interval),
		weekly:   sr.weekly,
		lastWall: lastWallSecond,
	}
	if !untilWall.IsZero() {
		it.lastWall = min(it.lastWall, untilWall.Unix())
	}
	if sr.weekly {
		it.step *= 7
		it.days = sr.days
		if it.days == 0 {
			it.days = 1 << weekdayOfDay(day)
		}
		it.period = day - int64((weekdayOfDay(day)-sr.wkst+7)%7)
		for k := 0; k < 7; k++ {
			if it.days&(1<<((sr.wkst+k)%7)) != 0 {
				it.offsets |= 1 << k
			}
		}
	}
	return it
}

// startsWithDTSTART reports whether DTSTART's own reading is the rule's
// first: always for DAILY, for WEEKLY when BYDAY takes DTSTART's weekday.
func (it *simpleReadings) startsWithDTSTART() bool {
	return !it.weekly || it.days&(1<<weekdayOfDay(it.first)) != 0
}

// skipTo moves, before the first call of next, to the last period that
// begins no later than day and returns how many readings were skipped.
func (it *simpleReadings) skipTo(day int64) int64 {
	p := floorDiv(day-it.period, it.step)
	if p <= 0 {
		return 0
	}
	if !it.weekly {
		it.period += p * it.step
		return p
	}
	perWeek := int64(mathbits.OnesCount8(it.days))
	firstWeek := int64(0)
	for d := it.period; d < it.period+7; d++ {
		if d >= it.first && it.days&(1<<weekdayOfDay(d)) != 0 {
			firstWeek++
		}
	}
	it.period += p * it.step
	it.off = 0
	return firstWeek + (p-1)*perWeek
}

// next returns the next reading (a wall clock held in UTC); ok is false
// when there are no more.
func (it *simpleReadings) next() (w time.Time, ok bool) {
	for !it.done {
		d := it.period
		if it.weekly {
			// Periods begin on WKST, so the next day taken is the
			// lowest offset bit at or after off.
			left := it.offsets &^ (1<<it.off - 1)
			if left == 0 {
				it.period += it.step
				it.off = 0
				continue
			}
			k := int64(mathbits.TrailingZeros8(left))
			d += k
			it.off = k + 1
			if d < it.first {
				continue
			}
		} else {
			it.period += it.step
		}
		secs := d*86400 + it.clock
		if secs > it.lastWall {
			it.done = true
			break
		}
		return time.Unix(secs, 0).UTC(), true
	}
	return time.Time{}, false
}

// weekdayOfDay numbers the weekday of a day since 1970-01-01 (a
// Thursday) from Monday 0 to Sunday 6.
func weekdayOfDay(day int64) int {
	return int(((day+3)%7 + 7) % 7)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
