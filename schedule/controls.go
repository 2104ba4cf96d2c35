package schedule

import (
	"net/http"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// schedulingControlsCapability is the DAV header field that advertises
// the Scheduling and Schedule-User-Address request headers
// (draft-ietf-calext-caldav-scheduling-controls §3).
const schedulingControlsCapability = "scheduling-controls"

// Scope is the effective value of the Scheduling request header
// (draft-ietf-calext-caldav-scheduling-controls §4.1) of the write that
// caused a delivery: which recipients the scheduling it implies reaches.
type Scope uint8

// The Scheduling header values.
const (
	// ScopeAll: no header, or "all": RFC 6638 scheduling to everyone.
	ScopeAll Scope = iota
	// ScopeNone: "none": the data is stored as sent (restores, imports);
	// nothing is scheduled and no message is sent.
	ScopeNone
	// ScopeInternalOnly: "internal-only": the copies of users hosted by
	// the store are updated silently (no inbox item); nothing goes to the
	// Deliverers.
	ScopeInternalOnly
	// ScopeExternalOnly: "external-only": only the Deliverers are used
	// (recipients outside the store are notified); local copies are left
	// alone.
	ScopeExternalOnly
)

// String returns the header value of s.
func (s Scope) String() string {
	switch s {
	case ScopeNone:
		return "none"
	case ScopeInternalOnly:
		return "internal-only"
	case ScopeExternalOnly:
		return "external-only"
	}
	return "all"
}

// Local reports whether users hosted by the store are delivered to.
func (s Scope) Local() bool { return s == ScopeAll || s == ScopeInternalOnly }

// Remote reports whether the Deliverers are used.
func (s Scope) Remote() bool { return s == ScopeAll || s == ScopeExternalOnly }

// parseScope reads the Scheduling header of r. An unknown value (the
// draft reserves X- values for extensions, none of which is known here)
// is a 400, so that a client asking for less scheduling never gets more.
func parseScope(r *http.Request) (Scope, error) {
	vals := r.Header.Values("Scheduling")
	if len(vals) == 0 {
		return ScopeAll, nil
	}
	if len(vals) > 1 {
		return ScopeAll, badRequest("the Scheduling header is given more than once")
	}
	switch v := strings.ToLower(strings.TrimSpace(vals[0])); v {
	case "all":
		return ScopeAll, nil
	case "none":
		return ScopeNone, nil
	case "internal-only":
		return ScopeInternalOnly, nil
	case "external-only":
		return ScopeExternalOnly, nil
	}
	return ScopeAll, badRequest("unsupported Scheduling header value: want all, none, internal-only or external-only")
}

// actingAddresses returns the calendar user addresses the owner acts as
// in a write: all of the owner's addresses, or only the one the
// Schedule-User-Address header names (scheduling-controls draft §4.2),
// which must be one of them: the request was authorized to act for the
// owner, not for anyone else (403 otherwise).
func actingAddresses(owner *backend.Principal, userAddress string) ([]string, error) {
	if userAddress == "" {
		return owner.Addresses, nil
	}
	for _, a := range owner.Addresses {
		if caladdr.Equal(a, userAddress) {
			return []string{a}, nil
		}
	}
	return nil, forbidden("Schedule-User-Address is not an address of " + owner.Path)
}
