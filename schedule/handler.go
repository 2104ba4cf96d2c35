package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/privilege"
)

// Defaults of Options.
const (
	// DefaultMaxResourceSize is the largest request body (iCalendar or
	// XML) accepted when Options.MaxResourceSize is 0: 1 MiB.
	DefaultMaxResourceSize = 1 << 20
	// DefaultMaxAttendees is the default of Options.MaxAttendees.
	DefaultMaxAttendees = 500
)

// Options configure a Handler. The zero value is usable.
type Options struct {
	// Policy decides scheduling privileges; nil means privilege.Default{}.
	Policy privilege.Policy
	// Deliverers deliver messages to recipients that are not hosted by
	// the store (e-mail, for instance), tried in order after local
	// delivery and after Queue. Nil means local delivery (and Queue)
	// only: other recipients get SCHEDULE-STATUS 3.7.
	Deliverers []Deliverer
	// Queue, when not nil, delivers to recipients the store does not host
	// through the store's durable outbox (backend.Outbox), before the
	// Deliverers are tried: their messages are queued in the transaction
	// of the write, for a queue.Worker to send. See QueueOptions. Ignored,
	// with an error logged, when the store does not implement
	// backend.Outbox.
	Queue *QueueOptions
	// Logger receives the middleware's logs; nil means slog.Default().
	Logger *slog.Logger
	// MaxResourceSize is the largest request body accepted, in octets
	// (CALDAV:max-resource-size); a calendar's own smaller limit wins.
	// 0 means DefaultMaxResourceSize.
	MaxResourceSize int64
	// MaxAttendees is the largest number of attendees of one instance
	// (CALDAV:max-attendees-per-instance); 0 means DefaultMaxAttendees.
	MaxAttendees int
	// MaxInstances is the largest number of instances a recurring object
	// may have (CALDAV:max-instances), counted over the recurrence
	// expansion window; 0 means DefaultMaxInstances.
	MaxInstances int
	// AsyncDelivery answers writes as soon as the object is stored, with
	// SCHEDULE-STATUS 1.0 (pending) for the recipients, and delivers in
	// the background (at most MaxBackground writes at a time; beyond that
	// delivery is synchronous again). The statuses are written back when
	// delivery is done. Call Close on shutdown.
	AsyncDelivery bool
	// MaxBackground bounds the writes delivering in the background; 0
	// means DefaultMaxBackground.
	MaxBackground int
	// Now returns the current time (DTSTAMP of messages); nil means
	// time.Now.
	Now func() time.Time
	// AttendeeChanges decides what happens when an attendee writes
	// changes outside RFC 6638 §3.2.2.1's list (a new SUMMARY, another
	// time …): the zero value AttendeeChangeRefuse answers 403
	// allowed-attendee-scheduling-object-change.
	AttendeeChanges AttendeeChangePolicy
	// ClientAgentAsServer treats SCHEDULE-AGENT=CLIENT on an attendee (or
	// organizer) hosted by the store as SERVER, as Apple's calendar
	// server does. Thunderbird leaves CLIENT on attendees after it sent
	// an invitation itself, so that later edits from other clients would
	// schedule nobody. False (the default) follows RFC 6638 §7.1: the
	// server sends nothing to CLIENT calendar users. Recipients outside
	// the store keep CLIENT either way.
	ClientAgentAsServer bool
	// FreeBusyCacheSize bounds the memory, in octets, of the parsed
	// calendar objects kept between free-busy answers (keyed by path and
	// ETag, least recently used dropped first); 0 means
	// DefaultFreeBusyCacheSize, a negative value keeps none.
	FreeBusyCacheSize int64
}

// Handler is the scheduling middleware. It serves the scheduling inbox
// and outbox, answers the scheduling properties go-webdav does not know,
// and performs the implicit scheduling of writes to calendar objects;
// everything else goes to the wrapped CalDAV handler.
type Handler struct {
	next       http.Handler
	store      backend.Store
	policy     privilege.Policy
	deliverers []Deliverer
	dq         *durableQueue // nil without Options.Queue
	log        *slog.Logger
	maxSize    int64
	maxAtt     int
	maxInst    int
	now        func() time.Time
	locks      objectLocks
	async      bool
	bg         backgroundWork
	refresh    refresher
	parsed     *parsedCache // objects parsed for free-busy answers

	attendeeChanges     AttendeeChangePolicy
	clientAgentAsServer bool
}

