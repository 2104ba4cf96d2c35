package privilege

import "encoding/xml"

// Collection is the kind of scheduling collection a privilege applies to:
// scheduling privileges are defined only on inboxes (deliver) and outboxes
// (send), RFC 6638 §6.
type Collection int

// The collection kinds.
const (
	// Inbox is a CALDAV:schedule-inbox collection.
	Inbox Collection = iota + 1
	// Outbox is a CALDAV:schedule-outbox collection.
	Outbox
)

// String returns "inbox" or "outbox".
func (c Collection) String() string {
	switch c {
	case Inbox:
		return "inbox"
	case Outbox:
		return "outbox"
	}
	return "unknown"
}

// Applicable returns the privileges that mean something on c: the generic
// WebDAV ones plus schedule-deliver on an inbox or schedule-send on an
// outbox. Privileges of the other kind are ignored there (§6.1, §6.2).
func (c Collection) Applicable() Privilege {
	base := Read | Write | ReadCurrentUserPrivilegeSet
	switch c {
	case Inbox:
		return base | ScheduleDeliver
	case Outbox:
		return base | ScheduleSend
	}
	return base
}

// SupportedPrivilege is one DAV:supported-privilege element (RFC 3744
// §5.3): a privilege, whether it is abstract, a description and the
// privileges it aggregates. It marshals with encoding/xml.
type SupportedPrivilege struct {
	XMLName     xml.Name             `xml:"DAV: supported-privilege"`
	Privilege   privilegeElement     `xml:"DAV: privilege"`
	Abstract    *struct{}            `xml:"DAV: abstract,omitempty"`
	Description string               `xml:"DAV: description"`
	Children    []SupportedPrivilege `xml:"DAV: supported-privilege,omitempty"`
}

// SupportedPrivilegeSet is the DAV:supported-privilege-set property value.
type SupportedPrivilegeSet struct {
	XMLName    xml.Name             `xml:"DAV: supported-privilege-set"`
	Privileges []SupportedPrivilege `xml:"DAV: supported-privilege"`
}

// privilegeElement marshals as an element that holds one empty element
// named after the privilege.
type privilegeElement struct {
	Name xml.Name
}

// MarshalXML writes <D:privilege><name/></D:privilege>.
func (e privilegeElement) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	inner := xml.StartElement{Name: e.Name}
	if err := enc.EncodeToken(inner); err != nil {
		return err
	}
	if err := enc.EncodeToken(inner.End()); err != nil {
		return err
	}
	return enc.EncodeToken(start.End())
}

// description returns the DAV:description of a named privilege.
func description(p Privilege) string {
	switch p {
	case All:
		return "Any operation"
	case Read:
		return "Read resources and properties"
	case Write:
		return "Write resources and properties"
	case WriteProperties:
		return "Write properties"
	case WriteContent:
		return "Write resource content"
	case Bind:
		return "Add members"
	case Unbind:
		return "Remove members"
	case ReadCurrentUserPrivilegeSet:
		return "Read the current user's privileges"
	case ScheduleDeliver:
		return "Deliver scheduling messages"
	case ScheduleDeliverInvite:
		return "Deliver scheduling messages from an Organizer"
	case ScheduleDeliverReply:
		return "Deliver scheduling messages from an Attendee"
	case ScheduleQueryFreeBusy:
		return "Query busy time information"
	case ScheduleSend:
		return "Send scheduling messages"
	case ScheduleSendInvite:
		return "Send scheduling messages as an Organizer"
	case ScheduleSendReply:
		return "Send scheduling replies as an Attendee"
	case ScheduleSendFreeBusy:
		return "Send busy time requests"
	}
	return ""
}

// Supported returns the DAV:supported-privilege-set of a collection of
// kind c: DAV:all at the root aggregating read, write (and its parts),
// read-current-user-privilege-set and the scheduling aggregate of c, each
// scheduling privilege non-abstract as RFC 6638 §6 requires.
func Supported(c Collection) SupportedPrivilegeSet {
	node := func(p Privilege, children ...SupportedPrivilege) SupportedPrivilege {
		name, _ := p.XMLName()
		return SupportedPrivilege{
			Privilege:   privilegeElement{Name: name},
			Description: description(p),
			Children:    children,
		}
	}
	children := []SupportedPrivilege{
		node(Read),
		node(Write, node(WriteProperties), node(WriteContent), node(Bind), node(Unbind)),
		node(ReadCurrentUserPrivilegeSet),
	}
	switch c {
	case Inbox:
		children = append(children, node(ScheduleDeliver,
			node(ScheduleDeliverInvite), node(ScheduleDeliverReply), node(ScheduleQueryFreeBusy)))
	case Outbox:
		children = append(children, node(ScheduleSend,
			node(ScheduleSendInvite), node(ScheduleSendReply), node(ScheduleSendFreeBusy)))
	}
	return SupportedPrivilegeSet{Privileges: []SupportedPrivilege{node(All, children...)}}
}

// CurrentUserPrivilegeSet is the DAV:current-user-privilege-set property
// value (RFC 3744 §5.4) for a granted set of privileges.
type CurrentUserPrivilegeSet struct {
	XMLName    xml.Name           `xml:"DAV: current-user-privilege-set"`
	Privileges []privilegeElement `xml:"DAV: privilege"`
}

// Current returns the DAV:current-user-privilege-set value listing every
// privilege of p (aggregates included when wholly granted).
func Current(p Privilege) CurrentUserPrivilegeSet {
	names := p.Names()
	set := CurrentUserPrivilegeSet{Privileges: make([]privilegeElement, len(names))}
	for i, n := range names {
		set.Privileges[i] = privilegeElement{Name: n}
	}
	return set
}
