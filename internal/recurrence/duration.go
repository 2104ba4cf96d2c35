package recurrence

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// maxDuration bounds parsed durations to about 100 years so that adding
// one to any calendar instant never overflows.
const maxDuration = 100 * 366 * 24 * time.Hour

// ParseDuration parses an RFC 5545 §3.3.6 DURATION value such as "P1W",
// "-PT15M", "+P1DT2H" or "PT1H30M". Days and weeks are taken as exact
// multiples of 24 hours (use ParseNominalDuration to keep the day part
// apart for wall-clock arithmetic). Errors wrap ErrInvalid.
func ParseDuration(s string) (time.Duration, error) {
	d, err := ParseNominalDuration(s)
	if err != nil {
		return 0, err
	}
	return d.Approx(), nil
}

// NominalDuration is a DURATION split into its nominal part (days, which
// RFC 5545 §3.3.6 says follow the wall clock across DST changes) and its
// exact part (hours, minutes, seconds).
type NominalDuration struct {
	Days  int           // signed number of days (weeks count 7)
	Exact time.Duration // signed hours, minutes and seconds
}

// Approx returns the duration counting every day as 24 hours.
func (d NominalDuration) Approx() time.Duration {
	return time.Duration(d.Days)*24*time.Hour + d.Exact
}

// AddTo returns t moved by d: days on t's wall clock, then the exact part.
func (d NominalDuration) AddTo(t time.Time) time.Time {
	if d.Days != 0 {
		t = t.AddDate(0, 0, d.Days)
	}
	return t.Add(d.Exact)
}

// ParseNominalDuration parses an RFC 5545 DURATION value keeping days
// apart from hours, minutes and seconds. Errors wrap ErrInvalid.
func ParseNominalDuration(s string) (NominalDuration, error) {
	orig := s
	bad := func(why string) (NominalDuration, error) {
		return NominalDuration{}, fmt.Errorf("%w: DURATION %q: %s", ErrInvalid, orig, why)
	}
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) < 3 || (s[0] != 'P' && s[0] != 'p') {
		return bad("must start with P and name at least one unit")
	}
	s = s[1:]
	var days int64
	var exact int64 // seconds
	inTime := false
	seen := ""
	for s != "" {
		if s[0] == 'T' || s[0] == 't' {
			if inTime {
				return bad("second T")
			}
			inTime = true
			s = s[1:]
			if s == "" {
				return bad("T without time units")
			}
			continue
		}
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return bad("expected digits followed by a unit")
		}
		if i > 9 {
			return bad("number too large")
		}
		var n int64
		for _, c := range s[:i] {
			n = n*10 + int64(c-'0')
		}
		unit := s[i] &^ 0x20 // upper case
		s = s[i+1:]
		if strings.IndexByte(seen, unit) >= 0 {
			return bad("unit repeated")
		}
		seen += string(unit)
		switch {
		case unit == 'W' && !inTime:
			if len(seen) != 1 || s != "" {
				return bad("weeks cannot be combined with other units")
			}
			days += 7 * n
		case unit == 'D' && !inTime:
			days += n
		case unit == 'H' && inTime:
			exact += 3600 * n
		case unit == 'M' && inTime:
			if strings.IndexByte(seen, 'S') >= 0 {
				return bad("units out of order")
			}
			exact += 60 * n
		case unit == 'S' && inTime:
			exact += n
		default:
			return bad("unexpected unit " + string(unit))
		}
		if unit == 'H' && (strings.IndexByte(seen[:len(seen)-1], 'M') >= 0 || strings.IndexByte(seen[:len(seen)-1], 'S') >= 0) {
			return bad("units out of order")
		}
	}
	total := time.Duration(days)*24*time.Hour + time.Duration(exact)*time.Second
	if days > math.MaxInt32 || total > maxDuration || total < 0 {
		return bad("longer than 100 years")
	}
	d := NominalDuration{Days: int(days), Exact: time.Duration(exact) * time.Second}
	if neg {
		d.Days, d.Exact = -d.Days, -d.Exact
	}
	return d, nil
}
