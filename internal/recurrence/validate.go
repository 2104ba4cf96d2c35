package recurrence

import (
	"time"

	"github.com/teambition/rrule-go"
)

// validate rejects or neutralises rules on which rrule-go would loop
// forever inside a single call of its iterator, and records the facts the
// iterator needs to bound its work. It sets r.empty for rules that can
// produce no instance at all (only DTSTART then remains).
func (r *rule) validate() error {
	o := &r.opt
	if o.Interval < 1 {
		o.Interval = 1
	}
	if o.Freq >= rrule.HOURLY {
		// One candidate per period: BYSETPOS can only keep it (±1) or
		// drop it (anything else).
		if len(o.Bysetpos) > 0 {
			keep := false
			for _, p := range o.Bysetpos {
				if p == 1 || p == -1 {
					keep = true
				}
			}
			o.Bysetpos = nil
			if !keep {
				r.empty = true
			}
		}
	} else if len(o.Bysetpos) > 0 {
		max := r.maxSetSize()
		ok := false
		for _, p := range o.Bysetpos {
			if p <= max && p >= -max {
				ok = true
			}
		}
		if !ok {
			r.empty = true
		}
	}
	return nil
}

// periodDays is an upper bound of the days in one period of freq.
func periodDays(f rrule.Frequency) int {
	switch f {
	case rrule.YEARLY:
		return 366
	case rrule.MONTHLY:
		return 31
	case rrule.WEEKLY:
		return 7
	default:
		return 1
	}
}

func orOne(n int) int {
	if n == 0 {
		return 1
	}
	return n
}

