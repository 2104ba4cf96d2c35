package itip

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// participant is one distinct calendar user among the attendees of the old
// and new versions of an organizer's object.
type participant struct {
	addr     string     // as written, preferring the new version
	norm     string     // caladdr.Normalize(addr)
	newProp  *ical.Prop // the first ATTENDEE property in the new version
	oldProp  *ical.Prop // the first ATTENDEE property in the old version
	oldAgent Agent
	newAgent Agent
	inOld    bool
	inNew    bool
	self     bool // the owner or the organizer: never a recipient
	forced   bool // SCHEDULE-FORCE-SEND=REQUEST
	badForce bool // SCHEDULE-FORCE-SEND with an unknown value
}

// prop returns a representative ATTENDEE property, preferring the new
// version.
func (pt *participant) prop() *ical.Prop {
	if pt.newProp != nil {
		return pt.newProp
	}
	return pt.oldProp
}

// registry numbers the participants of one plan.
type registry struct {
	// ids maps a normalized address to its index into parts, once there
	// are more than fewParticipants; fewer are found by a scan of parts.
	ids   map[string]int32
	parts []participant
	p     *planner
}

// fewParticipants is the most participants a registry finds without a map.
const fewParticipants = 8

func newRegistry(p *planner, capacity int) *registry {
	return &registry{parts: make([]participant, 0, capacity), p: p}
}

// id returns the index of addr, adding it when new.
func (r *registry) id(addr string) int32 {
	norm := r.p.normalize(addr)
	if r.ids != nil {
		if id, ok := r.ids[norm]; ok {
			return id
		}
	} else {
		for i := range r.parts {
			if r.parts[i].norm == norm {
				return int32(i)
			}
		}
	}
	id := int32(len(r.parts))
	r.parts = append(r.parts, participant{addr: strings.TrimSpace(addr), norm: norm})
	switch {
	case r.ids != nil:
		r.ids[norm] = id
	case len(r.parts) > fewParticipants:
		r.ids = make(map[string]int32, max(cap(r.parts), 2*len(r.parts)))
		for i := range r.parts {
			r.ids[r.parts[i].norm] = int32(i)
		}
	}
	return id
}

// compInfo is one component of one version with its attendees.
type compInfo struct {
	c         *ical.Component
	key       time.Time // RECURRENCE-ID key; zero for the master
	master    bool
	cancelled bool    // STATUS:CANCELLED
	members   []int32 // participant ids, sorted, unique
	propIdx   []int32 // index into c.Props["ATTENDEE"] of each member

	// Set on components of the new version:
	cp      *compInfo // the old counterpart: same instance, or the old master
	derived bool      // cp is the old master of a newly overridden instance
	change  change    // how the component changed for its attendees
	exAdded bool      // the master only gained EXDATE values
	resched bool      // a reschedule (RFC 6638 §3.2.8)
	msg     *ical.Component
}

// has reports whether participant id is listed in the component.
func (ci *compInfo) has(id int32) bool { return ci.index(id) >= 0 }

// index returns the position of id in members, or -1.
func (ci *compInfo) index(id int32) int {
	lo, hi := 0, len(ci.members)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ci.members[m] < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ci.members) && ci.members[lo] == id {
		return lo
	}
	return -1
}

// prop returns the ATTENDEE property of participant id, or nil. It is
// nil-safe.
func (ci *compInfo) prop(id int32) *ical.Prop {
	if ci == nil {
		return nil
	}
	i := ci.index(id)
	if i < 0 {
		return nil
	}
	return &ci.c.Props[ical.PropAttendee][ci.propIdx[i]]
}

// side is one version (old or new) of an organizer's object.
type side struct {
	obj       *Object
	master    *compInfo   // nil when there is no master
	overrides []*compInfo // sorted by key
	exdates   []time.Time // keys of the master's EXDATE values

	// addedExdates (new version only, set by reconcile) are the EXDATE
	// keys the old version lacks that name an instance of the old one:
	// only they cancel instances.
	addedExdates []time.Time
}

