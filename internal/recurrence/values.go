package recurrence

import (
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// maxListValues caps the elements of one EXDATE or RDATE property.
const maxListValues = 10_000

// Key normalises a RECURRENCE-ID, EXDATE or RDATE value to the UTC
// instant that keys instances everywhere in this module: a DATE or
// floating value is taken at its wall clock in the location it was parsed
// in, so parse with the same floating location throughout one object.
func Key(v tz.Value) time.Time {
	return v.Time.UTC()
}

// Period is one element of an RDATE;VALUE=PERIOD list (RFC 5545 §3.3.9).
type Period struct {
	Start tz.Value
	End   time.Time // explicit end, or start plus the duration
}

// ParseDateList parses an EXDATE or RDATE property whose value is a
// comma-separated list of DATE or DATE-TIME values (VALUE=DATE or the
// default DATE-TIME), all in the property's TZID. A VALUE=PERIOD RDATE
// yields the start of each period; use ParsePeriodList to keep the ends.
// Errors wrap ErrInvalid, tz.ErrInvalidValue or tz.ErrUnknownTZID.
func ParseDateList(p *ical.Prop, res *tz.Resolver, floating *time.Location) ([]tz.Value, error) {
	return parseDateList(p, res, floating, nil)
}

// parseDateList is ParseDateList reading the common forms of values with
// x (nil: with res alone).
func parseDateList(p *ical.Prop, res *tz.Resolver, floating *time.Location, x *Expander) ([]tz.Value, error) {
	if strings.EqualFold(p.Params.Get("VALUE"), "PERIOD") {
		ps, err := ParsePeriodList(p, res, floating)
		if err != nil {
			return nil, err
		}
		out := make([]tz.Value, len(ps))
		for i, x := range ps {
			out[i] = x.Start
		}
		return out, nil
	}
	isDate := strings.EqualFold(p.Params.Get("VALUE"), "DATE")
	tzid := p.Params.Get("TZID")
	parts, err := splitList(p)
	if err != nil {
		return nil, err
	}
	out := make([]tz.Value, 0, len(parts))
	for _, s := range parts {
		v, ok := x.parseListValue(s, isDate, tzid, res, floating)
		if !ok {
			var err error
			if v, err = parseOne(s, isDate, tzid, res, floating); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ParsePeriodList parses an RDATE;VALUE=PERIOD property: a comma-separated
// list of "start/end" or "start/duration" periods (RFC 5545 §3.3.9). A
// property without VALUE=PERIOD yields periods whose End is zero.
func ParsePeriodList(p *ical.Prop, res *tz.Resolver, floating *time.Location) ([]Period, error) {
	if !strings.EqualFold(p.Params.Get("VALUE"), "PERIOD") {
		vs, err := ParseDateList(p, res, floating)
		if err != nil {
			return nil, err
		}
		out := make([]Period, len(vs))
		for i, v := range vs {
			out[i] = Period{Start: v}
		}
		return out, nil
	}
	tzid := p.Params.Get("TZID")
	parts, err := splitList(p)
	if err != nil {
		return nil, err
	}
	out := make([]Period, 0, len(parts))
	for _, s := range parts {
		a, b, ok := strings.Cut(s, "/")
		if !ok {
			return nil, fmt.Errorf("%w: %s period %q lacks '/'", ErrInvalid, p.Name, s)
		}
		start, err := parseOne(a, false, tzid, res, floating)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		var end time.Time
		if b != "" && (b[0] == 'P' || b[0] == '+' || b[0] == 'p') {
			d, err := ParseNominalDuration(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
			end = d.AddTo(start.Time)
		} else {
			ev, err := parseOne(b, false, tzid, res, floating)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
			end = ev.Time
		}
		if end.Before(start.Time) {
			return nil, fmt.Errorf("%w: %s period %q ends before it starts", ErrInvalid, p.Name, s)
		}
		out = append(out, Period{Start: start, End: end})
	}
	return out, nil
}

func splitList(p *ical.Prop) ([]string, error) {
	v := strings.TrimSpace(p.Value)
	if v == "" {
		return nil, fmt.Errorf("%w: empty %s", ErrInvalid, p.Name)
	}
	if strings.Count(v, ",") >= maxListValues {
		return nil, fmt.Errorf("%w: %s has more than %d values", ErrInvalid, p.Name, maxListValues)
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

func parseOne(s string, isDate bool, tzid string, res *tz.Resolver, floating *time.Location) (tz.Value, error) {
	if isDate || (len(s) == 8 && !strings.ContainsAny(s, "TZ")) {
		t, err := time.ParseInLocation("20060102", s, floating)
		if err != nil {
			return tz.Value{}, fmt.Errorf("%w: %q", tz.ErrInvalidValue, s)
		}
		return tz.Value{Time: t, Kind: tz.Date}, nil
	}
	return res.ParseDateTime(s, tzid, floating)
}
