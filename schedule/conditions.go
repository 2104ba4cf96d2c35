package schedule

import (
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// writeConds are the conditions and scheduling controls of a write
// request.
type writeConds struct {
	ifMatch          string // ETag without quotes; "*" means "must exist"
	ifNoneMatch      bool
	ifScheduleTag    string // If-Schedule-Tag-Match, without quotes
	hasIfScheduleTag bool
	suppressReply    bool   // Schedule-Reply: F on a DELETE (RFC 6638 §8.1)
	scope            Scope  // Scheduling header
	userAddress      string // Schedule-User-Address header, "" when absent
}

// conditions reads the conditional and scheduling-control headers of r.
// A malformed Scheduling header is a 400.
func conditions(r *http.Request) (writeConds, error) {
	c := writeConds{ifMatch: unquote(r.Header.Get("If-Match"))}
	if inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm == "*" {
		c.ifNoneMatch = true
	}
	if v, ok := r.Header["If-Schedule-Tag-Match"]; ok && len(v) > 0 {
		c.hasIfScheduleTag = true
		c.ifScheduleTag = unquote(v[0])
	}
	// Schedule-Reply applies to an attendee's removal only: a PUT that
	// changes PARTSTAT always replies.
	c.suppressReply = r.Method == http.MethodDelete &&
		strings.EqualFold(strings.TrimSpace(r.Header.Get("Schedule-Reply")), "F")
	var err error
	if c.scope, err = parseScope(r); err != nil {
		return c, err
	}
	c.userAddress = strings.TrimSpace(r.Header.Get("Schedule-User-Address"))
	return c, nil
}

// unquote strips a weak marker and the quotes of an entity tag.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

// check verifies the conditions against the stored object (nil when
// there is none).
func (c writeConds) check(old *backend.Object) error {
	if c.ifNoneMatch && old != nil {
		return httpError(http.StatusPreconditionFailed, "If-None-Match: resource exists")
	}
	if c.ifMatch != "" && (old == nil || (c.ifMatch != "*" && c.ifMatch != old.ETag)) {
		return httpError(http.StatusPreconditionFailed, "If-Match failed")
	}
	if c.hasIfScheduleTag && (old == nil || old.ScheduleTag == "" || c.ifScheduleTag != old.ScheduleTag) {
		return httpError(http.StatusPreconditionFailed, "If-Schedule-Tag-Match failed")
	}
	return nil
}

// destination returns the conditions of the destination write of a COPY
// or MOVE: If-Schedule-Tag-Match and Schedule-User-Address apply to the
// Request-URI only (RFC 6638 §3.2.10); the Scheduling header to both.
func (c writeConds) destination(existing *backend.Object) writeConds {
	d := writeConds{scope: c.scope}
	if existing != nil {
		d.ifMatch = existing.ETag
	} else {
		d.ifNoneMatch = true
	}
	return d
}
