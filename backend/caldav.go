package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	pathpkg "path"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// CalDAV adapts a Store to go-webdav's request-scoped caldav.Backend, so
// that one store serves both a caldav.Handler and the scheduler. The
// current user is the principal whose Path the request context carries
// (WithPrincipal); requests without one fail with 401.
//
// A Store cannot implement caldav.Backend itself: both interfaces have a
// CreateCalendar method, with different argument types.
type CalDAV struct {
	// Store holds the data.
	Store Store
	// Authorize decides whether principal may act on path (a calendar or
	// calendar object path, or a home). It returns nil to allow, or an
	// error (a webdav.NewHTTPError(403, ...) for example). When nil, a
	// principal may only use paths inside its own HomePath.
	Authorize func(ctx context.Context, principal *Principal, path string) error
}

// NewCalDAV returns an adapter for s that lets each principal use its own
// calendar home only.
func NewCalDAV(s Store) *CalDAV { return &CalDAV{Store: s} }

var _ caldav.Backend = (*CalDAV)(nil)

// principal returns the current user, or an HTTP error.
func (d *CalDAV) principal(ctx context.Context) (*Principal, error) {
	path, ok := PrincipalFromContext(ctx)
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusUnauthorized, errors.New("backend: request is not authenticated"))
	}
	p, err := d.Store.PrincipalByPath(ctx, path)
	if errors.Is(err, ErrNotFound) {
		return nil, webdav.NewHTTPError(http.StatusForbidden, fmt.Errorf("backend: authenticated principal %q is not hosted here: %w", path, err))
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// authorized returns the current user after checking it may use path.
func (d *CalDAV) authorized(ctx context.Context, path string) (*Principal, error) {
	p, err := d.principal(ctx)
	if err != nil {
		return nil, err
	}
	if clean := pathpkg.Clean(path); clean != path && clean+"/" != path {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, fmt.Errorf("%w: %q is not a clean path", ErrInvalidPath, path))
	}
	if d.Authorize != nil {
		return p, d.Authorize(ctx, p, path)
	}
	if !strings.HasPrefix(path, p.HomePath) {
		return nil, webdav.NewHTTPError(http.StatusForbidden, fmt.Errorf("backend: %q is outside the calendar home of %s", path, p.Path))
	}
	return p, nil
}

// CurrentUserPrincipal returns the Path of the authenticated principal.
func (d *CalDAV) CurrentUserPrincipal(ctx context.Context) (string, error) {
	p, err := d.principal(ctx)
	if err != nil {
		return "", err
	}
	return p.Path, nil
}

// CalendarHomeSetPath returns the HomePath of the authenticated principal.
func (d *CalDAV) CalendarHomeSetPath(ctx context.Context) (string, error) {
	p, err := d.principal(ctx)
	if err != nil {
		return "", err
	}
	return p.HomePath, nil
}

// CreateCalendar creates a calendar of the authenticated principal; go-webdav
// calls it for an extended MKCOL (it has no MKCALENDAR).
func (d *CalDAV) CreateCalendar(ctx context.Context, c *caldav.Calendar) error {
	p, err := d.authorized(ctx, c.Path)
	if err != nil {
		return err
	}
	cal := &Calendar{
		Path:                c.Path,
		Owner:               p.Path,
		DisplayName:         c.Name,
		Description:         c.Description,
		SupportedComponents: append([]string(nil), c.SupportedComponentSet...),
		MaxResourceSize:     c.MaxResourceSize,
	}
	return httpError(d.Store.CreateCalendar(ctx, cal))
}

// ListCalendars lists the calendars of the authenticated principal.
func (d *CalDAV) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	p, err := d.principal(ctx)
	if err != nil {
		return nil, err
	}
	cals, err := d.Store.Calendars(ctx, p.Path)
	if err != nil {
		return nil, httpError(err)
	}
	out := make([]caldav.Calendar, len(cals))
	for i := range cals {
		out[i] = davCalendar(&cals[i])
	}
	return out, nil
}

