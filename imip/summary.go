package imip

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/tz"
	"github.com/go-autoschedule/autoschedule/itip"
)

// Limits on the text taken from calendar data into the human-readable
// parts (attacker-controlled data must not make mails huge).
const (
	maxTitleRunes       = 500
	maxTextRunes        = 10000
	maxSummaryAttendees = 100
)

// Kind is what a mail tells its reader; it selects the subject prefix
// and the wording of the templates.
type Kind string

// The kinds of mail.
const (
	KindInvitation     Kind = "invitation"     // a first REQUEST
	KindUpdate         Kind = "update"         // a later REQUEST or an ADD
	KindCancel         Kind = "cancel"         // a CANCEL
	KindReply          Kind = "reply"          // a REPLY
	KindCounter        Kind = "counter"        // a COUNTER
	KindDeclineCounter Kind = "declinecounter" // a DECLINECOUNTER
	KindRefresh        Kind = "refresh"        // a REFRESH
	KindPublish        Kind = "publish"        // a PUBLISH
)

// Person is a calendar user as shown in a mail.
type Person struct {
	// Name is the CN parameter, or "".
	Name string
	// Email is the e-mail address of a mailto: address, else the address.
	Email string
	// PartStat is the PARTSTAT parameter (ATTENDEE only), e.g. "ACCEPTED".
	PartStat string
	// Role is the ROLE parameter (ATTENDEE only), e.g. "OPT-PARTICIPANT".
	Role string
}

// String returns "Name <email>" or the e-mail address alone.
func (p Person) String() string {
	if p.Name == "" {
		return p.Email
	}
	return p.Name + " <" + p.Email + ">"
}

// Change is one difference between the previous version of an event and
// the one a mail announces.
type Change struct {
	// Field names what changed: "Title", "When", "Where", "Description",
	// "Repeats", "Attendees".
	Field string
	// Old and New are the values before and after, as displayed.
	Old, New string
}

// Summary is the data handed to the text and HTML templates: a readable
// digest of one iTIP message for one recipient. All strings come from the
// calendar data unescaped and unsanitised: the HTML template escapes them
// (html/template); the subject is sanitised separately.
type Summary struct {
	// Kind is what the mail is about.
	Kind Kind
	// Headline says it in words: "You are invited", "This event has been
	// canceled" … (with " (single occurrence)" when Occurrence).
	Headline string
	// ReplyPhrase is the reply in words for a REPLY, COUNTER or REFRESH:
	// "Bob has accepted this invitation." …; "" otherwise.
	ReplyPhrase string
	// Method is the iTIP method, e.g. "REQUEST".
	Method string
	// Subject is the mail's subject (already sanitised).
	Subject string
	// Title is the SUMMARY of the event or to-do.
	Title string
	// Location is its LOCATION.
	Location string
	// Description is its DESCRIPTION.
	Description string
	// URL is its URL property.
	URL string
	// Comment is the COMMENT of a reply or cancellation.
	Comment string
	// When is the date and time, formatted in the recipient's time zone
	// when it is known, else in the event's own time zone.
	When string
	// Start and End are the start and end instants (End is zero when
	// unknown); AllDay is true for DATE values.
	Start, End time.Time
	AllDay     bool
	// TimeZone is the name of the time zone When is written in.
	TimeZone string
	// Repeats describes the recurrence rule, or "".
	Repeats string
	// Occurrence is true when the message is about single occurrences
	// of a recurring event (RECURRENCE-ID), not the whole series.
	Occurrence bool
	// Organizer is the ORGANIZER.
	Organizer Person
	// Attendees are the ATTENDEEs (at most 100).
	Attendees []Person
	// MoreAttendees is the number of attendees not listed.
	MoreAttendees int
	// Replier is the attendee who replied (REPLY, COUNTER, REFRESH).
	Replier Person
	// Recipient is the person the mail is for.
	Recipient Person
	// Changes are what changed since the previous version, when it is
	// known (see ComposeInput.Previous).
	Changes []Change
	// ProductName names the calendar service in the mail's footer.
	ProductName string
}

