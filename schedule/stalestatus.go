package schedule

import (
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// mergeOthersStatus implements the merge of RFC 6638 §3.2.10.1 for a
// write made conditional with a matching If-Schedule-Tag-Match: the
// Schedule-Tag did not change, so what changed on the server since the
// client read the object is only participation status that the server
// wrote (replies applied to the organizer's copy, refreshes of the other
// attendees' PARTSTAT in an attendee's copy). The client's copy of those
// values is stale; the stored PARTSTAT, RSVP and SCHEDULE-STATUS of every
// attendee but the owner are kept. The owner's own ATTENDEE properties
// are the client's to change and are left alone. When an organizer's
// write changes the timing, the planner then resets them anyway
// (§3.2.8). Instances are matched by the UTC instant of their
// RECURRENCE-ID.
func mergeOthersStatus(newCal, oldCal *ical.Calendar, owner []string) {
	newObj, err := itip.ParseObject(newCal, time.UTC)
	if err != nil {
		return
	}
	oldObj, err := itip.ParseObject(oldCal, time.UTC)
	if err != nil {
		return
	}
	own := caladdr.NewSet(owner...)
	for _, c := range newObj.Components() {
		var oldComp *ical.Component
		if rid := c.Props.Get(ical.PropRecurrenceID); rid == nil {
			oldComp = oldObj.Master
		} else if key, err := newObj.InstanceKey(rid); err == nil {
			oldComp = oldObj.Override(key)
		}
		if oldComp == nil {
			continue
		}
		stored := make(map[string]ical.Params)
		for _, a := range oldComp.Props[ical.PropAttendee] {
			stored[caladdr.Normalize(a.Value)] = a.Params
		}
		atts := c.Props[ical.PropAttendee]
		for i := range atts {
			if own.Has(atts[i].Value) {
				continue
			}
			params, ok := stored[caladdr.Normalize(atts[i].Value)]
			if !ok {
				continue
			}
			// A new map: the decoded one may be shared with other
			// instances (ics.DecodeShared). The value slices are shared
			// with the stored copy; nobody writes into parameter values
			// in place.
			merged := make(ical.Params, len(atts[i].Params)+1)
			for k, v := range atts[i].Params {
				merged[k] = v
			}
			for _, name := range [...]string{ical.ParamParticipationStatus, ical.ParamRSVP, "SCHEDULE-STATUS"} {
				if v, ok := params[name]; ok {
					merged[name] = v
				} else {
					delete(merged, name)
				}
			}
			atts[i].Params = merged
		}
	}
}
