package itip

import (
	"github.com/emersion/go-ical"
)

// checkScheduleAgents enforces RFC 6638 §7.1 on a scheduling object being
// written (Plan checks only the new version: stored data must never block
// its own replacement or deletion): the
// SCHEDULE-AGENT parameter MUST have the same value on the ORGANIZER of
// every component, and on every ATTENDEE property of the same calendar
// user. A server cannot schedule an instance for a calendar user whom the
// client schedules for another instance.
//
// A mismatch on ORGANIZER is reported with SameOrganizerInAllComponents
// (the components disagree about their organizer's scheduling), one on
// ATTENDEE with ValidCalendarObjectResource.
func (p *planner) checkScheduleAgents(o *Object) error {
	comps := o.Components()
	if len(comps) < 2 {
		return p.checkAttendeeAgents(comps)
	}
	var first *ical.Prop
	for _, c := range comps {
		org := Organizer(c)
		if org == nil {
			continue
		}
		if first == nil {
			first = org
			continue
		}
		if agentText(org) != agentText(first) {
			return errorf(SameOrganizerInAllComponents, "SCHEDULE-AGENT of ORGANIZER differs between components (%q and %q)",
				agentText(first), agentText(org))
		}
	}
	return p.checkAttendeeAgents(comps)
}

// checkAttendeeAgents checks that every ATTENDEE property of one calendar
// user in comps carries the same SCHEDULE-AGENT. Addresses are normalised
// through the plan's cache: the same attendees recur in every component.
func (p *planner) checkAttendeeAgents(comps []*ical.Component) error {
	// Sized for the first component's attendees, usually all of them.
	hint := 0
	if len(comps) > 0 {
		hint = len(comps[0].Props[ical.PropAttendee])
	}
	seen := make(map[string]string, hint)
	var first []ical.Prop // the first component's attendees, all recorded in seen
	for k, c := range comps {
		atts := c.Props[ical.PropAttendee]
		for i := range atts {
			// Overrides usually repeat the first component's list: an
			// entry written exactly as there, with the same agent, was
			// checked with it.
			if k > 0 && i < len(first) && atts[i].Value == first[i].Value && agentText(&atts[i]) == agentText(&first[i]) {
				continue
			}
			norm := p.normalize(atts[i].Value)
			agent := agentText(&atts[i])
			if prev, ok := seen[norm]; !ok {
				seen[norm] = agent
			} else if prev != agent {
				return errorf(ValidCalendarObjectResource, "SCHEDULE-AGENT of ATTENDEE %s differs between properties (%q and %q)",
					atts[i].Value, prev, agent)
			}
		}
		if k == 0 {
			first = atts
		}
	}
	return nil
}

// agentText is the canonical SCHEDULE-AGENT of p: SERVER when absent.
func agentText(p *ical.Prop) string {
	switch ScheduleAgent(p) {
	case AgentServer:
		return "SERVER"
	case AgentClient:
		return "CLIENT"
	}
	return "NONE"
}
