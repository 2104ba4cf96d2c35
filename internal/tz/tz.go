// Package tz resolves iCalendar TZID parameters to time zones and parses
// DATE and DATE-TIME values (RFC 5545 §3.3.4, §3.3.5) into instants.
//
// A Resolver belongs to one calendar object: a TZID that is not an IANA name
// resolves through that object's own VTIMEZONE components. Nothing is ever
// silently taken as UTC: an unresolvable TZID is an error wrapping
// ErrUnknownTZID.
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
	cache map[string]*time.Location
}

// NewResolver returns a resolver for the TZIDs used in cal; cal may be nil.
func NewResolver(cal *ical.Calendar) *Resolver {
	return &Resolver{cal: cal}
}

// Location returns the time zone a TZID parameter names.
func (r *Resolver) Location(tzid string) (*time.Location, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if loc, ok := r.cache[tzid]; ok {
		return loc, nil
	}
	loc, err := r.resolve(tzid)
	if err != nil {
		return nil, err
	}
	if r.cache == nil {
		r.cache = make(map[string]*time.Location)
	}
	r.cache[tzid] = loc
	return loc, nil
}

func (r *Resolver) resolve(tzid string) (*time.Location, error) {
	name := strings.TrimPrefix(tzid, "/") // RFC 5545 §3.2.19 globally unique prefix
	if name == "" {
		return nil, fmt.Errorf("%w: empty", ErrUnknownTZID)
	}
	if name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Z" {
		return time.UTC, nil
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownTZID, tzid)
}

// Parse parses the DATE or DATE-TIME value of p. Floating and DATE values
// are placed in floating, which must not be nil.
func (r *Resolver) Parse(p *ical.Prop, floating *time.Location) (Value, error) {
	if p == nil {
		return Value{}, fmt.Errorf("%w: missing", ErrInvalidValue)
	}
	v := strings.TrimSpace(p.Value)
	if vt := p.Params.Get("VALUE"); strings.EqualFold(vt, "DATE") || (vt == "" && len(v) == 8) {
		t, err := time.ParseInLocation("20060102", v, floating)
		if err != nil {
			return Value{}, fmt.Errorf("%w: %s %q", ErrInvalidValue, p.Name, p.Value)
		}
		return Value{Time: t, Kind: Date}, nil
	}
	return r.ParseDateTime(v, p.Params.Get("TZID"), floating)
}

// ParseDateTime parses a DATE-TIME string (one element of a list value)
// with the given TZID parameter, which may be empty.
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
	t, err := time.ParseInLocation("20060102T150405", v, loc)
	if err != nil {
		return Value{}, fmt.Errorf("%w: %q", ErrInvalidValue, v)
	}
	return Value{Time: t, Kind: kind}, nil
}
