package itip

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// organizer plans a write by the organizer (RFC 6638 §3.2.1).
func (p *planner) organizer(act *Actions, oldObj, newObj *Object) error {
	// Sized for the attendees of the master, usually all of them: a map
	// hinted at 8 or fewer stays in one group of slots (two allocations
	// instead of a full table's four or more).
	capacity := 0
	for _, o := range [...]*Object{newObj, oldObj} {
		if o != nil && o.Master != nil {
			capacity = max(capacity, len(o.Master.Props[ical.PropAttendee]))
		}
	}
	reg := newRegistry(p, capacity)
	var oldSide, newSide *side
	var err error
	if oldObj != nil {
		if oldSide, err = buildSide(oldObj, reg, false, p); err != nil {
			return err
		}
	}
	if newObj != nil {
		act.Object = planCopy(newObj.Calendar)
		newObj = newObj.rebind(act.Object)
		if newSide, err = buildSide(newObj, reg, true, p); err != nil {
			return err
		}
	}
	orgNorm := caladdr.Normalize(organizerOf(oldObj, newObj))
	for id := range reg.parts {
		pt := &reg.parts[id]
		pt.self = p.isSelf(pt, orgNorm)
	}
	p.takeForceSends(newSide, reg)
	src := newObj
	if src == nil {
		src = oldObj
	}
	if ScheduleAgent(Organizer(firstComponent(src))) != AgentServer {
		return nil // the client schedules, or nobody does
	}
	if newSide != nil {
		if err := p.reconcile(act, oldSide, newSide, reg); err != nil {
			return err
		}
	}
	g := &grouper{p: p, act: act, reg: reg, oldSide: oldSide, newSide: newSide}
	wholeCancel := newSide != nil && newSide.master != nil && newSide.master.cancelled &&
		(oldSide == nil || oldSide.master == nil || !oldSide.master.cancelled)
	exdateAdded := false
	for id := range reg.parts {
		if !reg.parts[id].self && g.plan(int32(id), wholeCancel) {
			exdateAdded = true
		}
	}
	g.bumpForCancels(exdateAdded)
	g.build()
	if newSide != nil {
		g.markPending()
	}
	return nil
}

func organizerOf(a, b *Object) string {
	if b != nil {
		return b.Organizer
	}
	if a != nil {
		return a.Organizer
	}
	return ""
}

func firstComponent(o *Object) *ical.Component {
	if o == nil {
		return nil
	}
	if o.Master != nil {
		return o.Master
	}
	if len(o.Overrides) > 0 {
		return o.Overrides[0].Component
	}
	return nil
}

// takeForceSends strips SCHEDULE-FORCE-SEND from the new version and
// records it per participant (RFC 6638 §7.2).
func (p *planner) takeForceSends(s *side, reg *registry) {
	if s == nil {
		return
	}
	for _, ci := range s.all() {
		if org := Organizer(ci.c); org != nil {
			takeForceSend(org)
		}
		atts := ci.c.Props[ical.PropAttendee]
		for i := range atts {
			switch v := takeForceSend(&atts[i]); v {
			case "", MethodReply:
			case MethodRequest:
				reg.parts[reg.id(atts[i].Value)].forced = true
			default:
				reg.parts[reg.id(atts[i].Value)].badForce = true
			}
		}
	}
}

