package itip

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// ApplyOptions tunes Apply. The zero value is ready to use.
type ApplyOptions struct {
	// Now is the time written as DTSTAMP into the messages Apply returns;
	// zero means time.Now().
	Now time.Time
	// Floating is the location of DATE and floating DATE-TIME values (the
	// recipient calendar's time zone); nil means UTC. Instances are keyed
	// by their UTC instant after placing such values in it.
	Floating *time.Location
	// Originator, when set, is the calendar user the transport says the
	// message comes from (the authenticated sender, or the iMIP From
	// address as a mailto: URI). A REQUEST, ADD or CANCEL must then come
	// from the ORGANIZER (or its SENT-BY), a REPLY or REFRESH from the
	// replying ATTENDEE (or its SENT-BY); otherwise Apply refuses it.
	Originator string
	// AcceptReplyFromNonAttendee makes a REPLY from a calendar user who is
	// not an ATTENDEE of the organizer's copy (a "party crasher", RFC 5546
	// §3.2.3) add them as an attendee instead of being refused.
	AcceptReplyFromNonAttendee bool
	// ProdID is the PRODID of the messages Apply returns; empty means
	// DefaultProdID.
	ProdID string
}

// Outcome says what Apply did to the recipient's copy.
type Outcome uint8

const (
	// OutcomeIgnored: the message was not applied (stale, for a copy that
	// does not exist, a method that is not processed automatically …);
	// Applied.Reason says why. Nothing is to be stored.
	OutcomeIgnored Outcome = iota
	// OutcomeCreated: a new copy was built; store Applied.Calendar as a new
	// calendar object resource.
	OutcomeCreated
	// OutcomeUpdated: the copy changed; store Applied.Calendar over it.
	OutcomeUpdated
	// OutcomeCancelled: the copy, or some of its instances, are now
	// STATUS:CANCELLED; store Applied.Calendar over it.
	OutcomeCancelled
	// OutcomeUnchanged: the message was valid and current but the copy
	// already reflects it (a redelivery, a REFRESH). Nothing is to be
	// stored; Applied.Refresh may still hold messages to deliver.
	OutcomeUnchanged
	// OutcomeForUser: the message is valid for the copy but is for the
	// calendar user to act on (a COUNTER proposing a change to the
	// organizer, a DECLINECOUNTER refusing one): nothing is to be stored
	// but the message itself, in the recipient's inbox.
	OutcomeForUser
)

// String returns the lower-case name of the outcome.
func (o Outcome) String() string {
	switch o {
	case OutcomeIgnored:
		return "ignored"
	case OutcomeCreated:
		return "created"
	case OutcomeUpdated:
		return "updated"
	case OutcomeCancelled:
		return "cancelled"
	case OutcomeUnchanged:
		return "unchanged"
	case OutcomeForUser:
		return "for-user"
	}
	return "unknown"
}

// Applied is the result of Apply.
type Applied struct {
	// Method is the METHOD of the applied message, upper-cased.
	Method string
	// Outcome says what happened to the copy.
	Outcome Outcome
	// Calendar is the new copy to store, without METHOD; nil when nothing
	// is to be stored (OutcomeIgnored, OutcomeUnchanged).
	Calendar *ical.Calendar
	// StatusOnly reports that the copy changed only in participation
	// status: an organizer's copy updated by a REPLY, or an attendee's
	// copy updated by a REQUEST that only refreshed other attendees'
	// PARTSTAT. The caller must then keep the copy's Schedule-Tag
	// (RFC 6638 §3.2.10); otherwise it must change it.
	StatusOnly bool
	// Refresh holds the messages the caller must deliver because of this
	// one: after a REPLY, the status-only REQUESTs that tell the other
	// attendees about the new participation status (RFC 6638 §4.2),
	// grouped so that recipients of identical content share one Message;
	// for a REFRESH, the full REQUEST answering it; for an ADD to a copy
	// that does not exist, the REFRESH asking the organizer for the whole
	// object (RFC 5546 §3.2.4).
	Refresh []*Message
	// Reason explains an ignored message, or instances of the message that
	// were skipped; empty otherwise.
	Reason string
}

// Sentinel causes wrapped in the *Error values Apply returns, for callers
// that branch on the exact refusal.
var (
	// ErrOrganizerMismatch: the message's ORGANIZER is not the ORGANIZER
	// of the stored copy, or not the originator (condition ValidOrganizer).
	ErrOrganizerMismatch = errors.New("organizer mismatch")
	// ErrNotAttendee: the recipient of a REQUEST is not one of its
	// attendees, or a REPLY/REFRESH comes from someone who is not an
	// attendee of the organizer's copy (condition ValidSchedulingMessage).
	ErrNotAttendee = errors.New("not an attendee")
	// ErrNotOrganizerCopy: a REPLY or REFRESH was applied to a copy that
	// the recipient does not organize, or a REQUEST/ADD/CANCEL to the
	// organizer's own copy (condition ValidSchedulingMessage).
	ErrNotOrganizerCopy = errors.New("wrong role for this message")
)

