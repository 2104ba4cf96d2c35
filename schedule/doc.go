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
//   - OPTIONS: go-webdav answers; "calendar-auto-schedule" is added to
//     its DAV header. The inbox and outbox are answered here.
//   - PROPFIND on any principal (not only the requester's) is answered
//     here, with schedule-inbox-URL, schedule-outbox-URL,
//     calendar-user-address-set and calendar-user-type. On the calendar
//     home, go-webdav's listing gains the inbox and outbox; on calendars
//     and objects, schedule-calendar-transp and schedule-tag are merged
//     into go-webdav's answer.
//   - The inbox (PROPFIND, GET, HEAD, DELETE, REPORT calendar-multiget and
//     calendar-query, PROPPATCH of schedule-default-calendar-URL) and the
//     outbox (PROPFIND, POST of VFREEBUSY requests) are served here.
//   - PUT, DELETE, COPY and MOVE of calendar objects, DELETE and PROPPATCH
//     of calendars are done here through backend.CalendarStore: the
//     request is checked (privileges first, then the CalDAV and RFC 6638
//     preconditions, answered as DAV:error bodies), classified and planned
//     with package itip, stored with ETag conditions, and the messages are
//     delivered: to users of the store directly (their copy created or
//     updated, then the message put in their inbox), to anyone else
//     through the configured Deliverers (e-mail, …). The delivery
//     statuses are written back as SCHEDULE-STATUS.
//   - GET and HEAD of objects are authorized by go-webdav and answered
//     with the stored bytes, ETag and Schedule-Tag.
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
