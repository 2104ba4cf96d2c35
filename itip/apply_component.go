package itip

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/recurrence"
)

// This file holds the component-level helpers of Apply: copying, cleaning,
// deriving instances, revision order and change detection.

// schedulingParams are the RFC 6638 §7 parameters that never travel in an
// iTIP message; an incoming message carrying them carries the sender's
// state, not ours.
var schedulingParams = []string{ParamScheduleAgent, ParamScheduleStatus, ParamScheduleForceSend}

// stripSchedulingParams removes the RFC 6638 §7 parameters from the
// ORGANIZER and ATTENDEE properties of c.
func stripSchedulingParams(c *ical.Component) {
	for _, name := range []string{ical.PropOrganizer, ical.PropAttendee} {
		props := c.Props[name]
		for i := range props {
			for _, p := range schedulingParams {
				delete(props[i].Params, p)
			}
		}
	}
}

// cleanIncoming returns a copy of a component of an incoming organizer
// message fit to be stored in an attendee's copy: without the scheduling
// parameters and without the organizer's VALARMs and alarm state
// (alarmStateProp): alarms belong to the recipient.
func cleanIncoming(c *ical.Component) *ical.Component {
	out := cloneComponent(c, false)
	for _, ch := range c.Children {
		if ch.Name != ical.CompAlarm {
			out.Children = append(out.Children, cloneComponent(ch, true))
		}
	}
	for name := range out.Props {
		if alarmStateProp(name) {
			delete(out.Props, name) // the sender's alarm state, like its VALARMs
		}
	}
	stripSchedulingParams(out)
	markDateValues(out)
	takeStamp(out, c)
	return out
}

// dateProps are the properties whose value may be a DATE.
var dateProps = []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue,
	ical.PropRecurrenceID, ical.PropExceptionDates, ical.PropRecurrenceDates}

// markDateValues adds the VALUE=DATE parameter RFC 5545 §3.3.4 requires
// to DATE values written without it (8 digits), which some senders do.
func markDateValues(c *ical.Component) {
	for _, name := range dateProps {
		props := c.Props[name]
		for i := range props {
			v := strings.TrimSpace(props[i].Value)
			if props[i].Params.Get(ical.ParamValue) != "" || len(v) != 8 || strings.ContainsAny(v, "T,/") {
				continue
			}
			if props[i].Params == nil {
				props[i].Params = ical.Params{}
			}
			props[i].Params.Set(ical.ParamValue, "DATE")
		}
	}
}