// summarize builds the Summary of msg for recipient.
func summarize(in *ComposeInput, productName string) *Summary {
	msg := in.Message
	s := &Summary{Method: msg.Method, ProductName: productName}
	comps := msg.Components()
	main := mainComponent(comps)
	if main == nil {
		s.Kind = kindOf(msg, nil, in.Previous, in.Recipient)
		s.Subject = subjectFor(s)
		return s
	}
	s.Occurrence = true
	for _, c := range comps {
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			s.Occurrence = false
		}
	}
	s.Title = clip(textValue(main, ical.PropSummary), maxTitleRunes)
	s.Location = clip(textValue(main, ical.PropLocation), maxTitleRunes)
	s.Description = clip(textValue(main, ical.PropDescription), maxTextRunes)
	s.Comment = clip(textValue(main, ical.PropComment), maxTextRunes)
	s.URL = clip(strings.TrimSpace(propValue(main, ical.PropURL)), maxTitleRunes)
	if p := main.Props.Get(ical.PropOrganizer); p != nil {
		s.Organizer = personOf(p)
	}
	atts := main.Props[ical.PropAttendee]
	for i := range atts {
		if len(s.Attendees) == maxSummaryAttendees {
			s.MoreAttendees = len(atts) - i
			break
		}
		s.Attendees = append(s.Attendees, personOf(&atts[i]))
	}
	if msg.Method == itip.MethodReply || msg.Method == itip.MethodCounter || msg.Method == itip.MethodRefresh {
		if len(atts) > 0 {
			s.Replier = personOf(&atts[0])
		}
	}
	s.Recipient = Person{Email: emailOf(in.Recipient)}
	for i := range atts {
		if caladdr.Equal(atts[i].Value, in.Recipient) {
			s.Recipient = personOf(&atts[i])
		}
	}
	if s.Recipient.Name == "" && caladdr.Equal(s.Organizer.Email, emailOf(in.Recipient)) {
		s.Recipient.Name = s.Organizer.Name
	}
	res := tz.NewResolver(msg.Calendar)
	w := timesOf(res, main, in.Location)
	s.Start, s.End, s.AllDay, s.When, s.TimeZone = w.start, w.end, w.allDay, w.text, w.zone
	s.Repeats = describeRule(propValue(main, ical.PropRecurrenceRule))
	if in.Previous != nil {
		s.Changes = changes(in.Previous, in.Location, s, main)
	}
	s.Kind = kindOf(msg, main, in.Previous, in.Recipient)
	s.Subject = subjectFor(s)
	s.Headline = headline(s.Kind, s.Occurrence)
	s.ReplyPhrase = replyPhrase(s.Replier)
	return s
}

// headline returns the first line of a mail of kind k.
func headline(k Kind, occurrence bool) string {
	h := map[Kind]string{
		KindInvitation:     "You are invited",
		KindUpdate:         "This event has been updated",
		KindCancel:         "This event has been canceled",
		KindReply:          "A reply to your invitation",
		KindCounter:        "A new time has been proposed",
		KindDeclineCounter: "Your proposal has been declined",
		KindRefresh:        "An attendee asks for the latest version",
	}[k]
	if h == "" {
		h = "Event"
	}
	if occurrence {
		h += " (single occurrence)"
	}
	return h
}

// replyPhrase describes the answer of the replying attendee p.
func replyPhrase(p Person) string {
	if p.Email == "" {
		return ""
	}
	who := p.Name
	if who == "" {
		who = p.Email
	}
	switch p.PartStat {
	case "ACCEPTED":
		return who + " has accepted this invitation."
	case "DECLINED":
		return who + " has declined this invitation."
	case "TENTATIVE":
		return who + " has tentatively accepted this invitation."
	case "DELEGATED":
		return who + " has delegated this invitation."
	}
	return who + " replied to this invitation."
}

