// Package backend defines what the scheduler needs from storage, and the
// errors stores return.
//
// A Store combines three small interfaces:
//
//   - Directory finds hosted principals by calendar user address or path.
//   - SchedulingSupport holds scheduling inboxes; its methods mirror
//     sabre/dav's four scheduling-inbox methods.
//   - CalendarStore reads and writes any principal's calendars, with
//     compare-and-swap on ETags, lookup by UID and time-range candidates.
//
// Unlike go-webdav's request-scoped caldav.Backend, every method names the
// principal or path it acts on: the scheduler writes into other users'
// calendars and inboxes. Authorization is the caller's job.
//
// Stores that ship with the library: backend/memory (in memory, for tests
// and embedding) and the SQL store (SQLite and PostgreSQL) in its own module.
// backend/backendtest is a conformance suite for any implementation.
package backend
