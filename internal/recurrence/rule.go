package recurrence

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// maxRuleLen caps the length of an RRULE value; real rules are far shorter.
const maxRuleLen = 4096

// maxInterval caps INTERVAL: larger values either yield a single instance
// or overflow rrule-go's date arithmetic.
const maxInterval = 1_000_000

// untilForm says how an UNTIL rule part was written.
type untilForm uint8

const (
	untilNone     untilForm = iota
	untilUTC                // DATE-TIME with Z
	untilFloating           // DATE-TIME without Z: wall clock of DTSTART's zone
	untilDate               // DATE
)

// rule is a parsed and validated RRULE, ready to iterate.
type rule struct {
	opt       rrule.ROption // Dtstart, Until and Count not set
	count     int
	untilKind untilForm
	untilWall time.Time // UNTIL as written, as a wall-clock reading
	untilUTC  time.Time // UNTIL instant when untilKind == untilUTC
	empty     bool      // the rule can produce no instance
	// simple, when isSimple, describes a rule iterated arithmetically;
	// opt is then not set.
	simple   simpleRule
	isSimple bool
}

// parseRule parses an RRULE value (RFC 5545 §3.3.10). Rule part names and
// values are case-insensitive. UNTIL is kept apart so that its form (UTC,
// floating, DATE) can be honoured. Simple rules (see simpleRule) are
// recognised first and iterated without rrule-go. Errors wrap ErrInvalid.
func parseRule(s string) (*rule, error) {
	if r, ok := parseSimpleRule(s); ok {
		return r, nil
	}
	return parseGeneralRule(s)
}

// parseGeneralRule parses any RRULE into rrule-go options.
func parseGeneralRule(s string) (*rule, error) {
	if len(s) > maxRuleLen {
		return nil, fmt.Errorf("%w: RRULE longer than %d bytes", ErrInvalid, maxRuleLen)
	}
	s = strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")))
	var keep []string
	r := &rule{}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue // "FREQ=DAILY;" as some clients write it
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("%w: RRULE part %q", ErrInvalid, part)
		}
		if seen[k] {
			return nil, fmt.Errorf("%w: RRULE part %s repeated", ErrInvalid, k)
		}
		seen[k] = true
		switch k {
		case "UNTIL":
			if err := r.parseUntil(v); err != nil {
				return nil, err
			}
			continue
		case "COUNT":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%w: RRULE COUNT %q", ErrInvalid, v)
			}
			r.count = n
			continue
		case "INTERVAL":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxInterval {
				return nil, fmt.Errorf("%w: RRULE INTERVAL %q (1..%d)", ErrInvalid, v, maxInterval)
			}
		case "BYEASTER", "DTSTART":
			return nil, fmt.Errorf("%w: RRULE part %s is not RFC 5545", ErrInvalid, k)
		}
		keep = append(keep, k+"="+v)
	}
	if r.count > 0 && r.untilKind != untilNone {
		return nil, fmt.Errorf("%w: RRULE has both COUNT and UNTIL", ErrInvalid)
	}
	opt, err := rrule.StrToROption(strings.Join(keep, ";"))
	if err != nil {
		return nil, fmt.Errorf("%w: RRULE %q: %v", ErrInvalid, s, err)
	}
	if err := checkRanges(opt); err != nil {
		return nil, fmt.Errorf("%w: RRULE %q: %v", ErrInvalid, s, err)
	}
	opt.Bysecond = dedupe(opt.Bysecond)
	opt.Byminute = dedupe(opt.Byminute)
	opt.Byhour = dedupe(opt.Byhour)
	opt.Bymonth = dedupe(opt.Bymonth)
	opt.Bymonthday = dedupe(opt.Bymonthday)
	opt.Byyearday = dedupe(opt.Byyearday)
	opt.Byweekno = dedupe(opt.Byweekno)
	opt.Bysetpos = dedupe(opt.Bysetpos)
	opt.Byweekday = dedupeWeekdays(opt.Byweekday)
	r.opt = *opt
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rule) parseUntil(v string) error {
	var err error
	switch {
	case len(v) == 8:
		r.untilKind = untilDate
		r.untilWall, err = time.Parse("20060102", v)
	case strings.HasSuffix(v, "Z"):
		r.untilKind = untilUTC
		r.untilUTC, err = time.Parse("20060102T150405Z", v)
	default:
		r.untilKind = untilFloating
		r.untilWall, err = time.Parse("20060102T150405", v)
	}
	if err != nil {
		return fmt.Errorf("%w: RRULE UNTIL %q", ErrInvalid, v)
	}
	return nil
}

func dedupe(xs []int) []int {
	if len(xs) < 2 {
		return xs
	}
	out := append([]int(nil), xs...)
	sort.Ints(out)
	j := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[j-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}

func dedupeWeekdays(ws []rrule.Weekday) []rrule.Weekday {
	if len(ws) < 2 {
		return ws
	}
	seen := map[string]bool{}
	out := ws[:0:0]
	for _, w := range ws {
		k := w.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}

// checkRanges applies RFC 5545 §3.3.10's value ranges to the BY* lists
// (BYSECOND 60, a leap second, is not supported by rrule-go and rejected).
// Together with dedupe this bounds every list's length.
func checkRanges(o *rrule.ROption) error {
	for _, c := range []struct {
		name     string
		vals     []int
		lo, hi   int
		negative bool
	}{
		{"BYSECOND", o.Bysecond, 0, 59, false},
		{"BYMINUTE", o.Byminute, 0, 59, false},
		{"BYHOUR", o.Byhour, 0, 23, false},
		{"BYMONTHDAY", o.Bymonthday, 1, 31, true},
		{"BYYEARDAY", o.Byyearday, 1, 366, true},
		{"BYWEEKNO", o.Byweekno, 1, 53, true},
		{"BYMONTH", o.Bymonth, 1, 12, false},
		{"BYSETPOS", o.Bysetpos, 1, 366, true},
	} {
		for _, v := range c.vals {
			if c.negative && v < 0 {
				v = -v
			}
			if v < c.lo || v > c.hi {
				return fmt.Errorf("%s value %d out of range", c.name, v)
			}
		}
	}
	for _, w := range o.Byweekday {
		if n := w.N(); n > 53 || n < -53 {
			return fmt.Errorf("BYDAY ordinal %d out of range", n)
		}
	}
	return nil
}
