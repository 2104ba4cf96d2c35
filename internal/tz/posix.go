package tz

import (
	"fmt"
	"strconv"
	"strings"
)

// posixFooter returns a POSIX TZ string (as in the TZif footer) that
// continues the VTIMEZONE's rules after vtzLastYear, when they are the
// usual pair of unbounded yearly rules, one STANDARD and one DAYLIGHT,
// each "BYMONTH=m;BYDAY=nDD" (n from 1 to 4, or -1 for the last). It
// returns "" otherwise, and the offset in force at the end of vtzLastYear
// then stays in force.
func posixFooter(obs []observance) string {
	var std, dst *observance
	for i := range obs {
		o := &obs[i]
		if !o.unboundedY {
			continue
		}
		if o.dst {
			if dst != nil {
				return ""
			}
			dst = o
		} else {
			if std != nil {
				return ""
			}
			std = o
		}
	}
	if std == nil || dst == nil || std.to != dst.from || dst.to != std.from {
		return ""
	}
	sr, ok1 := posixRule(std)
	dr, ok2 := posixRule(dst)
	if !ok1 || !ok2 {
		return ""
	}
	return fmt.Sprintf("<%s>%s<%s>%s,%s,%s",
		posixName(std.name, std.to), posixOffset(std.to),
		posixName(dst.name, dst.to), posixOffset(dst.to), dr, sr)
}

// posixRule renders an observance's yearly rule as "Mm.w.d/hh:mm:ss".
func posixRule(o *observance) (string, bool) {
	month, week, day := 0, 0, -1
	for _, part := range strings.Split(strings.ToUpper(o.rule), ";") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "FREQ":
			if v != "YEARLY" {
				return "", false
			}
		case "INTERVAL":
			if v != "1" {
				return "", false
			}
		case "WKST":
		case "BYMONTH":
			m, err := strconv.Atoi(v)
			if err != nil || m < 1 || m > 12 {
				return "", false
			}
			month = m
		case "BYDAY":
			if len(v) < 3 {
				return "", false
			}
			n, wd := v[:len(v)-2], v[len(v)-2:]
			day = strings.Index("SUMOTUWETHFRSA", wd)
			if day < 0 || day%2 != 0 {
				return "", false
			}
			day /= 2
			switch n {
			case "1", "+1":
				week = 1
			case "2", "+2":
				week = 2
			case "3", "+3":
				week = 3
			case "4", "+4":
				week = 4
			case "-1":
				week = 5
			default:
				return "", false
			}
		default:
			return "", false
		}
	}
	if month == 0 || week == 0 || day < 0 {
		return "", false
	}
	secs := o.start.Hour()*3600 + o.start.Minute()*60 + o.start.Second()
	return fmt.Sprintf("M%d.%d.%d/%d:%02d:%02d", month, week, day, secs/3600, secs/60%60, secs%60), true
}

// posixOffset renders a UTC offset with POSIX's inverted sign.
func posixOffset(off int) string {
	sign := "-"
	if off <= 0 {
		sign, off = "+", -off
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, off/3600, off/60%60, off%60)
}

// posixName returns an abbreviation usable inside <…> in a TZ string.
func posixName(name string, off int) string {
	return cleanAbbr(name, off)
}
