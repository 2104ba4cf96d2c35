package itip

import (
	"strings"
	"sync"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// The iTIP methods (RFC 5546 §1.4).
const (
	MethodPublish        = "PUBLISH"
	MethodRequest        = "REQUEST"
	MethodReply          = "REPLY"
	MethodAdd            = "ADD"
	MethodCancel         = "CANCEL"
	MethodRefresh        = "REFRESH"
	MethodCounter        = "COUNTER"
	MethodDeclineCounter = "DECLINECOUNTER"
)

// DefaultProdID is the PRODID written into messages when none is configured.
const DefaultProdID = "-//go-autoschedule//itip//EN"

// UpdateKind says how much of the scheduling object a message changes for
// its recipients. Schedule-Tag (RFC 6638 §3.2.10) and e-mail wording depend
// on it.
type UpdateKind uint8

const (
	// UpdateFull is a change other than participation status: new times,
	// summary, location, attendees, cancellation …
	UpdateFull UpdateKind = iota + 1
	// UpdateStatusOnly only refreshes participation status: a REPLY, or a
	// REQUEST that only carries other attendees' new PARTSTAT values.
	UpdateStatusOnly
)

// String returns "full" or "status-only".
func (k UpdateKind) String() string {
	switch k {
	case UpdateFull:
		return "full"
	case UpdateStatusOnly:
		return "status-only"
	}
	return "unknown"
}

// Message is one iTIP message (RFC 5546) to deliver to one or more
// recipients. Recipients that are to receive identical content share one
// Message, so the content is serialised once.
//
// The Calendar carries METHOD, PRODID, VERSION, a VTIMEZONE for each TZID
// its components reference (the object's own, or for messages from Plan
// one generated from the IANA zone) and a DTSTAMP in every component; it
// never carries
// SCHEDULE-AGENT, SCHEDULE-STATUS or SCHEDULE-FORCE-SEND. Treat it as
// read-only once Bytes has been called. Its parameter maps may be shared
// with other properties, other messages and the object Plan stores: to
// change a parameter before calling Bytes, give the property a new map.
type Message struct {
	// Method is the iTIP method, e.g. MethodRequest.
	Method string
	// Originator is the calendar user address the message is from: the
	// ORGANIZER for REQUEST, ADD and CANCEL, the replying ATTENDEE for REPLY.
	Originator string
	// Recipients are the calendar user addresses to deliver to, as written
	// in the calendar data.
	Recipients []string
	// Update says whether this is a full update or only a refresh of
	// participation status.
	Update UpdateKind
	// Calendar is the message content.
	Calendar *ical.Calendar

	once    sync.Once
	encoded []byte
}

// Bytes returns the message serialised as iCalendar text (CRLF line ends,
// lines folded at 75 octets). The result is computed once and shared; do
// not modify it. Bytes is safe for concurrent use.
func (m *Message) Bytes() []byte {
	m.once.Do(func() { m.encoded = ics.Encode(m.Calendar) })
	return m.encoded
}

// To returns m addressed to recipients instead: the same content and
// serialisation, encoded once for both.
func (m *Message) To(recipients []string) *Message {
	out := &Message{Method: m.Method, Originator: m.Originator, Recipients: recipients, Update: m.Update,
		Calendar: m.Calendar, encoded: m.Bytes()}
	out.once.Do(func() {}) // encoded is set
	return out
}

// UID returns the UID of the message's components.
func (m *Message) UID() string {
	for _, c := range m.Calendar.Children {
		if c.Name != ical.CompTimezone {
			if uid := propValue(c, ical.PropUID); uid != "" {
				return uid
			}
		}
	}
	return ""
}

// Components returns the scheduled components of the message (every child
// but VTIMEZONE).
func (m *Message) Components() []*ical.Component {
	out := make([]*ical.Component, 0, len(m.Calendar.Children))
	for _, c := range m.Calendar.Children {
		if c.Name != ical.CompTimezone {
			out = append(out, c)
		}
	}
	return out
}

// HasRecipient reports whether addr is one of the recipients.
func (m *Message) HasRecipient(addr string) bool {
	for _, r := range m.Recipients {
		if caladdr.Equal(r, addr) {
			return true
		}
	}
	return false
}

// DecodeMessage decodes iCalendar text holding an iTIP message; see
// ParseMessage.
func DecodeMessage(data []byte) (*Message, error) {
	cal, err := ics.Decode(data)
	if err != nil {
		return nil, wrapError(ValidCalendarData, "cannot decode", err)
	}
	return ParseMessage(cal)
}

// ParseMessage validates cal as an iTIP message (RFC 5546 §3) and fills in
// Method, Originator, Recipients and Update from its content: for REPLY,
// REFRESH and COUNTER the originator is the single ATTENDEE and the
// recipient the ORGANIZER; for the other methods the originator is the
// ORGANIZER and the recipients are the attendees. A COUNTER may list
// several attendees (RFC 5546 §3.2.7); its Originator is then empty, and
// the transport names the proposer (ApplyOptions.Originator), who must be
// one of them. Errors are *Error values
// with the ValidSchedulingMessage, ValidOrganizer or ValidCalendarData
// condition.
func ParseMessage(cal *ical.Calendar) (*Message, error) {
	if cal == nil || cal.Component == nil {
		return nil, errorf(ValidCalendarData, "no calendar")
	}
	method := strings.ToUpper(propValue(cal.Component, ical.PropMethod))
	switch method {
	case MethodPublish, MethodRequest, MethodReply, MethodAdd, MethodCancel,
		MethodRefresh, MethodCounter, MethodDeclineCounter:
	case "":
		return nil, errorf(ValidSchedulingMessage, "no METHOD property")
	default:
		return nil, errorf(ValidSchedulingMessage, "unknown METHOD %q", method)
	}
	m := &Message{Method: method, Calendar: cal, Update: UpdateFull}
	if method == MethodReply || method == MethodRefresh {
		m.Update = UpdateStatusOnly
	}
	var comps []*ical.Component
	kind, uid := "", ""
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
		default:
			continue
		}
		if kind == "" {
			kind = c.Name
		} else if kind != c.Name {
			return nil, errorf(ValidSchedulingMessage, "mixes %s and %s components", kind, c.Name)
		}
		u := propValue(c, ical.PropUID)
		if u == "" && c.Name != ical.CompFreeBusy {
			return nil, errorf(ValidSchedulingMessage, "%s without UID", c.Name)
		}
		if uid == "" {
			uid = u
		} else if u != "" && u != uid {
			return nil, errorf(ValidSchedulingMessage, "components have different UIDs")
		}
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		return nil, errorf(ValidSchedulingMessage, "no calendar component")
	}
	for _, c := range comps {
		org := Organizer(c)
		if org == nil || strings.TrimSpace(org.Value) == "" {
			if method == MethodPublish {
				continue
			}
			return nil, errorf(ValidOrganizer, "%s without ORGANIZER", c.Name)
		}
		if m.Originator == "" && !fromAttendee(method) {
			m.Originator = strings.TrimSpace(org.Value)
		} else if !fromAttendee(method) && !caladdr.Equal(m.Originator, org.Value) {
			return nil, errorf(SameOrganizerInAllComponents, "ORGANIZER %q and %q", m.Originator, org.Value)
		}
		if fromAttendee(method) && len(m.Recipients) == 0 {
			m.Recipients = []string{strings.TrimSpace(org.Value)}
		}
	}
	seen := caladdr.Set{}
	several := false // a COUNTER with several ATTENDEEs in a component
	for _, c := range comps {
		atts := c.Props[ical.PropAttendee]
		if fromAttendee(method) {
			if method == MethodCounter && len(atts) > 1 {
				// RFC 5546 §3.2.7 lets a COUNTER list other attendees
				// (Outlook lists them all): which one proposes is the
				// transport's to say.
				several = true
				continue
			}
			from := replyingAttendee(c) // a delegator's REPLY names their delegates too
			if from == nil || (len(atts) != 1 && method != MethodReply) {
				return nil, errorf(ValidSchedulingMessage, "a %s must name exactly one ATTENDEE per component (or a delegator and their delegates), not %d", method, len(atts))
			}
			if m.Originator == "" {
				m.Originator = strings.TrimSpace(from.Value)
			} else if !caladdr.Equal(m.Originator, from.Value) {
				return nil, errorf(ValidSchedulingMessage, "a %s names different attendees", method)
			}
			continue
		}
		for i := range atts {
			a := strings.TrimSpace(atts[i].Value)
			if a == "" || seen.Has(a) || caladdr.Equal(a, m.Originator) {
				continue
			}
			seen.Add(a)
			m.Recipients = append(m.Recipients, a)
		}
	}
	if several {
		m.Originator = ""
	}
	return m, nil
}