// GetCalendar returns the calendar at path.
func (d *CalDAV) GetCalendar(ctx context.Context, path string) (*caldav.Calendar, error) {
	if _, err := d.authorized(ctx, path); err != nil {
		return nil, err
	}
	cal, err := d.Store.Calendar(ctx, path)
	if err != nil {
		return nil, httpError(err)
	}
	c := davCalendar(cal)
	return &c, nil
}

func davCalendar(c *Calendar) caldav.Calendar {
	comps := c.SupportedComponents
	if len(comps) == 0 {
		comps = []string{ical.CompEvent, ical.CompToDo}
	}
	return caldav.Calendar{
		Path:                  c.Path,
		Name:                  c.DisplayName,
		Description:           c.Description,
		MaxResourceSize:       c.MaxSize(),
		SupportedComponentSet: append([]string(nil), comps...),
	}
}

// GetCalendarObject returns the object at path. The request's property
// and component selection is not applied: the whole object is returned.
func (d *CalDAV) GetCalendarObject(ctx context.Context, path string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	if _, err := d.authorized(ctx, path); err != nil {
		return nil, err
	}
	o, err := d.Store.Object(ctx, path)
	if err != nil {
		return nil, httpError(err)
	}
	return davObject(o)
}

func davObject(o *Object) (*caldav.CalendarObject, error) {
	cal, err := ics.Decode(o.Data)
	if err != nil {
		return nil, fmt.Errorf("backend: stored object %s does not decode: %w", o.Path, err)
	}
	return &caldav.CalendarObject{
		Path:          o.Path,
		ModTime:       o.ModTime,
		ContentLength: int64(len(o.Data)),
		ETag:          o.ETag,
		Data:          cal,
	}, nil
}

// ListCalendarObjects returns every object of the calendar at path.
func (d *CalDAV) ListCalendarObjects(ctx context.Context, path string, _ *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	if _, err := d.authorized(ctx, path); err != nil {
		return nil, err
	}
	objs, err := d.Store.Objects(ctx, path)
	if err != nil {
		return nil, httpError(err)
	}
	return davObjects(objs)
}

func davObjects(objs []Object) ([]caldav.CalendarObject, error) {
	out := make([]caldav.CalendarObject, 0, len(objs))
	for i := range objs {
		co, err := davObject(&objs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *co)
	}
	return out, nil
}

// QueryCalendarObjects answers a calendar-query REPORT on the calendar at
// path: a time range on a top-level component filter narrows the
// candidates with ObjectsInRange, and MatchQuery then checks each
// candidate exactly.
func (d *CalDAV) QueryCalendarObjects(ctx context.Context, path string, query *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	if _, err := d.authorized(ctx, path); err != nil {
		return nil, err
	}
	var filter caldav.CompFilter
	if query != nil {
		filter = query.CompFilter
	}
	var objs []Object
	var err error
	if start, end, ok := candidateWindow(filter); ok {
		objs, err = d.Store.ObjectsInRange(ctx, path, start, end)
	} else {
		objs, err = d.Store.Objects(ctx, path)
	}
	if err != nil {
		return nil, httpError(err)
	}
	var out []caldav.CalendarObject
	for i := range objs {
		co, err := davObject(&objs[i])
		if err != nil {
			return nil, err
		}
		if filter.Name != "" {
			ok, err := MatchQuery(ctx, filter, co.Data)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, *co)
	}
	return out, nil
}

// candidateWindow returns the time range of the first top-level component
// filter that has one: every match overlaps it.
func candidateWindow(f caldav.CompFilter) (start, end time.Time, ok bool) {
	if f.IsNotDefined {
		return start, end, false
	}
	for _, cf := range f.Comps {
		if !cf.IsNotDefined && (!cf.Start.IsZero() || !cf.End.IsZero()) {
			return cf.Start, cf.End, true
		}
	}
	return start, end, false
}

