// Package freebusy computes a calendar user's busy time: the answer to a
// free-busy request (RFC 6638 §5, Appendix B.5; RFC 5546 §3.3.2) and to a
// CALDAV:free-busy-query (RFC 4791 §7.10), shaped by the user's
// availability (RFC 7953 VAVAILABILITY). It is pure computation: no I/O,
// no HTTP, no storage; the scheduling middleware loads the user's objects
// and serves the result.
//
// A request is answered in three steps:
//
//	req, err := freebusy.ParseRequest(cal)         // *RequestError names what is invalid
//	res, err := freebusy.Compute(ctx, freebusy.Query{
//		Start: req.Start, End: req.End,
//		Addresses: userAddresses,                     // the recipient's calendar user addresses
//		Location: userZone,                           // for all-day and floating times
//		Availability: userAvailability,               // VAVAILABILITY objects, may be nil
//	}, objects)                                       // []Object: the recipient's calendar objects
//	reply := freebusy.Reply(req.ResponseInfo(attendee, time.Now()), res.Periods)
//
// What counts as busy (RFC 5545 §3.2.9, RFC 4791 §7.10, RFC 6638 §9.1):
// every instance of every VEVENT (recurrences expanded by the shared,
// bounded internal/recurrence), except TRANSP:TRANSPARENT and
// STATUS:CANCELLED instances and those the user declined (or delegated);
// STATUS:TENTATIVE and an unanswered invitation (PARTSTAT NEEDS-ACTION)
// are BUSY-TENTATIVE, except on an event the user organizes, where their
// own NEEDS-ACTION (as some clients write for the organizer) is BUSY.
// The decision is made per instance, so declining one
// occurrence of a series frees only that occurrence. Objects in calendars
// whose schedule-calendar-transp is transparent are skipped
// (Object.Transparent). FREEBUSY properties of stored VFREEBUSY components
// count with their FBTYPE. Outside the AVAILABLE blocks of the user's
// VAVAILABILITY components the time is busy with their BUSYTYPE.
//
// The result is a list of Periods in UTC, coalesced per FBTYPE and sorted.
// The response carries only those periods and what the request said
// (UID, ORGANIZER, ATTENDEE, DTSTART, DTEND): nothing of the user's events
// (no SUMMARY, LOCATION or UID) leaves the package.
//
// Errors in the user's data do not fail the answer: an object with an
// unknown TZID, a malformed value or a rule that exceeds the recurrence
// limits is reported in Result.Problems (an *ObjectError naming its index
// and UID), and whatever could be read of it, such as the instances of a
// rule before it hit a limit, still counts. TZIDs are resolved by
// internal/tz (IANA names, Windows names, the object's own VTIMEZONE);
// an unresolvable one is never taken as UTC. Problems are found only in
// what the range needs, consciously: objects, and overrides, whose
// wall-clock times place them (and the instance an override replaces)
// more than two days from the range are left out before they are
// expanded, unread and unchecked, so a bad TZID or a duplicate
// RECURRENCE-ID there is not reported. Free-busy answers about a range;
// validating whole objects is the write path's job (the scheduling
// middleware checks them on PUT, the store's index on every write).
// Compute itself fails only for
// an invalid Query (ErrInvalidQuery), for an answer larger than
// Query.MaxPeriods (ErrTooManyPeriods), or when its context ends; callers
// should give it a deadline, since each object may use up to the
// recurrence limits.
package freebusy