// mainComponent returns the master component (no RECURRENCE-ID), else
// the first one.
func mainComponent(comps []*ical.Component) *ical.Component {
	for _, c := range comps {
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			return c
		}
	}
	if len(comps) > 0 {
		return comps[0]
	}
	return nil
}

// kindOf works out what the mail tells its reader.
func kindOf(msg *itip.Message, main *ical.Component, prev *ical.Calendar, recipient string) Kind {
	switch msg.Method {
	case itip.MethodRequest:
		if prev != nil {
			if wasRecipient(prev, recipient) {
				return KindUpdate
			}
			return KindInvitation
		}
		if msg.Update == itip.UpdateStatusOnly {
			return KindUpdate
		}
		if main != nil {
			if n := strings.TrimSpace(propValue(main, ical.PropSequence)); n != "" && n != "0" {
				return KindUpdate
			}
		}
		return KindInvitation
	case itip.MethodAdd:
		return KindUpdate
	case itip.MethodCancel:
		return KindCancel
	case itip.MethodReply:
		return KindReply
	case itip.MethodCounter:
		return KindCounter
	case itip.MethodDeclineCounter:
		return KindDeclineCounter
	case itip.MethodRefresh:
		return KindRefresh
	}
	return KindPublish
}

// wasRecipient reports whether addr is the organizer or an attendee of
// any component of cal.
func wasRecipient(cal *ical.Calendar, addr string) bool {
	for _, c := range cal.Children {
		if itip.Involves(c, addr) {
			return true
		}
	}
	return false
}

// subjectFor returns the sanitised subject of s.
func subjectFor(s *Summary) string {
	title := s.Title
	if title == "" {
		title = "(no title)"
	}
	var prefix string
	switch s.Kind {
	case KindInvitation:
		prefix = "Invitation: "
	case KindUpdate:
		prefix = "Updated: "
	case KindCancel:
		prefix = "Canceled: "
	case KindReply:
		switch strings.ToUpper(s.Replier.PartStat) {
		case "ACCEPTED":
			prefix = "Accepted: "
		case "DECLINED":
			prefix = "Declined: "
		case "TENTATIVE":
			prefix = "Tentative: "
		case "DELEGATED":
			prefix = "Delegated: "
		default:
			prefix = "Reply: "
		}
	case KindCounter:
		prefix = "New time proposed: "
	case KindDeclineCounter:
		prefix = "Proposal declined: "
	case KindRefresh:
		prefix = "Refresh request: "
	default:
		prefix = "Event: "
	}
	return headerText(prefix+title, maxSubjectRunes)
}

// personOf returns the Person of an ORGANIZER or ATTENDEE property.
func personOf(p *ical.Prop) Person {
	return Person{
		Name:     clip(strings.TrimSpace(p.Params.Get(ical.ParamCommonName)), maxTitleRunes),
		Email:    emailOf(p.Value),
		PartStat: strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus)),
		Role:     strings.ToUpper(p.Params.Get(ical.ParamRole)),
	}
}

// emailOf returns the e-mail address of a mailto: address, else addr.
func emailOf(addr string) string {
	if e, ok := caladdr.Email(addr); ok {
		return e
	}
	return clip(strings.TrimSpace(addr), maxTitleRunes)
}

// propValue returns the raw value of the first property name of c.
func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// textValue returns the first property name of c as unescaped TEXT
// (RFC 5545 §3.3.11).
func textValue(c *ical.Component, name string) string {
	return unescapeText(strings.TrimSpace(propValue(c, name)))
}

// unescapeText undoes the TEXT escapes \\ \; \, \n \N.
func unescapeText(v string) string {
	if !strings.ContainsRune(v, '\\') {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			b.WriteByte(c)
			continue
		}
		i++
		switch v[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// clip returns s cut to at most n runes, with an ellipsis when cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + "…"
		}
		count++
	}
	return s
}
