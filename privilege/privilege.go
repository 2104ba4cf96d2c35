package privilege

import (
	"encoding/xml"
	"strings"
)

// XML namespaces of the privilege elements.
const (
	NamespaceDAV    = "DAV:"
	NamespaceCalDAV = "urn:ietf:params:xml:ns:caldav"
)

// Privilege is a set of WebDAV ACL privileges (RFC 3744) relevant to
// scheduling inboxes and outboxes, as a bit set. Aggregate privileges are
// the union of the privileges they contain, so "p contains q" is
// p.Has(q).
type Privilege uint32

// Leaf (non-aggregate) privileges.
const (
	// Read is DAV:read.
	Read Privilege = 1 << iota
	// WriteProperties is DAV:write-properties.
	WriteProperties
	// WriteContent is DAV:write-content.
	WriteContent
	// Bind is DAV:bind (create members).
	Bind
	// Unbind is DAV:unbind (remove members).
	Unbind
	// ReadCurrentUserPrivilegeSet is DAV:read-current-user-privilege-set.
	ReadCurrentUserPrivilegeSet
	// ScheduleDeliverInvite is CALDAV:schedule-deliver-invite (RFC 6638
	// §6.1.2): messages from an Organizer may be delivered.
	ScheduleDeliverInvite
	// ScheduleDeliverReply is CALDAV:schedule-deliver-reply (§6.1.3):
	// messages from an Attendee may be delivered.
	ScheduleDeliverReply
	// ScheduleQueryFreeBusy is CALDAV:schedule-query-freebusy (§6.1.4):
	// the owner's busy time may be queried.
	ScheduleQueryFreeBusy
	// ScheduleSendInvite is CALDAV:schedule-send-invite (§6.2.2): send
	// Organizer messages on the owner's behalf.
	ScheduleSendInvite
	// ScheduleSendReply is CALDAV:schedule-send-reply (§6.2.3): send
	// Attendee replies on the owner's behalf.
	ScheduleSendReply
	// ScheduleSendFreeBusy is CALDAV:schedule-send-freebusy (§6.2.4):
	// POST free-busy requests to the owner's outbox.
	ScheduleSendFreeBusy
)

// Aggregate privileges (RFC 3744 §3.12, RFC 6638 §6.3).
const (
	// Write is DAV:write: write-properties, write-content, bind and unbind.
	Write = WriteProperties | WriteContent | Bind | Unbind
	// ScheduleDeliver is CALDAV:schedule-deliver (§6.1.1).
	ScheduleDeliver = ScheduleDeliverInvite | ScheduleDeliverReply | ScheduleQueryFreeBusy
	// ScheduleSend is CALDAV:schedule-send (§6.2.1).
	ScheduleSend = ScheduleSendInvite | ScheduleSendReply | ScheduleSendFreeBusy
	// All is DAV:all: every privilege, including ScheduleDeliver and
	// ScheduleSend.
	All = Read | Write | ReadCurrentUserPrivilegeSet | ScheduleDeliver | ScheduleSend
	// None is the empty set.
	None Privilege = 0
)

// Has reports whether p grants every privilege in q. An aggregate q is
// granted only when all its members are.
func (p Privilege) Has(q Privilege) bool { return p&q == q }

// HasAny reports whether p grants at least one privilege of q; RFC 6638
// §11.2 speaks of "schedule-send, or a sub-privilege aggregated under it".
func (p Privilege) HasAny(q Privilege) bool { return p&q != 0 }

// named lists every privilege that has an XML element name, aggregates
// before their members so that Names reports the largest ones.
var named = [...]struct {
	p    Privilege
	name xml.Name
}{
	{All, xml.Name{Space: NamespaceDAV, Local: "all"}},
	{Write, xml.Name{Space: NamespaceDAV, Local: "write"}},
	{ScheduleDeliver, xml.Name{Space: NamespaceCalDAV, Local: "schedule-deliver"}},
	{ScheduleSend, xml.Name{Space: NamespaceCalDAV, Local: "schedule-send"}},
	{Read, xml.Name{Space: NamespaceDAV, Local: "read"}},
	{WriteProperties, xml.Name{Space: NamespaceDAV, Local: "write-properties"}},
	{WriteContent, xml.Name{Space: NamespaceDAV, Local: "write-content"}},
	{Bind, xml.Name{Space: NamespaceDAV, Local: "bind"}},
	{Unbind, xml.Name{Space: NamespaceDAV, Local: "unbind"}},
	{ReadCurrentUserPrivilegeSet, xml.Name{Space: NamespaceDAV, Local: "read-current-user-privilege-set"}},
	{ScheduleDeliverInvite, xml.Name{Space: NamespaceCalDAV, Local: "schedule-deliver-invite"}},
	{ScheduleDeliverReply, xml.Name{Space: NamespaceCalDAV, Local: "schedule-deliver-reply"}},
	{ScheduleQueryFreeBusy, xml.Name{Space: NamespaceCalDAV, Local: "schedule-query-freebusy"}},
	{ScheduleSendInvite, xml.Name{Space: NamespaceCalDAV, Local: "schedule-send-invite"}},
	{ScheduleSendReply, xml.Name{Space: NamespaceCalDAV, Local: "schedule-send-reply"}},
	{ScheduleSendFreeBusy, xml.Name{Space: NamespaceCalDAV, Local: "schedule-send-freebusy"}},
}

// XMLName returns the element name of p when p is exactly one named
// privilege (a leaf or an aggregate), and false otherwise.
func (p Privilege) XMLName() (xml.Name, bool) {
	for _, n := range named {
		if n.p == p {
			return n.name, true
		}
	}
	return xml.Name{}, false
}

// Parse returns the privilege an XML element names, and false for an
// element that is not a privilege this package knows.
func Parse(name xml.Name) (Privilege, bool) {
	for _, n := range named {
		if n.name == name {
			return n.p, true
		}
	}
	return None, false
}

// Names returns the element names of the privileges granted by p, the
// way DAV:current-user-privilege-set lists them (RFC 3744 §5.4): every
// granted privilege, leaves and the aggregates fully contained in p.
func (p Privilege) Names() []xml.Name {
	var out []xml.Name
	for _, n := range named {
		if p.Has(n.p) {
			out = append(out, n.name)
		}
	}
	return out
}

// String returns the granted privileges' local names, separated by
// commas, for logs and test failures.
func (p Privilege) String() string {
	if p == None {
		return "none"
	}
	names := p.Names()
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = n.Local
	}
	return strings.Join(s, ",")
}