// reconcile applies the server rules to the new version: Schedule-Tag
// merge, the PARTSTAT rule, server-owned SCHEDULE-STATUS, reschedule and
// SEQUENCE (RFC 6638 §3.2.1, §3.2.5, §3.2.8, §3.2.10).
func (p *planner) reconcile(act *Actions, oldSide, newSide *side, reg *registry) error {
	for _, ci := range newSide.all() {
		if ci.master {
			if oldSide != nil {
				ci.cp = oldSide.master
			}
		} else if ci.cp = oldSide.find(ci.key); ci.cp == nil && oldSide != nil && oldSide.master != nil {
			ci.cp, ci.derived = oldSide.master, true
		}
		if err := p.checkAttendees(ci, reg); err != nil {
			return err
		}
	}
	for _, ci := range newSide.all() {
		if ci.cp == nil {
			ci.change = changeFull
			continue
		}
		if ci.derived {
			ci.resched = p.derivedMoved(oldSide.obj, newSide.obj, ci)
		} else {
			ci.resched = rescheduled(oldSide.obj, ci.cp.c, newSide.obj, ci.c)
		}
		if ci.resched {
			act.Rescheduled = true
			resetPartstat(ci.c, reg)
		}
		ci.change = compareComponents(ci.cp.c, ci.c, compareOptions{derived: ci.derived, ignoreExdateAdds: ci.master})
		if ci.master {
			newSide.addedExdates = addedInstances(oldSide, newSide)
			if ci.change != changeFull && len(newSide.addedExdates) > 0 {
				ci.exAdded = true
			}
		}
		if ci.resched || (ci.cancelled && !ci.cp.cancelled) {
			ci.change = changeFull // moved or cancelled: attendees must see it
		}
		// SEQUENCE (RFC 5546 §2.1.4): never lower than stored, one more
		// when attendees must see the change.
		base, seq := Sequence(ci.cp.c), Sequence(ci.c)
		want := base
		if ci.change == changeFull || ci.exAdded {
			want = base + 1
		}
		if seq < want {
			setSequence(ci.c, want)
		}
	}
	return nil
}

// bumpForCancels makes sure every new component a CANCEL speaks for, and
// the master when exdateAdded (an attendee's view of it gained an EXDATE,
// RFC 5546 §2.1.4), has a
// SEQUENCE above the stored one, so that recipients never take the CANCEL
// for a stale message (e.g. an attendee whose SCHEDULE-AGENT became
// CLIENT: nothing else changed in the component).
func (g *grouper) bumpForCancels(exdateAdded bool) {
	if g.oldSide == nil || g.newSide == nil {
		return
	}
	bump := func(ci *compInfo) {
		if ci == nil || ci.cp == nil {
			return
		}
		if want := Sequence(ci.cp.c) + 1; Sequence(ci.c) < want {
			setSequence(ci.c, want)
		}
	}
	if exdateAdded {
		bump(g.newSide.master)
	}
	for _, grp := range g.order {
		if grp.method != MethodCancel {
			continue
		}
		if grp.whole {
			bump(g.newSide.master)
		}
		for _, k := range grp.keys {
			if ov := g.newSide.find(k); ov != nil {
				bump(ov)
			} else {
				bump(g.newSide.master)
			}
		}
	}
}

// checkAttendees applies the Schedule-Tag merge and the organizer PARTSTAT
// rule to one new component and keeps SCHEDULE-STATUS server-owned.
func (p *planner) checkAttendees(ci *compInfo, reg *registry) error {
	for i, id := range ci.members {
		a := &ci.c.Props[ical.PropAttendee][ci.propIdx[i]]
		if reg.parts[id].self || ScheduleAgent(a) != AgentServer {
			continue
		}
		old := ci.cp.prop(id)
		if p.opts.MergeAttendeeStatus && old != nil {
			copyParam(a, old, ical.ParamParticipationStatus)
		}
		if ps := Partstat(a); ps != "NEEDS-ACTION" && !p.opts.AllowOrganizerPartstat {
			if old == nil || Partstat(old) != ps {
				return errorf(AllowedOrganizerChange, "the organizer may not set PARTSTAT=%s for %s", ps, a.Value)
			}
		}
		copyParam(a, old, ParamScheduleStatus)
	}
	return nil
}

// copyParam sets parameter name of dst to its value in src, or removes it
// when src is nil or lacks it.
func copyParam(dst, src *ical.Prop, name string) {
	if src != nil {
		if v, ok := src.Params[name]; ok {
			if cur, ok := dst.Params[name]; !ok || len(cur) != len(v) || (len(v) > 0 && cur[0] != v[0]) {
				setParams(dst, name, strings.Join(v, ","))
			}
			return
		}
	}
	delParam(dst, name)
}

