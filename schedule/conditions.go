package schedule

import (
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// writeConds are the conditions of a write request.
type writeConds struct {
	ifMatch          string // ETag without quotes; "*" means "must exist"
	ifNoneMatch      bool
	ifScheduleTag    string // If-Schedule-Tag-Match, without quotes
	hasIfScheduleTag bool
	suppressReply    bool // Schedule-Reply: F
}

// conditions reads the conditional headers of r.
func conditions(r *http.Request) writeConds {
	c := writeConds{ifMatch: unquote(r.Header.Get("If-Match"))}
	if inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm == "*" {
		c.ifNoneMatch = true
	}
	if v, ok := r.Header["If-Schedule-Tag-Match"]; ok && len(v) > 0 {
		c.hasIfScheduleTag = true
		c.ifScheduleTag = unquote(v[0])
	}
	c.suppressReply = strings.EqualFold(strings.TrimSpace(r.Header.Get("Schedule-Reply")), "F")
	return c
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
