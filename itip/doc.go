// Package itip is the iTIP engine (RFC 5546) behind CalDAV implicit
// scheduling (RFC 6638 §3 and §4). It is pure: no HTTP, no storage, no
// clock of its own. A caller hands it calendar data and gets back what to
// store and which messages to deliver.
//
// Outgoing scheduling: when a calendar user creates, modifies or removes a
// calendar object resource, Plan compares the old and new data of the
// resource and returns a *Plan: the role of the owner (organizer or
// attendee), the operation, the exact object to store (SCHEDULE-STATUS set,
// SCHEDULE-FORCE-SEND stripped, PARTSTAT reset on reschedule, SEQUENCE
// bumped) and the iTIP messages (REQUEST, CANCEL, REPLY) to deliver. After
// delivery the caller writes each recipient's delivery status back with
// Plan.SetStatus. Data that breaks a CalDAV precondition yields an *Error
// whose Condition names the precondition element, e.g.
// AllowedAttendeeChange.
//
// Incoming scheduling: Apply (apply*.go) updates a recipient's copy of a
// scheduling object with a received message.
//
// Shared model: Object is a view of one calendar object resource as a
// scheduling object (master, overrides keyed by the UTC instant of their
// RECURRENCE-ID, ORGANIZER); Message is an iTIP message whose serialisation
// is computed once and shared by all its recipients.
//
// Calendar user addresses are compared with internal/caladdr everywhere;
// recurrence instances are keyed by their UTC instant, never by the raw
// RECURRENCE-ID text.
package itip