// New returns the middleware in front of next (normally a
// *caldav.Handler whose Backend works on the same store). opts may be
// nil.
func New(next http.Handler, store backend.Store, opts *Options) *Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	h := &Handler{
		next:       next,
		store:      store,
		policy:     o.Policy,
		deliverers: append([]Deliverer(nil), o.Deliverers...),
		log:        o.Logger,
		maxSize:    o.MaxResourceSize,
		maxAtt:     o.MaxAttendees,
		maxInst:    o.MaxInstances,
		async:      o.AsyncDelivery,
		now:        o.Now,

		attendeeChanges:     o.AttendeeChanges,
		clientAgentAsServer: o.ClientAgentAsServer,
		parsed:              newParsedCache(o.FreeBusyCacheSize),
	}
	if h.policy == nil {
		h.policy = privilege.Default{}
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.dq = newDurableQueue(store, o.Queue, h.log)
	if h.maxSize <= 0 {
		h.maxSize = DefaultMaxResourceSize
	}
	if h.maxAtt <= 0 {
		h.maxAtt = DefaultMaxAttendees
	}
	if h.maxInst <= 0 {
		h.maxInst = DefaultMaxInstances
	}
	if o.MaxBackground <= 0 {
		o.MaxBackground = DefaultMaxBackground
	}
	h.bg.slot = make(chan struct{}, o.MaxBackground)
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "schedule: panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			http.Error(w, "internal server error", http.StatusInternalServerError)
		}
	}()
	if err := h.serve(w, r); err != nil {
		h.writeError(w, r, err)
	}
}

// serve routes the request; it returns an error only before anything was
// written.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	switch r.Method {
	case http.MethodOptions, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete,
		http.MethodPost, "PROPFIND", "PROPPATCH", "REPORT", "COPY", "MOVE", "MKCOL", "MKCALENDAR":
	default:
		h.next.ServeHTTP(w, r)
		return nil
	}
	t, err := h.resolve(r.Context(), r.URL.Path)
	if err != nil {
		return err
	}
	actor, _ := backend.PrincipalFromContext(r.Context())
	req := &request{w: w, r: r, t: t, actor: actor}
	if r.Method == http.MethodOptions {
		return h.options(req)
	}
	switch t.kind {
	case kindInbox, kindInboxItem:
		return h.serveInbox(req)
	case kindOutbox, kindOutboxItem:
		return h.serveOutbox(req)
	case kindPrincipal:
		return h.servePrincipal(req)
	case kindHome:
		return h.serveHome(req)
	case kindCalendar:
		return h.serveCalendar(req)
	case kindObject:
		return h.serveObject(req)
	}
	switch r.Method {
	case "PROPPATCH":
		return h.refusePropPatch(req)
	case http.MethodPut:
		// Resources are only created inside calendar collections (and
		// go-webdav's own iCalendar decoding can panic on bad input).
		return httpError(http.StatusConflict, "PUT outside a calendar collection")
	case "COPY", "MOVE":
		// Only calendar objects are copied or moved (go-webdav answers
		// 501 for everything).
		return httpError(http.StatusForbidden, r.Method+" of this resource")
	}
	h.next.ServeHTTP(w, r)
	return nil
}

// request is one request with its resolved target and actor.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	t     *target
	actor string // principal path of the authenticated user, "" if none
}

func (q *request) ctx() context.Context { return q.r.Context() }

// readBody reads the request body up to limit octets; a longer body is
// the max-resource-size precondition.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, precondition(http.StatusForbidden, MaxResourceSize, "body too large")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, precondition(http.StatusForbidden, MaxResourceSize, "body too large")
		}
		return nil, &Error{Status: http.StatusBadRequest, Message: "reading body", Err: err}
	}
	if int64(len(data)) > limit {
		return nil, precondition(http.StatusForbidden, MaxResourceSize, "body too large")
	}
	return data, nil
}

// xmlLimit bounds XML request bodies (PROPFIND, REPORT, PROPPATCH).
const xmlLimit = 256 << 10

// privileges asks the policy, turning its failure into a 500.
func (h *Handler) privileges(ctx context.Context, actor, owner string, c privilege.Collection) (privilege.Privilege, error) {
	p, err := h.policy.Privileges(ctx, actor, owner, c)
	if err != nil {
		return privilege.None, fmt.Errorf("schedule: privilege policy: %w", err)
	}
	return p, nil
}
