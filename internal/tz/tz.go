package tz

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
)

// ErrUnknownTZID is wrapped by errors for TZIDs that resolve to no time zone.
var ErrUnknownTZID = errors.New("tz: unknown TZID")

// ErrInvalidValue is wrapped by errors for malformed DATE or DATE-TIME values.
var ErrInvalidValue = errors.New("tz: invalid DATE or DATE-TIME value")

// Kind says which form of DATE or DATE-TIME a value was written in.
type Kind uint8

const (
	UTC      Kind = iota // DATE-TIME with a Z suffix
	Zoned                // DATE-TIME with a TZID parameter
	Floating             // DATE-TIME with neither: the same wall clock everywhere
	Date                 // DATE (VALUE=DATE): a whole day
)

// Value is a parsed DATE or DATE-TIME.
type Value struct {
	// Time is the instant. Floating and DATE values are placed in the
	// location given to Resolver.Parse.
	Time time.Time
	Kind Kind
}

// Resolver resolves TZIDs for one calendar object. It is safe for
// concurrent use.
type Resolver struct {
	cal   *ical.Calendar
	mu    sync.Mutex
	cache map[string]resolved
}

// resolved is a cached outcome of resolving one TZID.
type resolved struct {
	loc *time.Location
	err error
}

// NewResolver returns a resolver for the TZIDs used in cal; cal may be nil.
func NewResolver(cal *ical.Calendar) *Resolver {
	return &Resolver{cal: cal}
}

// Location returns the time zone a TZID parameter names, trying in turn:
// UTC aliases; the embedded IANA database (exact name, case-insensitive,
// then the longest Area/Location IANA name ending a prefixed TZID such
// as "/mozilla.org/20050126_1/Europe/Berlin"); Windows zone IDs and display
// names ("W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, …");
// and finally the calendar's own VTIMEZONE with that TZID. Anything else
// is an error wrapping ErrUnknownTZID: nothing is silently taken as UTC.
func (r *Resolver) Location(tzid string) (*time.Location, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.cache[tzid]; ok {
		return c.loc, c.err
	}
	loc, err := r.resolve(tzid)
	if r.cache == nil {
		r.cache = make(map[string]resolved)
	}
	r.cache[tzid] = resolved{loc, err}
	return loc, err
}

// maxTZIDLen bounds the TZIDs worth looking up.
const maxTZIDLen = 256

func (r *Resolver) resolve(tzid string) (*time.Location, error) {
	name := strings.TrimSpace(tzid)
	if name == "" {
		return nil, fmt.Errorf("%w: empty", ErrUnknownTZID)
	}
	if len(name) > maxTZIDLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrUnknownTZID, maxTZIDLen)
	}
	switch strings.ToUpper(strings.TrimPrefix(name, "/")) {
	case "UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "UCT", "ZULU":
		return time.UTC, nil
	}
	if loc, ok, err := ianaLocation(strings.TrimPrefix(name, "/")); err != nil || ok {
		return loc, err
	}
	if z := windowsToIANA(name); z != "" {
		if loc, ok, err := ianaLocation(z); err != nil || ok {
			return loc, err
		}
	}
	// A vendor prefix before an IANA Area/Location name:
	// "/mozilla.org/20050126_1/Europe/Berlin".
	for i := 0; i < len(name); i++ {
		if name[i] == '/' && i+1 < len(name) && strings.Contains(name[i+1:], "/") {
			if loc, ok, err := ianaLocation(name[i+1:]); err != nil || ok {
				return loc, err
			}
		}
	}
	if vtz := r.vtimezone(tzid); vtz != nil {
		return vtimezoneLocation(tzid, vtz)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownTZID, tzid)
}

// vtimezone returns the calendar's VTIMEZONE whose TZID is tzid (exactly,
// else ignoring case), or nil.
func (r *Resolver) vtimezone(tzid string) *ical.Component {
	if r.cal == nil {
		return nil
	}
	var fold *ical.Component
	for _, c := range r.cal.Children {
		if !strings.EqualFold(c.Name, ical.CompTimezone) {
			continue
		}
		p := c.Props.Get(ical.PropTimezoneID)
		if p == nil {
			continue
		}
		if p.Value == tzid {
			return c
		}
		if fold == nil && strings.EqualFold(strings.TrimSpace(p.Value), strings.TrimSpace(tzid)) {
			fold = c
		}
	}
	return fold
}

// Parse parses the DATE or DATE-TIME value of p. Floating and DATE values
// are placed in floating, which must not be nil.
func (r *Resolver) Parse(p *ical.Prop, floating *time.Location) (Value, error) {
	if p == nil {
		return Value{}, fmt.Errorf("%w: missing", ErrInvalidValue)
	}
	v := strings.TrimSpace(p.Value)
	if vt := p.Params.Get("VALUE"); strings.EqualFold(vt, "DATE") || (vt == "" && len(v) == 8) {
		t, err := time.Parse("20060102", v)
		if err != nil {
			return Value{}, fmt.Errorf("%w: %s %q", ErrInvalidValue, p.Name, p.Value)
		}
		if floating == nil {
			return Value{}, fmt.Errorf("%w: DATE %q but no floating location given", ErrInvalidValue, v)
		}
		t, _, _ = FromWallClock(t, floating)
		return Value{Time: t, Kind: Date}, nil
	}
	return r.ParseDateTime(v, p.Params.Get("TZID"), floating)
}

// ParseDateTime parses a DATE-TIME string (one element of a list value)
// with the given TZID parameter, which may be empty. A local time that
// occurs twice means its first occurrence and one in a DST gap is moved
// forward by the gap (see FromWallClock).
func (r *Resolver) ParseDateTime(v, tzid string, floating *time.Location) (Value, error) {
	if strings.HasSuffix(v, "Z") {
		t, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return Value{}, fmt.Errorf("%w: %q", ErrInvalidValue, v)
		}
		return Value{Time: t, Kind: UTC}, nil
	}
	loc, kind := floating, Floating
	if tzid != "" {
		l, err := r.Location(tzid)
		if err != nil {
			return Value{}, err
		}
		loc, kind = l, Zoned
	}
	t, err := time.Parse("20060102T150405", v)
	if err != nil {
		return Value{}, fmt.Errorf("%w: %q", ErrInvalidValue, v)
	}
	if loc == nil {
		return Value{}, fmt.Errorf("%w: floating %q but no floating location given", ErrInvalidValue, v)
	}
	t, _, _ = FromWallClock(t, loc) // RFC 5545 §3.3.5 in DST changes
	return Value{Time: t, Kind: kind}, nil
}
