package backend

import (
	"context"
	"errors"
	"time"
)

// Errors that stores return and callers branch on with errors.Is.
var (
	// ErrNotFound: no principal, calendar, object or scheduling object there.
	ErrNotFound = errors.New("backend: not found")
	// ErrPreconditionFailed: an ETag condition (If-Match / If-None-Match)
	// did not hold; nothing was written.
	ErrPreconditionFailed = errors.New("backend: precondition failed")
	// ErrUIDConflict: another object in the same calendar already has the
	// UID of the object being written (RFC 4791 no-uid-conflict).
	ErrUIDConflict = errors.New("backend: UID conflict")
)

// Calendar user types (RFC 5545 §3.2.3 CUTYPE).
const (
	Individual = "INDIVIDUAL"
	Group      = "GROUP"
	Resource   = "RESOURCE"
	Room       = "ROOM"
	Unknown    = "UNKNOWN"
)

// Principal is a calendar user hosted by this server.
type Principal struct {
	// Path is the principal URL path (for example "/alice/"); it is the
	// key that names the principal everywhere in this package.
	Path string
	// DisplayName is the user's name, for CN parameters and DAV:displayname.
	DisplayName string
	// Addresses are the calendar user addresses (calendar-user-address-set),
	// preferred first. Lookups by address compare with caladdr rules, and the
	// principal URL and urn:uuid forms are addresses like any other.
	Addresses []string
	// Type is the calendar user type, one of Individual, Group, Resource,
	// Room or Unknown.
	Type string
	// HomePath is the calendar home collection (calendar-home-set).
	HomePath string
	// InboxPath and OutboxPath are the scheduling inbox and outbox
	// collections (RFC 6638 §2.1, §2.2).
	InboxPath  string
	OutboxPath string
}

// Directory finds the principals hosted by this server.
type Directory interface {
	// PrincipalByAddress returns the principal that has addr among its
	// addresses, or ErrNotFound. A principal's Path counts as one of its
	// addresses, whether or not Addresses lists it.
	PrincipalByAddress(ctx context.Context, addr string) (*Principal, error)
	// PrincipalByPath returns the principal whose Path, HomePath, InboxPath
	// or OutboxPath is path, or ErrNotFound.
	PrincipalByPath(ctx context.Context, path string) (*Principal, error)
}

// DirectoryWriter adds and updates principals. Stores implement it so that
// servers can provision users; the scheduler itself only reads.
type DirectoryWriter interface {
	// PutPrincipal creates p, or replaces the principal with the same Path.
	PutPrincipal(ctx context.Context, p *Principal) error
}

// SchedulingObject is one item of a scheduling inbox: an iTIP message that
// was delivered to the principal (RFC 6638 §2.1).
type SchedulingObject struct {
	Name    string // the resource name inside the inbox, e.g. "3f2a….ics"
	Data    []byte // the iTIP message, iCalendar text
	ETag    string // opaque, without quotes
	ModTime time.Time
	Size    int64
}

// SchedulingSupport stores scheduling inboxes. Its first four methods
// mirror sabre/dav's SchedulingSupport: get one, list, delete, create.
type SchedulingSupport interface {
	// SchedulingObject returns one inbox item of principal, or ErrNotFound.
	SchedulingObject(ctx context.Context, principal, name string) (*SchedulingObject, error)
	// SchedulingObjects lists the inbox items of principal, oldest write
	// first: replacing an item makes it the newest.
	SchedulingObjects(ctx context.Context, principal string) ([]SchedulingObject, error)
	// DeleteSchedulingObject removes one inbox item, or returns ErrNotFound.
	DeleteSchedulingObject(ctx context.Context, principal, name string) error
	// CreateSchedulingObject stores a new inbox item and returns its ETag.
	// An item of that name that exists already is replaced.
	CreateSchedulingObject(ctx context.Context, principal, name string, data []byte) (etag string, err error)
	// PruneSchedulingObjects removes every inbox item, of every principal,
	// last modified before olderThan, and returns how many it removed.
	PruneSchedulingObjects(ctx context.Context, olderThan time.Time) (int, error)
}

// Calendar is a calendar collection.
type Calendar struct {
	Path        string // collection path, with a trailing slash
	Owner       string // Path of the owning principal
	DisplayName string
	Description string
	// SupportedComponents lists the component types the calendar accepts
	// (supported-calendar-component-set); empty means VEVENT and VTODO.
	SupportedComponents []string
	// Transparent is schedule-calendar-transp: true when the calendar's
	// objects never count as busy (RFC 6638 §9.1).
	Transparent bool
	// MaxResourceSize is the largest object the calendar accepts, in
	// octets; 0 means the store's default.
	MaxResourceSize int64
	// TimeZone is CALDAV:calendar-timezone (RFC 4791 §5.2.2): iCalendar
	// text with exactly one VTIMEZONE (see CanonicalTimeZone and
	// TimeZoneForID), in which the calendar's floating and DATE values
	// are placed; "" for none. It also answers calendar-timezone-id
	// (RFC 7809, see TimeZoneID).
	TimeZone string
}

