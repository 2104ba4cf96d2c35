// Package schedule is an HTTP middleware that gives a go-webdav CalDAV
// server RFC 6638 "calendar-auto-schedule": implicit scheduling on writes
// of calendar objects, the scheduling inbox and outbox, free-busy
// queries, scheduling privileges and the discovery properties clients
// look for.
//
// Wrap the caldav.Handler (whose Backend works on the same store, for
// example backend.NewCalDAV(store)) and put an authentication layer that
// calls backend.WithPrincipal in front:
//
//	next := &caldav.Handler{Backend: backend.NewCalDAV(store)}
//	h := schedule.New(next, store, &schedule.Options{})
//	http.ListenAndServe(addr, authenticate(h))
//
// What the middleware does itself, and what it leaves to go-webdav:
//
//   - OPTIONS: go-webdav answers; "calendar-auto-schedule" and
//     "scheduling-controls" are added to its DAV header. The inbox and
//     outbox are answered here.
//   - PROPFIND on any principal (not only the requester's) is answered
//     here, with schedule-inbox-URL, schedule-outbox-URL,
//     calendar-user-address-set and calendar-user-type. On the calendar
//     home, go-webdav's listing gains the inbox and outbox; on calendars
//     and objects, schedule-calendar-transp, calendar-timezone,
//     calendar-timezone-id and schedule-tag are merged into go-webdav's
//     answer.
//   - The inbox (PROPFIND, GET, HEAD, DELETE, REPORT calendar-multiget and
//     calendar-query, PROPPATCH of schedule-default-calendar-URL and
//     calendar-availability) and the outbox (PROPFIND, POST of VFREEBUSY
//     requests) are served here.
//   - REPORT CALDAV:free-busy-query (RFC 4791 §7.10) on a calendar (its
//     objects, with Depth 1 or infinity) or on the calendar home (every
//     calendar not marked transparent) is answered here with one
//     VFREEBUSY computed by package freebusy, for the owner, delegates and
//     whoever the Policy grants schedule-query-freebusy on the owner's
//     inbox; anyone else gets 404. Other REPORTs go to go-webdav.
//   - PUT, DELETE, COPY and MOVE of calendar objects, DELETE and PROPPATCH
//     of calendars are done here through backend.CalendarStore: the
//     request is checked (privileges first, then the CalDAV and RFC 6638
//     preconditions, answered as DAV:error bodies), classified and planned
//     with package itip, stored with ETag conditions, and the messages are
//     delivered: to users of the store directly (their copy created or
//     updated, then the message put in their inbox), to anyone else
//     through the durable queue (Options.Queue: queued in the write's
//     transaction, SCHEDULE-STATUS 1.0 until a queue.Worker sends them)
//     or the configured Deliverers (e-mail, …). The delivery statuses are
//     written back as SCHEDULE-STATUS.
//   - GET and HEAD of objects are authorized by go-webdav and answered
//     with the stored bytes, ETag and Schedule-Tag.
//
// # Schedule-Tag
//
// Scheduling object resources carry a Schedule-Tag (RFC 6638 §3.2.10),
// sent on GET, PUT, COPY and MOVE and as the CALDAV:schedule-tag
// property. Every write by a client (PUT, COPY, MOVE) gives a new tag; a
// reply applied to the organizer's copy, and a refresh that only changes
// other attendees' PARTSTAT in an attendee's copy, keep it. A PUT with a
// matching If-Schedule-Tag-Match keeps the stored PARTSTAT, RSVP and
// SCHEDULE-STATUS of every attendee but the owner (the client's values
// are stale); an organizer's change of time then resets them anyway. A
// mismatch is 412, on PUT, DELETE, COPY and MOVE (where it concerns the
// Request-URI only). If-Match works as before, without merging.
//
// # Scheduling controls
//
// The request headers of draft-ietf-calext-caldav-scheduling-controls
// apply to PUT, DELETE, COPY, MOVE and DELETE of a calendar:
//
//   - Scheduling: none stores the data exactly as sent and schedules
//     nothing (restores, imports); internal-only updates the copies of
//     the store's users silently (no inbox item) and skips the
//     Deliverers; external-only uses only the Deliverers. Recipients left
//     out get no SCHEDULE-STATUS. Any other value is a 400. Deliverers see
//     the value as Delivery.Scope.
//   - Schedule-User-Address names which of the calendar owner's addresses
//     acts; an address that is not the owner's is a 403.
//   - Schedule-Reply: F (RFC 6638 §8.1) suppresses an attendee's REPLY
//     on DELETE only; a PUT always replies.
//
// # The default calendar
//
// schedule-default-calendar-URL on the inbox can be read, and set to
// another calendar of the owner that accepts events or to-dos (403
// valid-schedule-default-calendar-URL otherwise). The default calendar
// cannot be deleted (403 default-calendar-needed). An invitation to a
// user without a calendar for it creates one, which becomes the default
// when the user has none.
//
// # Time zones and availability
//
// CALDAV:calendar-timezone (RFC 4791 §5.2.2) and calendar-timezone-id
// (RFC 7809) of a calendar are set with PROPPATCH (403 with
// valid-calendar-data for a value that is not one VTIMEZONE of a time
// zone, valid-timezone for an id that is no IANA zone) and kept as one
// backend.Calendar.TimeZone: the VTIMEZONE text, the id being its TZID
// when that is an IANA name. Free-busy answers place the floating and DATE
// values of a calendar's objects in its zone (UTC without one).
//
// CALDAV:calendar-availability (RFC 7953 §7.2.4) on the inbox is set by
// whoever may write the inbox's properties (the owner, by default) when
// the store is a backend.AvailabilityStore: one VCALENDAR of VAVAILABILITY
// components (and their VTIMEZONEs), else 403 valid-calendar-data. The
// free-busy POST and the free-busy-query on the calendar home count it
// with the VAVAILABILITY objects stored in calendars; a query on one
// calendar counts only that calendar's. Floating DATE-TIME values of a
// stored VAVAILABILITY are in its calendar's zone; those of the property,
// and DATE values, are in the user's zone: the zone of their calendars
// when they agree, else that of the default calendar.
//
// # Attendee changes and client habits
//
// An attendee's change outside RFC 6638 §3.2.2.1's list is refused (403
// allowed-attendee-scheduling-object-change), or, with
// Options.AttendeeChanges set to AttendeeChangeKeepAllowed, reduced to
// the allowed part. Before planning, what common clients write is
// repaired: ORGANIZER or ATTENDEE as a login name or principal URL
// (DAVx5) becomes the principal's address; one attendee written twice in
// different case is kept once; Evolution's re-accept (a PUT with
// If-None-Match: * onto the attendee copy the server created) is taken
// as the attendee's update; with Options.ClientAgentAsServer,
// SCHEDULE-AGENT=CLIENT left by Thunderbird on a user of the store counts
// as SERVER (the default follows RFC 6638 §7.1: nothing is sent).
//
// # Delivery
//
// Deliveries are synchronous by default: the response to a PUT carries
// the final SCHEDULE-STATUS values. With Options.AsyncDelivery the
// response comes as soon as the object is stored (statuses 1.0, pending)
// and delivery continues in the background, bounded by
// Options.MaxBackground; Handler.Close waits for it on shutdown.
//
// Who may do what is decided by a privilege.Policy (Options.Policy).
// Replies that arrive concurrently for one scheduling object are applied
// one after the other (per-object locks in this process, ETag
// compare-and-swap against other writers), and the refreshes sent to the
// other attendees are batched.
package schedule
