// Package itip is the iTIP engine (RFC 5546) behind CalDAV implicit
// scheduling (RFC 6638 §3 and §4). It is pure: no HTTP, no storage, no
// clock of its own. A caller hands it calendar data and gets back what to
// store and which messages to deliver.
//
// # Outgoing scheduling: Plan
//
// When a calendar user writes a calendar object resource, call Plan with
// the stored version (nil when creating) and the new one (nil when
// deleting), and the owner's calendar user addresses:
//
//	act, err := itip.Plan(old, new, itip.PlanOptions{Addresses: owner, Now: now})
//	if err != nil { /* an *itip.Error: answer 403 with its Condition */ }
//	store(act.Object) // nil: delete
//	for _, m := range act.Messages {
//		for _, r := range m.Recipients {
//			act.SetStatus(r, deliver(r, m.Bytes())) // e.g. itip.StatusDelivered
//		}
//	}
//	store(act.Object) // again, with the delivery statuses
//
// Plan classifies the write (RFC 6638 §3.1, §3.2.3): the owner is the
// organizer or an attendee; the operation is a create, modify or remove.
//
// An organizer's write sends REQUEST to new attendees and to attendees
// whose view of the object changed, CANCEL to removed attendees and for
// removed instances (an added EXDATE, an override set to STATUS:CANCELLED),
// following the SCHEDULE-AGENT tables of §3.2.1 per instance. Every
// attendee only learns about the instances that list them (§3.2.6).
// Attendees who see the same content share one Message, so 1000
// invitations are one serialisation. A change of DTSTART, DTEND, DURATION,
// DUE, RRULE, RDATE or EXDATE resets the other attendees' PARTSTAT
// (§3.2.8); SEQUENCE is bumped for changes attendees must see (RFC 5546
// §2.1.4). Each Message says whether it is a full update or only a
// participation-status refresh (UpdateKind), which Schedule-Tag handling
// (§3.2.10) and e-mail wording need.
//
// An attendee's write sends a REPLY to the organizer when their PARTSTAT
// (or, for a VTODO, their PERCENT-COMPLETE or COMPLETED) changes on any
// instance, declines instances they excluded with EXDATE, and declines
// everything on removal (unless Schedule-Reply: F). Changes outside
// §3.2.2.1's list are refused with AllowedAttendeeChange; a DTSTART, DTEND,
// DUE or RECURRENCE-ID rewritten to the same instant (another TZID, UTC)
// is no change. An attendee may delegate (RFC 5546 §4.2.5): PARTSTAT
// DELEGATED with DELEGATED-TO, and the delegate added with DELEGATED-FROM
// them; the REPLY then names the delegates, and the invitation is
// forwarded to each new one (Message.Originator is the delegator).
//
// The stored object never keeps SCHEDULE-FORCE-SEND; SCHEDULE-STATUS is
// written on every component where a recipient appears ("1.0" pending
// until SetStatus records the delivery result). Messages carry METHOD,
// PRODID, VERSION, DTSTAMP and a VTIMEZONE for every TZID their components
// reference (RFC 5545 §3.6.5): the object's own, else one generated from
// the IANA zone the TZID names (Plan generates each zone once and shares
// it between messages; a TZID naming no known zone is left as written),
// and never SCHEDULE-AGENT, SCHEDULE-STATUS or SCHEDULE-FORCE-SEND.
//
// # Incoming scheduling: Apply
//
// Apply (apply*.go) updates a recipient's copy of a scheduling object with
// a received message: REQUEST and ADD create or update the attendee's
// copy, keeping what is theirs (alarms, TRANSP, an answer the update did
// not invalidate); CANCEL cancels the copy or one instance; REPLY records
// the attendee's answer per instance in the organizer's copy (adding the
// delegates a delegator names) and asks for status-only refreshes of the
// others; COUNTER and DECLINECOUNTER are checked and left for the user.
// ApplyOptions.Originator is the sender the transport vouches for: a
// message must come from its ORGANIZER or ATTENDEE (or their SENT-BY), or
// be an invitation forwarded by the recipient's delegator.
//
// # Shared model
//
// Object is a view of one calendar object resource as a scheduling object:
// master, overrides keyed by the UTC instant of their RECURRENCE-ID (DATE
// and floating values placed in the calendar's time zone), one ORGANIZER.
// Message is an iTIP message whose serialisation is computed once and
// shared by all its recipients. Error carries the CalDAV precondition
// (Condition) that bad data breaks; a Condition is itself an error for
// errors.Is.
//
// Calendar user addresses are compared with internal/caladdr everywhere
// ("MAILTO:Bob@Example.org" is "mailto:bob@example.org").
package itip