// fromAttendee reports whether method is sent by an attendee.
func fromAttendee(method string) bool {
	return method == MethodReply || method == MethodRefresh || method == MethodCounter
}

// newMessageCalendar returns an empty VCALENDAR for an iTIP message.
func newMessageCalendar(method, prodID string, capacity int) *ical.Calendar {
	if prodID == "" {
		prodID = DefaultProdID
	}
	// One allocation for the calendar, its component, the three
	// properties and a short Children list; each slice is capped so that
	// an append never overwrites the next.
	m := &struct {
		cal   ical.Calendar
		comp  ical.Component
		props [3]ical.Prop
		kids  [2]*ical.Component // Children's storage for a capacity of 2 or less
	}{}
	none := ical.Params{} // shared: parameter maps are replaced, never written into
	m.props = [...]ical.Prop{
		{Name: ical.PropProductID, Params: none, Value: prodID},
		{Name: ical.PropVersion, Params: none, Value: "2.0"},
		{Name: ical.PropMethod, Params: none, Value: method},
	}
	m.comp = ical.Component{Name: ical.CompCalendar, Props: make(ical.Props, 3)}
	if capacity <= len(m.kids) {
		m.comp.Children = m.kids[:0:capacity]
	} else {
		m.comp.Children = make([]*ical.Component, 0, capacity)
	}
	m.comp.Props[ical.PropProductID] = m.props[0:1:1]
	m.comp.Props[ical.PropVersion] = m.props[1:2:2]
	m.comp.Props[ical.PropMethod] = m.props[2:3:3]
	m.cal.Component = &m.comp
	return &m.cal
}
