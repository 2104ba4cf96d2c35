package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The path layout that NewPrincipal builds, for a user "alice":
//
//	/alice/                     principal (Path)
//	/alice/calendars/           calendar home (HomePath)
//	/alice/calendars/inbox/     scheduling inbox (InboxPath)
//	/alice/calendars/outbox/    scheduling outbox (OutboxPath)
//	/alice/calendars/default/   default calendar (DefaultCalendarName)
//	/alice/calendars/default/x.ics  a calendar object
//
// It matches go-webdav's caldav.Handler, which types paths by their number
// of segments after its Prefix (principal, home, calendar, object). Stores
// accept any layout in which calendars are direct children of HomePath.
const (
	// HomeSegment is the name of the calendar home under the principal.
	HomeSegment = "calendars"
	// InboxName and OutboxName are the scheduling collections' names
	// inside the calendar home.
	InboxName  = "inbox"
	OutboxName = "outbox"
	// DefaultCalendarName is the name Provision gives the calendar it
	// creates inside the calendar home.
	DefaultCalendarName = "default"
)

// NewPrincipal returns an individual principal for user laid out as
// described above, with display name name and the given calendar user
// addresses. An address without a URI scheme that contains "@" gets
// "mailto:" in front. user must be a single path segment (CheckName);
// when it is not, the paths are left empty, so that CheckPrincipal and
// stores refuse the principal with ErrInvalidPath.
func NewPrincipal(user, name string, addresses ...string) *Principal {
	base, home := "/"+user+"/", "/"+user+"/"+HomeSegment+"/"
	inbox, outbox := home+InboxName+"/", home+OutboxName+"/"
	if CheckName(user) != nil {
		base, home, inbox, outbox = "", "", "", ""
	}
	addrs := make([]string, 0, len(addresses))
	for _, a := range addresses {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if !strings.Contains(a, ":") && strings.Contains(a, "@") {
			a = "mailto:" + a
		}
		addrs = append(addrs, a)
	}
	return &Principal{
		Path:        base,
		DisplayName: name,
		Addresses:   addrs,
		Type:        Individual,
		HomePath:    home,
		InboxPath:   inbox,
		OutboxPath:  outbox,
	}
}

// ProvisionStore is what Provision needs: a store that can add principals
// and calendars.
type ProvisionStore interface {
	DirectoryWriter
	CalendarStore
}

// Provision stores p and makes sure it has a default calendar: when p has
// no calendar, it creates one named DefaultCalendarName in p.HomePath
// (accepting VEVENT and VTODO); when p has calendars but no default, it
// makes the first one (in path order) the default. It is idempotent.
func Provision(ctx context.Context, s ProvisionStore, p *Principal) error {
	if err := s.PutPrincipal(ctx, p); err != nil {
		return fmt.Errorf("provision %s: %w", p.Path, err)
	}
	if _, err := s.DefaultCalendar(ctx, p.Path); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("provision %s: %w", p.Path, err)
	}
	cals, err := s.Calendars(ctx, p.Path)
	if err != nil {
		return fmt.Errorf("provision %s: %w", p.Path, err)
	}
	var def string
	if len(cals) > 0 {
		def = cals[0].Path
	} else {
		def = p.HomePath + DefaultCalendarName + "/"
		cal := &Calendar{
			Path:                def,
			Owner:               p.Path,
			DisplayName:         "Calendar",
			SupportedComponents: []string{"VEVENT", "VTODO"},
		}
		if err := s.CreateCalendar(ctx, cal); err != nil && !errors.Is(err, ErrExists) {
			return fmt.Errorf("provision %s: %w", p.Path, err)
		}
	}
	if err := s.SetDefaultCalendar(ctx, p.Path, def); err != nil {
		return fmt.Errorf("provision %s: %w", p.Path, err)
	}
	return nil
}