// maxApplyComponents bounds the components of a message or a copy that
// Apply processes, so that a hostile message cannot make it work for long.
const maxApplyComponents = 5000

// maxCopyOverrides bounds the overrides a REPLY or CANCEL may bring a copy
// to by deriving new ones from the master, well below maxApplyComponents,
// so that no message can make a copy too large for the next Apply.
const maxCopyOverrides = maxApplyComponents / 2

// Apply applies an incoming iTIP message (RFC 5546 §3.2, RFC 6638 §4) to
// recipient's copy of the scheduling object: existing is the copy stored
// in one of the recipient's calendars with the message's UID, or nil when
// there is none. recipient is the calendar user address of the owner of
// that copy (the attendee for REQUEST, ADD and CANCEL; the organizer for
// REPLY and REFRESH).
//
// REQUEST creates or updates the copy, keeping what belongs to the
// recipient: their VALARMs, TRANSP, alarm acknowledgements, the instances
// they declined or removed and their PARTSTAT unless the update
// rescheduled them. ADD adds instances. CANCEL marks the whole copy, or the
// instances it names, STATUS:CANCELLED. REPLY updates the attendee's
// PARTSTAT and SCHEDULE-STATUS in the organizer's copy and returns the
// status-only REQUESTs for the other attendees. REFRESH returns the
// REQUEST answering it. COUNTER and DECLINECOUNTER change nothing: they
// are checked against the copy like a REPLY and a CANCEL (a COUNTER must
// come from an attendee of the organizer's copy, a DECLINECOUNTER from the
// ORGANIZER of the attendee's) and returned as OutcomeForUser, for the
// user to act on. PUBLISH is ignored.
//
// A message older than the copy (lower SEQUENCE, or equal SEQUENCE and
// older DTSTAMP, RFC 5546 §2.1.5) is ignored; one of the same revision
// (DTSTAMP has one-second resolution) is applied when its content differs.
// The DTSTAMP compared is the organizer's: every component Apply writes to
// an attendee's copy records it in X-AUTOSCHEDULE-ORGANIZER-DTSTAMP, since
// attendee clients rewrite DTSTAMP when they save; a copy without it falls
// back to its DTSTAMP. A REPLY or CANCEL component whose RECURRENCE-ID
// names no instance of the copy is ignored (it could only add a bogus
// override; the rest of the message still applies). A
// RECURRENCE-ID equal to the start of a non-recurring event addresses the
// event itself. A REPLY without ORGANIZER (as Outlook sends some) is
// accepted when its attendee is one of the copy's, or a delegate named by
// DELEGATED-TO. A message from another
// ORGANIZER than the stored one is refused. Errors are *Error values whose
// Condition names the violated precondition; errors.Is also matches the
// sentinel causes ErrOrganizerMismatch, ErrNotAttendee and
// ErrNotOrganizerCopy.
//
// Neither msg nor existing is modified, and Applied.Calendar shares
// nothing mutable with them (only strings): the caller may edit the result
// in place and may apply the same msg to the next recipient. For a REQUEST
// to a recipient without a copy, the created copy does not depend on the
// recipient (who must only be one of its attendees), so a caller
// delivering one REQUEST to many such recipients may apply it once and
// store the same serialisation for all of them. The messages in
// Applied.Refresh are serialised before Apply returns; treat their
// Calendar as read-only.
func Apply(msg, existing *ical.Calendar, recipient string, opts ApplyOptions) (*Applied, error) {
	if strings.TrimSpace(recipient) == "" {
		return nil, errorf(ValidSchedulingMessage, "no recipient")
	}
	if opts.Floating == nil {
		opts.Floating = time.UTC
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if msg == nil || msg.Component == nil {
		return nil, errorf(ValidCalendarData, "no message")
	}
	method := strings.ToUpper(propValue(msg.Component, ical.PropMethod))
	switch method {
	case MethodRequest, MethodAdd, MethodCancel, MethodReply, MethodRefresh, MethodCounter, MethodDeclineCounter:
	case MethodPublish:
		return &Applied{Method: method, Outcome: OutcomeIgnored,
			Reason: method + " is not applied automatically; it is for the calendar user to act on"}, nil
	case "":
		return nil, errorf(ValidSchedulingMessage, "no METHOD property")
	default:
		return nil, errorf(ValidSchedulingMessage, "unknown METHOD %q", method)
	}
	if n := len(msg.Children); n > maxApplyComponents {
		return nil, errorf(ValidSchedulingMessage, "%d components: more than %d", n, maxApplyComponents)
	}
	mo, err := ParseObject(msg, opts.Floating)
	if err != nil {
		return nil, err
	}
	switch mo.Kind {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal:
	default:
		return nil, errorf(SupportedCalendarComponent, "%s cannot be scheduled", mo.Kind)
	}
	var eo *Object
	if existing != nil {
		if n := len(existing.Children); n > maxApplyComponents {
			return nil, errorf(ValidCalendarObjectResource, "stored copy has %d components: more than %d", n, maxApplyComponents)
		}
		if eo, err = ParseObject(existing, opts.Floating); err != nil {
			return nil, err
		}
		if eo.UID != mo.UID {
			return nil, errorf(ValidCalendarObjectResource, "stored copy has UID %q, the message %q", eo.UID, mo.UID)
		}
		if eo.Kind != mo.Kind {
			return nil, errorf(ValidCalendarObjectResource, "stored copy is a %s, the message a %s", eo.Kind, mo.Kind)
		}
	}
	a := &applier{msg: mo, old: eo, recipient: strings.TrimSpace(recipient), opts: opts, method: method}
	var res *Applied
	switch method {
	case MethodRequest:
		res, err = a.request()
	case MethodAdd:
		res, err = a.add()
	case MethodCancel:
		res, err = a.cancel()
	case MethodReply:
		res, err = a.reply()
	case MethodRefresh:
		res, err = a.refresh()
	case MethodCounter:
		res, err = a.counter()
	case MethodDeclineCounter:
		res, err = a.declineCounter()
	}
	if err != nil {
		return nil, err
	}
	res.Method = method
	if len(a.skipped) > 0 {
		why := strings.Join(a.skipped, "; ")
		if more := a.nskipped - len(a.skipped); more > 0 {
			why += fmt.Sprintf("; and %d more", more)
		}
		if res.Reason == "" {
			res.Reason = why
		} else {
			res.Reason += ": " + why
		}
	}
	return res, nil
}

// applier holds the state of one Apply call.
type applier struct {
	msg       *Object // the message
	old       *Object // the stored copy, nil when absent
	recipient string
	opts      ApplyOptions
	method    string
	skipped   []string           // why components of the message were not applied
	changed   bool               // a REPLY changed the organizer's copy
	checks    int                // recurrence expansions done by isInstance
	confirmed map[time.Time]bool // RECURRENCE-IDs checkInstances answered for
	delegate  bool               // the replier is a delegate named by DELEGATED-TO
	nskipped  int                // components skipped, listed or not
}

// skip records why a component of the message was not applied; the first
// maxReasons reasons end up in Applied.Reason.
func (a *applier) skip(format string, args ...any) {
	a.nskipped++
	if len(a.skipped) < maxReasons {
		a.skipped = append(a.skipped, fmt.Sprintf(format, args...))
	}
}

// maxReasons bounds the skipped components Applied.Reason lists.
const maxReasons = 5

// ignored returns the result for a message that changes nothing.
func (a *applier) ignored(reason string) *Applied {
	return &Applied{Outcome: OutcomeIgnored, Reason: reason}
}

// checkOrganizerMessage runs the checks shared by REQUEST, ADD and CANCEL:
// the message has an ORGANIZER, comes from it (or is a REQUEST a delegator
// forwards to the recipient, their delegate), is not addressed to it, and
// matches the ORGANIZER of the stored copy.
func (a *applier) checkOrganizerMessage() error {
	if a.msg.Organizer == "" {
		return errorf(ValidOrganizer, "%s without ORGANIZER", a.method)
	}
	if a.opts.Originator != "" && !sentBy(Organizer(a.msg.Components()[0]), a.opts.Originator) && !a.forwardedByDelegator() {
		return &Error{Condition: ValidOrganizer, Err: ErrOrganizerMismatch,
			Msg: "the message comes from " + a.opts.Originator + ", not from its ORGANIZER " + a.msg.Organizer}
	}
	if caladdr.Equal(a.msg.Organizer, a.recipient) {
		return &Error{Condition: ValidSchedulingMessage, Err: ErrNotOrganizerCopy,
			Msg: "a " + a.method + " is not applied to the organizer's own copy"}
	}
	if a.old != nil && !caladdr.Equal(a.old.Organizer, a.msg.Organizer) {
		stored := a.old.Organizer
		if stored == "" {
			stored = "none"
		}
		return &Error{Condition: ValidOrganizer, Err: ErrOrganizerMismatch,
			Msg: "the stored copy's ORGANIZER is " + stored + ", the " + a.method + "'s " + a.msg.Organizer}
	}
	return nil
}

// sentBy reports whether addr is the calendar user of p or the one named
// by its SENT-BY parameter.
func sentBy(p *ical.Prop, addr string) bool {
	if p == nil {
		return false
	}
	if caladdr.Equal(p.Value, addr) {
		return true
	}
	sb := strings.Trim(p.Params.Get(ical.ParamSentBy), `"`)
	return sb != "" && caladdr.Equal(sb, addr)
}

// isAttendeeOf reports whether addr is an ATTENDEE of any component of o.
func isAttendeeOf(o *Object, addr string) bool {
	for _, c := range o.Components() {
		if Attendee(c, addr) != nil {
			return true
		}
	}
	return false
}