// buildSide indexes the attendees of o; isNew says which version it is.
// Duplicate ATTENDEE properties of the same calendar user are dropped
// from the new version (e.g. "MAILTO:" next to "mailto:").
func buildSide(o *Object, reg *registry, isNew bool, p *planner) (*side, error) {
	s := &side{obj: o}
	var seen []uint32 // seen[id] == gen: id already listed in this component
	var gen uint32
	// One allocation for the component records, one for all their
	// member and index lists (each capped at its component's attendees).
	// add runs once per component, so infos never grows past its
	// capacity and the pointers into it stay valid.
	n, total := len(o.Overrides), 0
	if o.Master != nil {
		n++
		total += len(o.Master.Props[ical.PropAttendee])
	}
	for _, in := range o.Overrides {
		total += len(in.Component.Props[ical.PropAttendee])
	}
	infos := make([]compInfo, 0, n)
	lists := make([]int32, 2*total)
	// Participant ids stay below those known plus this side's entries.
	seen = make([]uint32, 0, len(reg.parts)+total)
	add := func(c *ical.Component, key time.Time, master bool) *compInfo {
		gen++
		infos = append(infos, compInfo{c: c, key: key, master: master})
		ci := &infos[len(infos)-1]
		ci.cancelled = strings.EqualFold(propValue(c, ical.PropStatus), "CANCELLED")
		atts := c.Props[ical.PropAttendee]
		ci.members, lists = lists[:0:len(atts)], lists[len(atts):]
		ci.propIdx, lists = lists[:0:len(atts)], lists[len(atts):]
		// The new version is our copy: duplicates and empty values are
		// dropped from it. The old version belongs to the caller and is
		// only read.
		var kept []ical.Prop
		if isNew {
			kept = atts[:0]
		}
		for i := range atts {
			a := atts[i]
			if strings.TrimSpace(a.Value) == "" {
				continue
			}
			id := reg.id(a.Value)
			if int(id) < len(seen) && seen[id] == gen {
				continue // a duplicate of an attendee already listed
			}
			for int(id) >= len(seen) {
				seen = append(seen, 0)
			}
			seen[id] = gen
			ci.members = append(ci.members, id)
			pt := &reg.parts[id]
			if isNew {
				ci.propIdx = append(ci.propIdx, int32(len(kept)))
				kept = append(kept, a)
				if !pt.inNew {
					pt.inNew, pt.newAgent = true, ScheduleAgent(&a)
					pt.addr = strings.TrimSpace(a.Value)
				}
			} else {
				ci.propIdx = append(ci.propIdx, int32(i))
				if !pt.inOld {
					pt.inOld, pt.oldAgent, pt.oldProp = true, ScheduleAgent(&a), &atts[i]
				}
			}
		}
		if isNew {
			if len(kept) == 0 {
				delete(c.Props, ical.PropAttendee)
			} else {
				c.Props[ical.PropAttendee] = kept
			}
			for i, id := range ci.members {
				if pt := &reg.parts[id]; pt.newProp == nil {
					pt.newProp = &kept[ci.propIdx[i]]
				}
			}
		}
		sort.Sort(byMember{ci})
		return ci
	}
	if o.Master != nil {
		s.master = add(o.Master, time.Time{}, true)
		var err error
		if s.exdates, err = o.ExcludedKeys(o.Master); err != nil {
			return nil, wrapError(ValidCalendarData, "EXDATE", err)
		}
	}
	s.overrides = make([]*compInfo, len(o.Overrides))
	for i, in := range o.Overrides {
		s.overrides[i] = add(in.Component, in.Key, false)
	}
	if isNew {
		if max := p.maxAttendees(); max >= 0 {
			for _, ci := range s.all() {
				if len(ci.members) > max {
					return nil, errorf(MaxAttendeesPerInstance, "%d attendees in one instance, at most %d allowed", len(ci.members), max)
				}
			}
		}
	}
	return s, nil
}

// byMember sorts the members of a component with their property indexes.
type byMember struct{ ci *compInfo }

func (b byMember) Len() int           { return len(b.ci.members) }
func (b byMember) Less(i, j int) bool { return b.ci.members[i] < b.ci.members[j] }
func (b byMember) Swap(i, j int) {
	m, p := b.ci.members, b.ci.propIdx
	m[i], m[j] = m[j], m[i]
	p[i], p[j] = p[j], p[i]
}

// all returns the master (if any) followed by the overrides.
func (s *side) all() []*compInfo {
	if s == nil {
		return nil
	}
	out := make([]*compInfo, 0, len(s.overrides)+1)
	if s.master != nil {
		out = append(out, s.master)
	}
	return append(out, s.overrides...)
}

// find returns the override of the instance at key, or nil.
func (s *side) find(key time.Time) *compInfo {
	if s == nil {
		return nil
	}
	i := sort.Search(len(s.overrides), func(i int) bool { return !s.overrides[i].key.Before(key) })
	if i < len(s.overrides) && s.overrides[i].key.Equal(key) {
		return s.overrides[i]
	}
	return nil
}

// hasInstance reports whether participant id takes part in the instance
// at key (assumed to be an instance of the recurrence set).
func (s *side) hasInstance(id int32, key time.Time) bool {
	if s == nil || containsKey(s.exdates, key) {
		return false
	}
	if ov := s.find(key); ov != nil {
		return !ov.cancelled && ov.has(id)
	}
	return s.master != nil && !s.master.cancelled && s.master.has(id)
}

// view is what one attendee is told about (RFC 6638 §3.2.6): the master
// when they are listed in it, the overrides listing them, and the
// overrides that exclude them, which become EXDATEs of their master.
type view struct {
	master    bool
	overrides []*compInfo
	hidden    []*compInfo
}

func (v *view) empty() bool { return !v.master && len(v.overrides) == 0 }

// viewOf returns the view of participant id on s.
func (s *side) viewOf(id int32) view {
	var v view
	if s == nil {
		return v
	}
	v.master = s.master != nil && !s.master.cancelled && s.master.has(id)
	for _, ov := range s.overrides {
		if containsKey(s.exdates, ov.key) {
			continue
		}
		// Each list is allocated once, at its largest possible size.
		if !ov.cancelled && ov.has(id) {
			if v.overrides == nil {
				v.overrides = make([]*compInfo, 0, len(s.overrides))
			}
			v.overrides = append(v.overrides, ov)
		} else if v.master {
			if v.hidden == nil {
				v.hidden = make([]*compInfo, 0, len(s.overrides))
			}
			v.hidden = append(v.hidden, ov)
		}
	}
	return v
}