// addedInstances returns the EXDATE keys of newSide's master that oldSide's
// lacks and that name an instance of the old version: an override of it
// or an instance its master generates. An EXDATE naming no instance
// cancels nothing.
func addedInstances(oldSide, newSide *side) []time.Time {
	var out []time.Time
	for _, k := range newSide.exdates {
		if containsKey(oldSide.exdates, k) {
			continue
		}
		if oldSide.find(k) != nil || oldSide.master == nil || isInstance(oldSide.obj, oldSide.master.c, k) {
			out = append(out, k)
		}
	}
	return out
}

// derivedMoved reports whether a newly overridden instance is moved or
// resized relative to the instance its master generates.
func (p *planner) derivedMoved(oldObj, newObj *Object, ci *compInfo) bool {
	nt := recurTimingOf(newObj, ci.c)
	mt := recurTimingOf(oldObj, ci.cp.c)
	if !nt.valid {
		return !sameTimingText(ci.cp.c, ci.c)
	}
	if !mt.valid {
		// The stored master cannot be placed in time: judge by the
		// RECURRENCE-ID alone, never count it as moved for that reason.
		return !nt.start.Equal(ci.key)
	}
	return !nt.start.Equal(ci.key) || nt.length != mt.length || nt.date != mt.date
}

// resetPartstat sets PARTSTAT=NEEDS-ACTION and RSVP=TRUE on the attendees
// of c whom the server schedules, except the owner and organizer.
func resetPartstat(c *ical.Component, reg *registry) {
	atts := c.Props[ical.PropAttendee]
	for i := range atts {
		if reg.parts[reg.id(atts[i].Value)].self || ScheduleAgent(&atts[i]) != AgentServer {
			continue
		}
		setParams(&atts[i], ical.ParamParticipationStatus, "NEEDS-ACTION", ical.ParamRSVP, "TRUE")
	}
}

// markPending sets SCHEDULE-STATUS on the stored object: 1.0 for every
// attendee sent a message, 2.3 for an ignored SCHEDULE-FORCE-SEND; on
// every component where they appear (RFC 6638 §3.2.9, §7.2).
func (g *grouper) markPending() {
	sent := make([]bool, len(g.reg.parts))
	for _, grp := range g.order {
		for _, id := range grp.ids {
			sent[id] = true
		}
	}
	// One value slice per status, shared by every property it is set on.
	pending, ignored := []string{StatusPending}, []string(nil)
	for _, ci := range g.newSide.all() {
		atts := ci.c.Props[ical.PropAttendee]
		for i, id := range ci.members {
			switch {
			case sent[id]:
				setParamShared(&atts[ci.propIdx[i]], ParamScheduleStatus, pending)
			case g.reg.parts[id].badForce:
				if ignored == nil {
					ignored = []string{StatusParamIgnored}
				}
				setParamShared(&atts[ci.propIdx[i]], ParamScheduleStatus, ignored)
			}
		}
	}
}

// plan decides what participant id receives. It reports whether the
// master they receive gained an EXDATE.
func (g *grouper) plan(id int32, wholeCancel bool) (exdateAdded bool) {
	pt := &g.reg.parts[id]
	oldServer := pt.inOld && pt.oldAgent == AgentServer
	newServer := pt.inNew && pt.newAgent == AgentServer
	var oldV, newV view
	if oldServer {
		oldV = g.oldSide.viewOf(id)
	}
	if wholeCancel {
		if pt.inNew && newServer {
			g.cancel(id, true, nil)
		} else if oldServer && !oldV.empty() {
			g.cancel(id, oldV.master, keysOf(oldV.overrides))
		}
		return false
	}
	if newServer {
		newV = g.newSide.viewOf(id)
	}
	if newV.empty() {
		if oldServer && !oldV.empty() {
			g.cancel(id, oldV.master, keysOf(oldV.overrides))
		}
		return false
	}
	if oldV.master && !newV.master {
		// Moved from the whole series to some instances only: cancel the
		// series, then send the instances they remain in.
		g.cancel(id, true, nil)
		g.request(id, changeFull, &newV)
		return false
	}
	var cancelled []time.Time
	if oldServer && !oldV.empty() {
		cancelled = g.cancelledInstances(id, &newV)
	}
	kind := changeFull
	if !pt.forced && oldServer && !oldV.empty() {
		kind = g.diff(id, &oldV, &newV, cancelled)
	}
	// The master they receive gains an EXDATE when an override now
	// leaves them out: its SEQUENCE must grow (RFC 5546 §2.1.4).
	exdateAdded = newV.master && oldV.master && gainsHidden(&oldV, &newV, cancelled)
	if kind != changeNone {
		g.request(id, kind, &newV)
	}
	if len(cancelled) > 0 {
		g.cancel(id, false, cancelled)
	}
	return exdateAdded
}

