// Command freebusy prints the busy time of one calendar user as a
// VFREEBUSY, computed from iCalendar files with package freebusy:
//
//	go run ./examples/freebusy -user mailto:a@example.com \
//		-start 2026-01-05T00:00:00Z -end 2026-01-12T00:00:00Z \
//		[-tz Europe/Berlin] [-availability avail.ics] cal1.ics cal2.ics ...
//
// Each file holds one VCALENDAR, with any number of events. -user may be
// repeated for a user with several addresses; -tz places all-day and
// floating times (default UTC); -availability (repeatable) names files
// with VAVAILABILITY components. With -request, the range, UID and
// ORGANIZER come from a VFREEBUSY request (RFC 6638 Appendix B.5) instead
// of -start and -end. Objects that cannot be counted fully are reported on
// standard error; the answer is still printed.
package main
