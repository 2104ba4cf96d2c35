package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// ProcessIncoming applies an iTIP message that arrived from outside the
// store (an iMIP e-mail that imip.Receiver has checked) to the copies of
// the recipients the store hosts, exactly as a message between local
// users is delivered. It implements imip.Processor.
//
// originator is the calendar user address the transport vouched for (the
// mail's verified sender as a mailto: URI); itip.Apply refuses a REQUEST,
// ADD or CANCEL that is not from the message's ORGANIZER, and a REPLY or
// REFRESH not from its ATTENDEE. An originator the store hosts (or a
// message whose ORGANIZER or replying ATTENDEE it hosts) is refused for
// every recipient (3.8, logged): local users schedule through
// the server, and mail claiming to come from them (a forged From in the
// server's own domain, or the copy a SCHEDULE-AGENT=CLIENT client mails
// besides) is not trusted to change their objects. For each recipient:
//   - not hosted by the store (or not enabled for scheduling): 3.7; the
//     message is never relayed elsewhere;
//   - the privilege.Policy decides first: it is asked for
//     schedule-deliver-invite (REQUEST, ADD, CANCEL) or -reply (REPLY,
//     REFRESH, COUNTER) on the recipient's inbox with the actor set to
//     the normalised originator address ("mailto:…", never a principal
//     path: mail authenticates an address, not a login).
//     privilege.Default grants it, so external calendar users may invite
//     local users and answer their invitations; a policy that refuses
//     mail refuses actors that do not start with "/". Denied: 3.8;
//   - the recipient's copy is updated (or created in their default
//     calendar) with compare-and-swap, the message stored in their inbox
//     after processing, and the other attendees refreshed after a REPLY
//     (RFC 6638 §4.2, through local delivery and the Deliverers): 1.2.
//     Stale messages (older SEQUENCE, DTSTAMP) are ignored, still 1.2;
//   - in a REQUEST or ADD, the recipient's own PARTSTAT is theirs: the
//     organizer's claim is read as NEEDS-ACTION (withoutAnswers), so an
//     invitation never arrives already accepted;
//   - a COUNTER (an attendee proposes a change, e.g. Outlook's "propose
//     new time") and a DECLINECOUNTER change no copy: checked against it
//     like a REPLY and a CANCEL, they are filed in the recipient's inbox
//     for the user to act on (once: the same message delivered again is
//     not filed twice): 1.2;
//   - a REQUEST or CANCEL whose ORGANIZER is not the stored copy's, and a
//     REPLY from someone who is not an attendee of the organizer's copy,
//     are refused and logged: 3.8. Other refusals by itip.Apply, and a
//     copy the store refuses (backend.ErrInvalidData, backend.ErrTooLarge):
//     5.3; storage failures: 5.1.
//
// A REPLY without ORGANIZER (Outlook, Exchange) is applied to the
// organizer's copy with the message's UID when its attendee is one of the
// copy's. The statuses are keyed by caladdr.Normalize of the recipient.
// The error is only for the call as a whole: no message, no originator
// (an *itip.Error), the originator lookup failed, or ctx ended (then the
// statuses so far are returned too); the caller should have the message
// sent again unless it is an *itip.Error.
func (h *Handler) ProcessIncoming(ctx context.Context, originator string, recipients []string, msg *itip.Message) (map[string]Status, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("schedule: processing an incoming message: %w", err)
	}
	if msg == nil || msg.Calendar == nil {
		return nil, &itip.Error{Condition: itip.ValidSchedulingMessage, Msg: "no incoming message"}
	}
	if strings.TrimSpace(originator) == "" {
		return nil, &itip.Error{Condition: itip.ValidOrganizer, Msg: "an incoming " + msg.Method + " without originator"}
	}
	if len(recipients) == 0 {
		return map[string]Status{}, nil
	}
	hosted, err := h.isHosted(ctx, originator)
	if err == nil && !hosted && msg.Originator != "" && !caladdr.Equal(msg.Originator, originator) {
		// Sent by a SENT-BY on behalf of the message's own originator.
		hosted, err = h.isHosted(ctx, msg.Originator)
	}
	if err != nil {
		return nil, err
	}
	if hosted {
		// The server schedules for its own users: mail that claims to
		// come from one of them is not trusted to change their objects
		// (it would be the only guard against a forged From in the
		// server's own domain).
		statuses := make(map[string]Status, len(recipients))
		for _, r := range recipients {
			statuses[caladdr.Normalize(r)] = StatusNoPrivilege
		}
		h.log.WarnContext(ctx, "schedule: incoming message from a local calendar user refused",
			"originator", originator, "method", msg.Method, "uid", msg.UID())
		return statuses, nil
	}
	// The message as received, addressed to the recipients the transport
	// names (an envelope may name fewer than the calendar data).
	in := &itip.Message{Method: msg.Method, Originator: msg.Originator, Recipients: recipients, Update: msg.Update,
		Calendar: withoutAnswers(msg, recipients)}
	statuses := h.deliverFrom(ctx, externalOrigin(originator), []*itip.Message{in}, ScopeAll)
	h.dropRefiled(ctx, in, statuses)
	h.logUndelivered(ctx, originator, in, statuses)
	if err := ctx.Err(); err != nil {
		return statuses, fmt.Errorf("schedule: processing an incoming message: %w", err)
	}
	return statuses, nil
}