// PutCalendarObject stores calendar at path under the request's If-Match
// and If-None-Match conditions (a specific ETag or "*"). The object's
// Schedule-Tag is not kept: the scheduler writes through the Store.
func (d *CalDAV) PutCalendarObject(ctx context.Context, path string, calendar *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	if _, err := d.authorized(ctx, path); err != nil {
		return nil, err
	}
	if calendar == nil || calendar.Component == nil {
		return nil, caldav.NewPreconditionError(caldav.PreconditionValidCalendarData)
	}
	data := ics.Encode(calendar)
	put := &PutOptions{}
	if opts != nil {
		if err := d.conditions(ctx, path, opts, put); err != nil {
			return nil, err
		}
	}
	o, err := d.Store.PutObject(ctx, path, data, put)
	if errors.Is(err, ErrNotFound) && put.IfMatch != "" {
		return nil, webdav.NewHTTPError(http.StatusPreconditionFailed, err)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, webdav.NewHTTPError(http.StatusConflict, err) // no such calendar
	}
	if err != nil {
		return nil, httpError(err)
	}
	return &caldav.CalendarObject{
		Path:          o.Path,
		ModTime:       o.ModTime,
		ContentLength: int64(len(o.Data)),
		ETag:          o.ETag,
		Data:          calendar,
	}, nil
}

// conditions translates HTTP conditional headers into PutOptions. "*"
// and If-None-Match with a specific ETag are checked against the stored
// object and then pinned to its ETag, so the write stays a
// compare-and-swap.
func (d *CalDAV) conditions(ctx context.Context, path string, opts *caldav.PutCalendarObjectOptions, put *PutOptions) error {
	bad := func(err error) error { return webdav.NewHTTPError(http.StatusBadRequest, err) }
	failed := func(what string) error {
		return webdav.NewHTTPError(http.StatusPreconditionFailed, fmt.Errorf("%w: %s", ErrPreconditionFailed, what))
	}
	var current *Object
	if opts.IfMatch.IsWildcard() || (opts.IfNoneMatch.IsSet() && !opts.IfNoneMatch.IsWildcard()) {
		o, err := d.Store.Object(ctx, path)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		current = o
	}
	if opts.IfMatch.IsSet() {
		if opts.IfMatch.IsWildcard() {
			if current == nil {
				return failed("If-Match: * and nothing is stored")
			}
			put.IfMatch = current.ETag
		} else {
			etag, err := opts.IfMatch.ETag()
			if err != nil {
				return bad(err)
			}
			put.IfMatch = etag
		}
	}
	if opts.IfNoneMatch.IsSet() {
		if opts.IfNoneMatch.IsWildcard() {
			put.IfNoneMatch = true
			return nil
		}
		etag, err := opts.IfNoneMatch.ETag()
		if err != nil {
			return bad(err)
		}
		switch {
		case current == nil:
			put.IfNoneMatch = true
		case current.ETag == etag:
			return failed("If-None-Match matches the stored ETag")
		case put.IfMatch == "":
			put.IfMatch = current.ETag
		}
	}
	return nil
}

// DeleteCalendarObject removes the object at path.
func (d *CalDAV) DeleteCalendarObject(ctx context.Context, path string) error {
	if _, err := d.authorized(ctx, path); err != nil {
		return err
	}
	return httpError(d.Store.DeleteObject(ctx, path, ""))
}

// httpError maps the store's typed errors to the HTTP errors go-webdav
// writes: 404, 412, 405 for an existing collection, 403 for a bad path,
// and RFC 4791 preconditions (409 with a CALDAV element) for calendar
// data. Other errors pass unchanged (500).
func httpError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound):
		return webdav.NewHTTPError(http.StatusNotFound, err)
	case errors.Is(err, ErrPreconditionFailed):
		return webdav.NewHTTPError(http.StatusPreconditionFailed, err)
	case errors.Is(err, ErrExists):
		return webdav.NewHTTPError(http.StatusMethodNotAllowed, err)
	case errors.Is(err, ErrInvalidPath):
		return webdav.NewHTTPError(http.StatusForbidden, err)
	case errors.Is(err, ErrUIDConflict):
		return caldav.NewPreconditionError(caldav.PreconditionNoUIDConflict)
	case errors.Is(err, ErrUnsupportedComponent):
		return caldav.NewPreconditionError(caldav.PreconditionSupportedCalendarComponent)
	case errors.Is(err, ErrTooLarge):
		return caldav.NewPreconditionError(caldav.PreconditionMaxResourceSize)
	case errors.Is(err, ErrInvalidData):
		return caldav.NewPreconditionError(caldav.PreconditionValidCalendarObjectResource)
	}
	return err
}