// gainsHidden reports whether newV hides an instance oldV did not, other
// than those a CANCEL removes.
func gainsHidden(oldV, newV *view, cancelled []time.Time) bool {
	for _, ov := range newV.hidden {
		if !inView(oldV.hidden, ov.key) && !containsKey(cancelled, ov.key) {
			return true
		}
	}
	return false
}

func keysOf(cis []*compInfo) []time.Time {
	keys := make([]time.Time, len(cis))
	for i, ci := range cis {
		keys[i] = ci.key
	}
	return keys
}

// cancelledInstances returns the instances participant id took part in
// and no longer does, except those a REQUEST conveys as an EXDATE
// because an override now excludes them.
func (g *grouper) cancelledInstances(id int32, newV *view) []time.Time {
	if g.cands == nil {
		g.cands = g.candidateKeys()
	}
	var out []time.Time
	for _, k := range g.cands {
		if !g.oldSide.hasInstance(id, k) || g.newSide.hasInstance(id, k) {
			continue
		}
		if ov := g.newSide.find(k); newV.master && ov != nil && !ov.cancelled && !containsKey(g.newSide.exdates, k) {
			continue // excluded by an override: an EXDATE in the REQUEST
		}
		out = append(out, k)
	}
	return out
}

// candidateKeys lists, once per plan, the instances whose participants
// may have changed: every override of either version and every new
// EXDATE that names an instance, sorted and without duplicates.
func (g *grouper) candidateKeys() []time.Time {
	cands := make([]time.Time, 0, len(g.oldSide.overrides)+len(g.newSide.overrides)+len(g.newSide.exdates))
	for _, ov := range g.oldSide.overrides {
		cands = append(cands, ov.key)
	}
	for _, ov := range g.newSide.overrides {
		cands = append(cands, ov.key)
	}
	cands = append(cands, g.newSide.addedExdates...)
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	out := cands[:0]
	for i, k := range cands {
		if i == 0 || !cands[i-1].Equal(k) {
			out = append(out, k)
		}
	}
	return out
}

// diff classifies how participant id's view changed.
func (g *grouper) diff(id int32, oldV, newV *view, cancelled []time.Time) change {
	if oldV.master != newV.master {
		return changeFull
	}
	result := changeNone
	merge := func(c change) {
		if c > result {
			result = c
		}
	}
	ownChanged := func(ci *compInfo) bool {
		a, b := ci.cp.prop(id), ci.prop(id)
		return a == nil || b == nil || Partstat(a) != Partstat(b)
	}
	if newV.master {
		m := g.newSide.master
		merge(m.change)
		if ownChanged(m) {
			return changeFull
		}
		if !sameKeys(keysOf(oldV.hidden), keysOf(newV.hidden), cancelled) {
			return changeFull
		}
	}
	for _, ov := range newV.overrides {
		if ov.derived || ov.cp == nil || !inView(oldV.overrides, ov.key) || ownChanged(ov) {
			return changeFull
		}
		merge(ov.change)
	}
	for _, ov := range oldV.overrides {
		if !inView(newV.overrides, ov.key) && !containsKey(cancelled, ov.key) {
			return changeFull
		}
	}
	return result
}

func inView(cis []*compInfo, key time.Time) bool {
	for _, ci := range cis {
		if ci.key.Equal(key) {
			return true
		}
	}
	return false
}

// sameKeys compares two key lists, ignoring keys in skip.
func sameKeys(a, b, skip []time.Time) bool {
	filter := func(keys []time.Time) []time.Time {
		out := keys[:0:0]
		for _, k := range keys {
			if !containsKey(skip, k) {
				out = append(out, k)
			}
		}
		return out
	}
	a, b = filter(a), filter(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