// Supports reports whether the calendar accepts components of type comp.
func (c *Calendar) Supports(comp string) bool {
	if len(c.SupportedComponents) == 0 {
		return comp == "VEVENT" || comp == "VTODO"
	}
	for _, s := range c.SupportedComponents {
		if s == comp {
			return true
		}
	}
	return false
}

// Object is a calendar object resource.
type Object struct {
	Path        string // full path of the resource, inside its calendar
	Data        []byte // iCalendar text as stored
	ETag        string // opaque, without quotes; changes with every write
	ScheduleTag string // RFC 6638 §3.2.10 Schedule-Tag, without quotes; "" for non-scheduling objects
	ModTime     time.Time
	// Index is what the store extracted from Data when it was written.
	Index
}

// Index is what a store extracts from an object when it is written: what it
// keys on (UID) and what time-range queries read. Compute it with MakeIndex.
type Index struct {
	UID       string
	Component string    // VEVENT, VTODO, VJOURNAL, VFREEBUSY or VAVAILABILITY
	First     time.Time // start of the first occurrence; zero when the object has no time
	Last      time.Time // end of the last occurrence; zero when unbounded
	// Unbounded is true when the object recurs forever (Last is then zero).
	Unbounded bool
}

// PutOptions are the conditions and metadata of a calendar object write.
type PutOptions struct {
	// IfMatch, when not empty, makes the write a compare-and-swap: it
	// succeeds only while the stored ETag equals IfMatch, and returns
	// ErrPreconditionFailed otherwise (or ErrNotFound when nothing is stored).
	IfMatch string
	// IfNoneMatch makes the write create-only: it returns
	// ErrPreconditionFailed when an object is stored at the path.
	IfNoneMatch bool
	// ScheduleTag is stored with the object; "" stores none. Writers that
	// must keep the tag of a server-side change (RFC 6638 §3.2.10) pass the
	// stored tag again.
	ScheduleTag string
	// Prepared, when it holds data itself (the slice its Data returns),
	// gives the store data's Index so that it does not parse data again;
	// otherwise it is ignored. See Prepared and IndexFor.
	Prepared *Prepared
}

// CalendarStore is principal-scoped access to calendars and their objects,
// for delivery into any user's calendar (not only the requester's).
type CalendarStore interface {
	// Calendars lists the calendars of principal (not the inbox or outbox).
	Calendars(ctx context.Context, principal string) ([]Calendar, error)
	// Calendar returns the calendar collection at path, or ErrNotFound.
	Calendar(ctx context.Context, path string) (*Calendar, error)
	// CreateCalendar creates cal; cal.Owner names the principal.
	CreateCalendar(ctx context.Context, cal *Calendar) error
	// UpdateCalendar replaces the properties of the calendar at cal.Path.
	UpdateCalendar(ctx context.Context, cal *Calendar) error
	// DeleteCalendar removes the calendar and every object in it; when it
	// was its owner's default calendar, the owner has no default after it.
	DeleteCalendar(ctx context.Context, path string) error

	// DefaultCalendar returns the path of principal's default calendar
	// (schedule-default-calendar-URL), or ErrNotFound when none is set.
	DefaultCalendar(ctx context.Context, principal string) (string, error)
	// SetDefaultCalendar makes the calendar at path principal's default.
	SetDefaultCalendar(ctx context.Context, principal, path string) error

	// Object returns the object at path, or ErrNotFound.
	Object(ctx context.Context, path string) (*Object, error)
	// Objects lists the objects of the calendar at path.
	Objects(ctx context.Context, calendarPath string) ([]Object, error)
	// ObjectByUID finds the object with that UID in any calendar of
	// principal, or returns ErrNotFound. When several calendars hold the
	// UID, the default calendar's copy wins, then the first in path order.
	ObjectByUID(ctx context.Context, principal, uid string) (*Object, error)
	// PutObject creates or replaces the object at path with data, under
	// opts' conditions, and returns what is now stored. It returns
	// ErrUIDConflict when another resource of the calendar has data's UID.
	PutObject(ctx context.Context, path string, data []byte, opts *PutOptions) (*Object, error)
	// DeleteObject removes the object at path. A non-empty ifMatch makes it
	// conditional on the stored ETag (ErrPreconditionFailed otherwise).
	DeleteObject(ctx context.Context, path, ifMatch string) error
	// ObjectsInRange returns every object of the calendar at calendarPath
	// that may have an occurrence overlapping [start, end): a superset,
	// judged from the Index, that the caller filters exactly.
	ObjectsInRange(ctx context.Context, calendarPath string, start, end time.Time) ([]Object, error)
}

// Store is everything the scheduler needs from storage.
type Store interface {
	Directory
	SchedulingSupport
	CalendarStore
}
