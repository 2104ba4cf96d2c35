package recurrence

import (
	"time"

	"github.com/teambition/rrule-go"
)

// fastForward moves the start of an iteration without COUNT from start
// (DTSTART's wall clock) to the beginning of the last period, aligned to
// INTERVAL, that begins no later than target, so that a rule with a
// DTSTART decades before the requested window is not walked through all
// the years in between. The rule's implicit BY* values, which rrule-go
// derives from DTSTART, are made explicit first so that the shortened
// rule yields exactly the instances of the original from that period on.
// It returns start unchanged when there is nothing to skip.
func fastForward(o *rrule.ROption, start, target time.Time) time.Time {
	if !target.After(start) {
		return start
	}
	if o.Freq <= rrule.DAILY {
		if len(o.Byhour) == 0 {
			o.Byhour = []int{start.Hour()}
		}
		if len(o.Byminute) == 0 {
			o.Byminute = []int{start.Minute()}
		}
		if len(o.Bysecond) == 0 {
			o.Bysecond = []int{start.Second()}
		}
		if len(o.Byweekno) == 0 && len(o.Byyearday) == 0 && len(o.Bymonthday) == 0 &&
			len(o.Byweekday) == 0 && len(o.Byeaster) == 0 {
			switch o.Freq {
			case rrule.YEARLY:
				if len(o.Bymonth) == 0 {
					o.Bymonth = []int{int(start.Month())}
				}
				o.Bymonthday = []int{start.Day()}
			case rrule.MONTHLY:
				o.Bymonthday = []int{start.Day()}
			case rrule.WEEKLY:
				o.Byweekday = []rrule.Weekday{weekdayOf(start.Weekday())}
			}
		}
	}
	if next := periodStart(o, start, target); next.After(start) {
		return next
	}
	return start
}

// periodStart returns the beginning of the last INTERVAL-aligned period of
// the rule (counted from start's period) that begins no later than target.
func periodStart(o *rrule.ROption, start, target time.Time) time.Time {
	n := max(o.Interval, 1)
	sy, sm, sd := start.Date()
	switch o.Freq {
	case rrule.YEARLY:
		k := (target.Year() - sy) / n
		return time.Date(sy+k*n, 1, 1, 0, 0, 0, 0, time.UTC)
	case rrule.MONTHLY:
		months := (target.Year()-sy)*12 + int(target.Month()) - int(sm)
		k := months / n
		return time.Date(sy, sm+time.Month(k*n), 1, 0, 0, 0, 0, time.UTC)
	case rrule.WEEKLY:
		// rrule-go's weeks begin on WKST (Monday by default).
		wkst := weekdayIndex(o.Wkst)
		back := (mondayIndex(start.Weekday()) - wkst + 7) % 7
		weekStart := time.Date(sy, sm, sd-back, 0, 0, 0, 0, time.UTC)
		weeks := int(target.Sub(weekStart) / (7 * 24 * time.Hour))
		return weekStart.AddDate(0, 0, 7*(weeks/n)*n)
	case rrule.DAILY:
		day := time.Date(sy, sm, sd, 0, 0, 0, 0, time.UTC)
		days := int(target.Sub(day) / (24 * time.Hour))
		return day.AddDate(0, 0, (days/n)*n)
	default:
		unit := int64(1)
		switch o.Freq {
		case rrule.HOURLY:
			unit = 3600
		case rrule.MINUTELY:
			unit = 60
		}
		step := unit * int64(n)
		k := (target.Unix() - start.Unix()) / step
		return time.Unix(start.Unix()+k*step, 0).UTC()
	}
}

// mondayIndex numbers weekdays as rrule-go does: Monday 0 … Sunday 6.
func mondayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

var weekdays = [7]rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}

func weekdayOf(d time.Weekday) rrule.Weekday { return weekdays[mondayIndex(d)] }

func weekdayIndex(w rrule.Weekday) int { return w.Day() }
