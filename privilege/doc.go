// Package privilege models the scheduling privileges of RFC 6638 §6 and
// decides who holds them.
//
// A Privilege is a bit set: the six leaf scheduling privileges
// (schedule-deliver-invite, -deliver-reply, -query-freebusy on inboxes;
// schedule-send-invite, -send-reply, -send-freebusy on outboxes), their
// aggregates ScheduleDeliver and ScheduleSend, and the generic WebDAV
// privileges the inbox and outbox also need (read, write, …), all under
// All (DAV:all) as §6.3 aggregates them. Has tests containment, so
// All.Has(ScheduleSendReply) holds.
//
// Supported and Current build the DAV:supported-privilege-set and
// DAV:current-user-privilege-set property values; they marshal with
// encoding/xml.
//
// A Policy answers "what may actor do on owner's inbox or outbox". The
// scheduler asks it before sending as someone (outbox, schedule-send-*),
// before delivering to someone (inbox, schedule-deliver-*) and before
// answering a free-busy query (inbox, schedule-query-freebusy). Default
// lets authenticated users schedule with each other while only owners and
// their delegates act as the owner; Grants is an explicit table.
package privilege