func withoutAlarms(children []*ical.Component) []*ical.Component {
	kept := children[:0]
	for _, ch := range children {
		if ch.Name != ical.CompAlarm {
			kept = append(kept, ch)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// setProp replaces all name properties of c with one holding value.
func setProp(c *ical.Component, name, value string) {
	c.Props[name] = []ical.Prop{{Name: name, Params: ical.Params{}, Value: value}}
}

// isRecurring reports whether c defines more than one instance.
func isRecurring(c *ical.Component) bool {
	return c != nil && (len(c.Props[ical.PropRecurrenceRule]) > 0 || len(c.Props[ical.PropRecurrenceDates]) > 0)
}

// revision returns the RFC 5546 §2.1.5 ordering key of c: SEQUENCE, then
// DTSTAMP (zero when absent or malformed).
func revision(c *ical.Component) (int, time.Time) {
	var stamp time.Time
	if p := firstProp(c.Props, ical.PropDateTimeStamp); p != nil {
		stamp, _ = parseStamp(p.Value)
	}
	return Sequence(c), stamp
}

// parseStamp parses a DTSTAMP value (UTC; a value without Z is read as
// UTC too).
func parseStamp(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("20060102T150405Z", v); err == nil {
		return t, true
	}
	if t, err := time.Parse("20060102T150405", v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// propOrganizerStamp is the property in which Apply records, on every
// component of an attendee's copy it writes, the DTSTAMP of the organizer's
// message the component comes from. The copy's own DTSTAMP cannot serve:
// attendee clients rewrite it whenever they save their copy (RFC 5545
// §3.8.7.2 lets them), which would make a later organizer message look
// stale. Clients keep X- properties, and Plan treats them as volatile.
const propOrganizerStamp = "X-AUTOSCHEDULE-ORGANIZER-DTSTAMP"

// takeStamp records the DTSTAMP of the organizer's message component msg in
// dst, a component of an attendee's copy: as its DTSTAMP and as
// propOrganizerStamp.
func takeStamp(dst, msg *ical.Component) {
	p := firstProp(msg.Props, ical.PropDateTimeStamp)
	if p == nil {
		delete(dst.Props, propOrganizerStamp)
		return
	}
	dst.Props[ical.PropDateTimeStamp] = []ical.Prop{{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: p.Value}}
	dst.Props[propOrganizerStamp] = []ical.Prop{{Name: propOrganizerStamp, Params: ical.Params{}, Value: p.Value}}
}

// copyRevision returns the revision of stored, a component of an
// attendee's copy, as the organizer wrote it: SEQUENCE and the organizer's
// DTSTAMP recorded in propOrganizerStamp. A copy written before Apply
// recorded it (or by other software) falls back to its own DTSTAMP,
// which is the organizer's unless a client rewrote it.
func copyRevision(stored *ical.Component) (int, time.Time) {
	seq, stamp := revision(stored)
	if p := firstProp(stored.Props, propOrganizerStamp); p != nil {
		if t, ok := parseStamp(p.Value); ok {
			stamp = t
		}
	}
	return seq, stamp
}

// compareToCopy returns -1, 0 or 1 as the organizer's message component
// msg is an older, the same or a newer revision than stored, its
// counterpart in an attendee's copy (RFC 5546 §2.1.5: SEQUENCE first, the
// organizer's DTSTAMP breaks ties; see copyRevision). DTSTAMP has a
// resolution of one second: two messages of the same SEQUENCE sent within
// one second compare equal, and callers apply an equal revision whose
// content differs (applying is idempotent), so that a status-only refresh
// sent in the same second as the invitation is not lost.
func compareToCopy(msg, stored *ical.Component) int {
	sa, ta := revision(msg)
	sb, tb := copyRevision(stored)
	return compareRevisions(sa, ta, sb, tb)
}

// compareRevisions orders two revisions (SEQUENCE, DTSTAMP).
func compareRevisions(sa int, ta time.Time, sb int, tb time.Time) int {
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	case ta.Before(tb):
		return -1
	case ta.After(tb):
		return 1
	}
	return 0
}

// copyInstance returns a deep copy of the instance at key of the recurring
// component master of o, as an overriding component (RECURRENCE-ID,
// DTSTART and DTEND or DUE of that instance; sub-components copied).
func copyInstance(o *Object, master *ical.Component, key time.Time) *ical.Component {
	d := cloneComponent(instanceFromMaster(o, master, key), false)
	for _, ch := range master.Children {
		d.Children = append(d.Children, cloneComponent(ch, true))
	}
	return d
}

// instanceAt returns the component describing the instance key of o: its
// override, or one derived from its recurring master; nil when o has
// neither.
func instanceAt(o *Object, key time.Time) *ical.Component {
	if c := o.Override(key); c != nil {
		return c
	}
	if isRecurring(o.Master) {
		return copyInstance(o, o.Master, key)
	}
	return nil
}

// movedInstances reports whether b (in object bo) moves instances of a
// (in object ao) or adds new ones (RFC 6638 §3.2.8): DTSTART and length
// compared as instants, the recurrence sets compared by expansion
// (instancesAddedOrMoved), so that shortening a series or rewriting its
// rule equivalently moves nothing. EXDATE is left out: on an attendee's
// copy it also holds the instances the attendee removed, and removing
// instances reschedules nobody. When the sets cannot be compared within
// the expansion limits, any other RRULE counts (timesMoved).
func movedInstances(ao *Object, a *ical.Component, bo *Object, b *ical.Component) bool {
	if moved, err := instancesAddedOrMoved(ao, withoutExdates(a), bo, withoutExdates(b)); err == nil {
		return moved
	}
	ta, tb := recurTimingOf(ao, a), recurTimingOf(bo, b)
	ta.exdates, tb.exdates = nil, nil
	return timesMoved(ta, tb)
}

// withoutExdates returns c without its EXDATE properties: a shallow copy
// sharing everything else with c (c itself when it has none).
func withoutExdates(c *ical.Component) *ical.Component {
	if _, ok := c.Props[ical.PropExceptionDates]; !ok {
		return c
	}
	out := &ical.Component{Name: c.Name, Props: make(ical.Props, len(c.Props)), Children: c.Children}
	for name, props := range c.Props {
		if name != ical.PropExceptionDates {
			out.Props[name] = props
		}
	}
	return out
}

// recipientProps are the properties of an attendee's copy that belong to
// the attendee (RFC 6638 §3.2.2.1) and survive organizer updates; so does
// the alarm state some clients keep next to VALARMs (alarmStateProp).
var recipientProps = []string{ical.PropTransparency, ical.PropPercentComplete, ical.PropCompleted}

// keepRecipientData copies the recipient's own data from src (their
// current copy of the component) into dst (the organizer's new version):
// VALARMs, TRANSP, PERCENT-COMPLETE, COMPLETED, alarm acknowledgements,
// the scheduling state on ORGANIZER and, when keepPartstat, their
// PARTSTAT and DELEGATED-TO.
func keepRecipientData(dst, src *ical.Component, recipient string, keepPartstat bool) {
	if src == nil {
		return
	}
	dst.Children = withoutAlarms(dst.Children)
	for _, ch := range src.Children {
		if ch.Name == ical.CompAlarm {
			dst.Children = append(dst.Children, cloneComponent(ch, true))
		}
	}
	for name, props := range src.Props {
		keep := alarmStateProp(name)
		for _, r := range recipientProps {
			keep = keep || name == r
		}
		if !keep {
			continue
		}
		cp := make([]ical.Prop, len(props))
		for i := range props {
			cp[i] = cloneProp(&props[i])
		}
		dst.Props[name] = cp
	}
	keepTaskStatus(dst, src)
	if so, do := Organizer(src), Organizer(dst); so != nil && do != nil {
		for _, p := range []string{ParamScheduleAgent, ParamScheduleStatus} {
			if v, ok := so.Params[p]; ok {
				do.Params[p] = append([]string(nil), v...)
			}
		}
	}
	if !keepPartstat {
		return
	}
	sa, da := Attendee(src, recipient), Attendee(dst, recipient)
	if sa == nil || da == nil {
		return
	}
	for _, p := range []string{ical.ParamParticipationStatus, ical.ParamDelegatedTo} {
		if v, ok := sa.Params[p]; ok {
			da.Params[p] = append([]string(nil), v...)
		} else {
			delete(da.Params, p)
		}
	}
	// RSVP asks for a reply (RFC 5545 §3.2.17). An update that keeps the
	// attendee's answer does not ask again, even when the organizer's
	// copy still carries RSVP=TRUE from the invitation: leaving it next
	// to ACCEPTED would make clients prompt for an answer already given.
	// Only an unanswered NEEDS-ACTION keeps the organizer's RSVP.
	if Partstat(da) != "NEEDS-ACTION" {
		delete(da.Params, ical.ParamRSVP)
	}
}

// keepTaskStatus keeps the attendee's STATUS of a VTODO (their progress,
// which goes with their COMPLETED and PERCENT-COMPLETE; RFC 5546 §3.4.3
// lets attendees report it) in dst, the organizer's new version, unless
// the organizer cancels the task (STATUS:CANCELLED in dst wins) or the
// attendee's STATUS is a cancellation the organizer now lifts.
func keepTaskStatus(dst, src *ical.Component) {
	if dst.Name != ical.CompToDo || src.Name != ical.CompToDo {
		return
	}
	sp := firstProp(src.Props, ical.PropStatus)
	if sp == nil || strings.EqualFold(strings.TrimSpace(sp.Value), statusCancelled) ||
		strings.EqualFold(strings.TrimSpace(propValue(dst, ical.PropStatus)), statusCancelled) {
		return
	}
	dst.Props[ical.PropStatus] = []ical.Prop{cloneProp(sp)}
}

// canonical returns a representation of c for comparison: one string per
// property (parameters and their values sorted) and per sub-component,
// sorted, leaving out propOrganizerStamp (bookkeeping that only changes
// with DTSTAMP, or is added to a copy written without it). With
// statusOnly, DTSTAMP, LAST-MODIFIED and the participation
// parameters of ATTENDEE (PARTSTAT, RSVP, SCHEDULE-STATUS) are left out,
// so that two components compare equal when they differ only in
// participation status.
func canonical(c *ical.Component, statusOnly bool) []string {
	var lines []string
	for name, props := range c.Props {
		if name == propOrganizerStamp || statusOnly && (name == ical.PropDateTimeStamp || name == ical.PropLastModified) {
			continue
		}
		for i := range props {
			lines = append(lines, canonicalProp(&props[i], statusOnly && name == ical.PropAttendee))
		}
	}
	for _, ch := range c.Children {
		lines = append(lines, "BEGIN:"+ch.Name+"\n"+strings.Join(canonical(ch, false), "\n")+"\nEND:"+ch.Name)
	}
	sort.Strings(lines)
	return lines
}

func canonicalProp(p *ical.Prop, dropParticipation bool) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(p.Name))
	names := make([]string, 0, len(p.Params))
	for k := range p.Params {
		if dropParticipation && (k == ical.ParamParticipationStatus || k == ical.ParamRSVP || k == ParamScheduleStatus) {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vals := append([]string(nil), p.Params[k]...)
		sort.Strings(vals)
		b.WriteString(";" + strings.ToUpper(k) + "=" + strings.Join(vals, ","))
	}
	b.WriteString(":" + p.Value)
	return b.String()
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// maxInstanceChecks bounds the recurrence expansions one Apply call makes
// to check, one by one, that a RECURRENCE-ID names a real instance.
const maxInstanceChecks = 8

// instanceCheckLimits bounds each expansion made to check RECURRENCE-IDs.
var instanceCheckLimits = recurrence.Limits{MaxSteps: 50_000, MaxInstances: 50_000}

// checkInstances checks at once the RECURRENCE-IDs of the message that
// are not overridden in the stored copy o: one expansion of its recurring
// master over the window they span, bounded like every check. When it
// succeeds, isInstance answers for those keys without expanding again, so
// a REPLY or CANCEL naming many instances costs one expansion, not one per
// instance (and is not cut off after maxInstanceChecks). When it fails
// (the window holds too many instances), isInstance checks one by one.
func (a *applier) checkInstances(o *Object) {
	if o == nil || !isRecurring(o.Master) {
		return
	}
	var lo, hi time.Time
	want := map[time.Time]bool{}
	for _, in := range a.msg.Overrides {
		if o.Override(in.Key) != nil {
			continue
		}
		want[in.Key] = false
		if lo.IsZero() || in.Key.Before(lo) {
			lo = in.Key
		}
		if in.Key.After(hi) {
			hi = in.Key
		}
	}
	if len(want) < 2 {
		return // isInstance does the same work for one key
	}
	a.checks++
	err := recurrence.Expand(context.Background(), []*ical.Component{o.Master}, o.resolver, o.floating,
		lo, hi.Add(time.Second), instanceCheckLimits, func(in recurrence.Instance) bool {
			k := in.RecurrenceID.UTC()
			if _, ok := want[k]; ok {
				want[k] = true
			}
			return true
		})
	if err != nil {
		return
	}
	a.confirmed = want
}

// isInstance reports whether key is the start of an instance of the
// recurring master of o (EXDATEs excluded), from checkInstances or by
// expanding the recurrence within the limits of internal/recurrence. ok
// is false when it could not tell (too many checks, or a rule too costly
// to expand).
func (a *applier) isInstance(o *Object, key time.Time) (found, ok bool) {
	if found, ok := a.confirmed[key]; ok {
		return found, true
	}
	if a.checks >= maxInstanceChecks {
		return false, false
	}
	a.checks++
	err := recurrence.Expand(context.Background(), []*ical.Component{o.Master}, o.resolver, o.floating,
		key, key.Add(time.Second), instanceCheckLimits, func(in recurrence.Instance) bool {
			if in.RecurrenceID.Equal(key) {
				found = true
				return false
			}
			return true
		})
	if err != nil {
		a.checks = maxInstanceChecks // too costly: no more expansions in this call
		return false, false
	}
	return found, true
}
