package freebusy

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/recurrence"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

// equalFoldTrim reports whether value, trimmed, equals want ignoring case.
func equalFoldTrim(value, want string) bool {
	return strings.EqualFold(strings.TrimSpace(value), want)
}

// freeBusyPeriods parses the value of a FREEBUSY property: a list of
// PERIOD values (RFC 5545 §3.8.2.6), which the property has by default.
func freeBusyPeriods(p *ical.Prop, res *tz.Resolver, floating *time.Location) ([]recurrence.Period, error) {
	q := ical.Prop{Name: p.Name, Params: ical.Params{"VALUE": {"PERIOD"}}, Value: p.Value}
	return recurrence.ParsePeriodList(&q, res, floating)
}
