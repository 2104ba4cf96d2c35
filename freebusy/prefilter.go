package freebusy

import (
	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// prefilterMargin widens the range the cheap pre-filter compares against,
// in seconds. Wall-clock times are compared as if they were UTC; no UTC
// offset exceeds a day, and two days also cover a nominal DURATION that
// spans a DST change.
const prefilterMargin = 2 * 24 * 3600

// mayOverlap reports whether the components of one UID can have an
// instance overlapping [startUnix, endUnix). It never allocates and never
// resolves a TZID: a group with a recurrence rule or RDATE, or with a value
// it cannot read, is always a candidate (the expander decides and reports);
// any other component has one instance, spanning DTSTART to its end, which
// is compared by wall clock with the range widened by prefilterMargin.
func mayOverlap(comps []*ical.Component, startUnix, endUnix int64) bool {
	for _, comp := range comps {
		if len(comp.Props["RRULE"]) > 0 || len(comp.Props["RDATE"]) > 0 {
			return true
		}
		dtstart := comp.Props["DTSTART"]
		if len(dtstart) == 0 {
			return true
		}
		s, isDate, ok := wallClock(dtstart[0].Value)
		if !ok {
			return true
		}
		e := s
		if isDate {
			e = s + 24*3600
		}
		if dtend := comp.Props["DTEND"]; len(dtend) > 0 {
			if e, _, ok = wallClock(dtend[0].Value); !ok {
				return true
			}
		} else if dur := comp.Props["DURATION"]; len(dur) > 0 {
			d, err := recurrence.ParseDuration(dur[0].Value)
			if err != nil || d < 0 {
				return true
			}
			e = s + int64(d.Seconds())
		}
		if s-prefilterMargin < endUnix && e+prefilterMargin > startUnix {
			return true
		}
	}
	return false
}

// wallClock reads a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS, with an
// optional Z) as seconds since the Unix epoch as if it were UTC.
func wallClock(v string) (secs int64, isDate, ok bool) {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	if len(v) > 0 && v[len(v)-1] == 'Z' {
		v = v[:len(v)-1]
	}
	var hh, mm, ss int64
	switch {
	case len(v) == 8:
		isDate = true
	case len(v) == 15 && v[8] == 'T':
		var ok1, ok2, ok3 bool
		hh, ok1 = digits(v[9:11])
		mm, ok2 = digits(v[11:13])
		ss, ok3 = digits(v[13:15])
		if !ok1 || !ok2 || !ok3 || hh > 24 || mm > 59 || ss > 60 {
			return 0, false, false
		}
	default:
		return 0, false, false
	}
	y, ok1 := digits(v[0:4])
	m, ok2 := digits(v[4:6])
	d, ok3 := digits(v[6:8])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false, false
	}
	return daysFromCivil(y, m, d)*86400 + hh*3600 + mm*60 + ss, isDate, true
}

func digits(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 here
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