// maxSetSize bounds the candidates rrule-go materialises for one period:
// the days that can pass the BY* day filters times the times of day.
func (r *rule) maxSetSize() int {
	o := &r.opt
	days := periodDays(o.Freq)
	months := 1
	if o.Freq == rrule.YEARLY {
		months = 12
	}
	if len(o.Bymonth) > 0 && o.Freq == rrule.YEARLY {
		months = len(o.Bymonth)
		days = min(days, 31*months)
	}
	if len(o.Byyearday) > 0 {
		days = min(days, len(o.Byyearday))
	}
	if len(o.Bymonthday) > 0 {
		days = min(days, len(o.Bymonthday)*months)
	}
	if len(o.Byweekno) > 0 {
		days = min(days, 7*len(o.Byweekno))
	}
	if len(o.Byweekday) > 0 {
		per := 1
		switch o.Freq {
		case rrule.YEARLY:
			per = 53
		case rrule.MONTHLY:
			per = 5
		}
		days = min(days, len(o.Byweekday)*per)
	}
	switch o.Freq {
	case rrule.HOURLY:
		return orOne(len(o.Byminute)) * orOne(len(o.Bysecond))
	case rrule.MINUTELY:
		return orOne(len(o.Bysecond))
	case rrule.SECONDLY:
		return 1
	}
	return days * orOne(len(o.Byhour)) * orOne(len(o.Byminute)) * orOne(len(o.Bysecond))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// reachable reports whether a sub-daily rule starting at wall clock start
// can ever reach a time of day its BYHOUR/BYMINUTE/BYSECOND lists accept.
// rrule-go steps the clock by INTERVAL units inside a loop that only ends
// on an accepted time of day, so an unreachable one would never return.
// Stepping by n units moves the time of day within one residue class
// modulo gcd(n, units per day).
func (r *rule) reachable(start time.Time) bool {
	o := &r.opt
	anyOf := func(xs []int, n int) []int {
		if len(xs) > 0 {
			return xs
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	switch o.Freq {
	case rrule.HOURLY:
		if len(o.Byhour) == 0 {
			return true
		}
		g := gcd(o.Interval, 24)
		for _, h := range o.Byhour {
			if (h-start.Hour())%g == 0 {
				return true
			}
		}
		return false
	case rrule.MINUTELY:
		if len(o.Byhour) == 0 && len(o.Byminute) == 0 {
			return true
		}
		g := gcd(o.Interval, 1440)
		m0 := start.Hour()*60 + start.Minute()
		for _, h := range anyOf(o.Byhour, 24) {
			for _, m := range anyOf(o.Byminute, 60) {
				if (h*60+m-m0)%g == 0 {
					return true
				}
			}
		}
		return false
	case rrule.SECONDLY:
		if len(o.Byhour) == 0 && len(o.Byminute) == 0 && len(o.Bysecond) == 0 {
			return true
		}
		g := gcd(o.Interval, 86400)
		s0 := start.Hour()*3600 + start.Minute()*60 + start.Second()
		for _, h := range anyOf(o.Byhour, 24) {
			for _, m := range anyOf(o.Byminute, 60) {
				for _, s := range anyOf(o.Bysecond, 60) {
					if (h*3600+m*60+s-s0)%g == 0 {
						return true
					}
				}
			}
		}
		return false
	}
	return true
}

// probeYears is the length of the Gregorian cycle: weekdays and leap years
// repeat exactly every 400 years (146097 days, 20871 weeks).
const probeYears = 400

// shiftYears returns how many whole 400-year cycles to add to wall-clock
// readings so that rrule-go, which gives up only after year 9999, stops
// within one cycle after horizonYear. The calendar is identical after the
// shift, so only the year number changes.
func shiftYears(horizonYear int) int {
	if horizonYear >= 9998 {
		return 0
	}
	return probeYears * ((9998 - horizonYear) / probeYears)
}

// dayFiltersSatisfiable reports whether the rule's day-level filters
// (BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY) accept at least one day
// in a full 400-year cycle from start. Impossible combinations such as
// BYMONTH=2;BYMONTHDAY=30 would otherwise make rrule-go search until year
// 9999 inside one iterator call. The probe runs yearly (monthly for a
// MONTHLY rule, whose BYDAY=2MO means a day of the month), so it costs at
// most 400 (4800) rrule-go periods.
func (r *rule) dayFiltersSatisfiable(start time.Time) bool {
	o := r.opt
	if o.Freq >= rrule.WEEKLY {
		if len(o.Byweekno) == 0 && len(o.Byyearday) == 0 && len(o.Bymonthday) == 0 && len(o.Byweekday) == 0 {
			return true // BYMONTH alone always matches some day
		}
		// Below MONTHLY, BYDAY has no ordinals: drop them for the
		// yearly probe.
		plain := make([]rrule.Weekday, len(o.Byweekday))
		for i, w := range o.Byweekday {
			plain[i] = weekdays[w.Day()]
		}
		o.Byweekday = plain
		o.Freq = rrule.YEARLY
	} else if len(o.Byweekno) == 0 && len(o.Byyearday) == 0 && len(o.Bymonthday) == 0 && len(o.Byweekday) == 0 {
		// rrule-go's implicit day of DTSTART, as the real rule uses it
		// (YEARLY;BYMONTH=2 from January 30th never matches).
		if o.Freq == rrule.YEARLY && len(o.Bymonth) == 0 {
			o.Bymonth = []int{int(start.Month())}
		}
		o.Bymonthday = []int{start.Day()}
	}
	o.Interval = 1
	o.Count = 1
	o.Until = time.Time{}
	o.Bysetpos = nil
	o.Byhour, o.Byminute, o.Bysecond = nil, nil, nil
	y := start.Year()
	base := 9200
	shifted := base + ((y-base)%probeYears+probeYears)%probeYears
	o.Dtstart = time.Date(shifted, start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	rr, err := safeNewRRule(o)
	if err != nil {
		return false
	}
	_, ok, err := safeNext(rr.Iterator())
	return ok && err == nil
}

// weekdayReachable reports whether a DAILY or sub-daily rule whose step
// is a whole number of weeks can reach a weekday its BYDAY accepts: such
// a rule stays on DTSTART's weekday forever, and rrule-go would otherwise
// search until year 9999 for another one.
func (r *rule) weekdayReachable(start time.Time) bool {
	o := &r.opt
	if o.Freq < rrule.DAILY || len(o.Byweekday) == 0 {
		return true
	}
	secs := int64(o.Interval) * 86400
	switch o.Freq {
	case rrule.HOURLY:
		secs = int64(o.Interval) * 3600
	case rrule.MINUTELY:
		secs = int64(o.Interval) * 60
	case rrule.SECONDLY:
		secs = int64(o.Interval)
	}
	if secs%(7*86400) != 0 {
		return true
	}
	want := mondayIndex(start.Weekday())
	for _, w := range o.Byweekday {
		if w.Day() == want {
			return true
		}
	}
	return false
}