// isHosted reports whether the store hosts the calendar user addr.
func (h *Handler) isHosted(ctx context.Context, addr string) (bool, error) {
	_, err := h.store.PrincipalByAddress(ctx, addr)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, backend.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("schedule: looking up the originator of an incoming message: %w", err)
}

// withoutAnswers returns the calendar of msg with the PARTSTAT of the
// recipients' ATTENDEE properties set to NEEDS-ACTION in a REQUEST or ADD,
// sharing everything else with msg.Calendar (which is not changed). Only
// the attendee answers for themselves: a local organizer may not set
// another user's PARTSTAT (RFC 6638 §3.2.1, refused at PUT), and an
// external organizer may not either, or a new invitation (or a
// rescheduled one, which resets the answer, §3.2.8) would arrive already
// accepted. Updates that leave the instances in place keep the
// recipient's own PARTSTAT anyway (itip.Apply).
func withoutAnswers(msg *itip.Message, recipients []string) *ical.Calendar {
	if msg.Method != itip.MethodRequest && msg.Method != itip.MethodAdd {
		return msg.Calendar
	}
	rcpts := caladdr.NewSet(recipients...)
	answered := func(p *ical.Prop) bool {
		return rcpts.Has(p.Value) && !strings.EqualFold(p.Params.Get(ical.ParamParticipationStatus), "NEEDS-ACTION")
	}
	var out *ical.Calendar
	for i, c := range msg.Calendar.Children {
		atts := c.Props[ical.PropAttendee]
		if !slices.ContainsFunc(atts, func(p ical.Prop) bool { return answered(&p) }) {
			continue
		}
		if out == nil {
			out = &ical.Calendar{Component: &ical.Component{Name: msg.Calendar.Name, Props: msg.Calendar.Props,
				Children: slices.Clone(msg.Calendar.Children)}}
		}
		cc := &ical.Component{Name: c.Name, Props: maps.Clone(c.Props), Children: c.Children}
		cc.Props[ical.PropAttendee] = slices.Clone(atts)
		for j := range cc.Props[ical.PropAttendee] {
			p := &cc.Props[ical.PropAttendee][j]
			if answered(p) {
				p.Params = maps.Clone(p.Params)
				p.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
			}
		}
		out.Children[i] = cc
	}
	if out == nil {
		return msg.Calendar
	}
	return out
}

// maxLoggedRecipients is how many undelivered recipients the log line of
// an incoming message names.
const maxLoggedRecipients = 10

// logUndelivered logs the recipients of in that did not get it, in one
// line however many they are (a message may name thousands): how many,
// how many per status, and the first few with their status.
func (h *Handler) logUndelivered(ctx context.Context, originator string, in *itip.Message, statuses map[string]Status) {
	var (
		n      int
		counts = map[Status]int{}
		some   []string
	)
	for _, r := range in.Recipients {
		st := statuses[caladdr.Normalize(r)]
		if strings.HasPrefix(string(st), "1.") {
			continue
		}
		n++
		counts[st]++
		if len(some) < maxLoggedRecipients {
			some = append(some, r+" "+string(st))
		}
	}
	if n == 0 {
		return
	}
	attrs := []any{"originator", originator, "method", in.Method, "uid", in.UID(), "undelivered", n, "recipients", some}
	codes := make([]Status, 0, len(counts))
	for st := range counts {
		codes = append(codes, st)
	}
	slices.Sort(codes)
	for _, st := range codes {
		attrs = append(attrs, "status_"+string(st), counts[st])
	}
	h.log.WarnContext(ctx, "schedule: incoming message not delivered", attrs...)
}

// dropRefiled removes, from the inbox of each recipient who got a COUNTER
// or DECLINECOUNTER, the item just filed when an older one holds the very
// same message: it was delivered before, and the MTA or the sender's
// queue sent it again. (Other messages need no such step: delivered
// again, they change no copy, and a message that changes nothing is not
// filed.) The delivery itself ran every check, so a copy sent by someone
// else is still refused. A failed lookup leaves the inbox as it is.
func (h *Handler) dropRefiled(ctx context.Context, in *itip.Message, statuses map[string]Status) {
	if in.Method != itip.MethodCounter && in.Method != itip.MethodDeclineCounter {
		return
	}
	data := in.Bytes()
	for _, r := range in.Recipients {
		if statuses[caladdr.Normalize(r)] != StatusDelivered {
			continue
		}
		p, err := h.store.PrincipalByAddress(ctx, r)
		if err != nil {
			continue
		}
		items, err := h.store.SchedulingObjects(ctx, p.Path) // oldest first
		if err != nil {
			continue
		}
		first := true
		for _, it := range items {
			if !bytes.Equal(it.Data, data) {
				continue
			}
			if first {
				first = false
				continue
			}
			if err := h.store.DeleteSchedulingObject(ctx, p.Path, it.Name); err != nil && !errors.Is(err, backend.ErrNotFound) {
				h.log.WarnContext(ctx, "schedule: removing a message filed twice", "recipient", r, "item", it.Name, "err", err)
			}
		}
	}
}
