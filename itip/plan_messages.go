package itip

import (
	"strconv"
	"time"

	"github.com/emersion/go-ical"
)

// This file turns the organizer's per-attendee decisions into messages:
// attendees who are to receive the same content share one Message.

// group collects the recipients of one message.
type group struct {
	sig    string // what its recipients share (grouper.request, cancel)
	method string
	update UpdateKind
	ids    []int32
	view   view        // REQUEST: what the recipients see
	whole  bool        // CANCEL of the whole object
	keys   []time.Time // CANCEL of these instances
	idsBuf [4]int32    // ids' initial storage
}

// newGroup returns an empty group for method.
func newGroup(method string) *group {
	grp := &group{method: method, update: UpdateFull}
	grp.ids = grp.idsBuf[:0]
	return grp
}

// grouper turns per-attendee decisions into shared messages.
type grouper struct {
	p                *planner
	act              *Actions
	reg              *registry
	oldSide, newSide *side
	requests         groupIndex
	cancels          groupIndex
	order            []*group
	longSig          []byte      // storage for signatures too long for the stack (sigRoom)
	cands            []time.Time // see candidateKeys
}

// sigBufSize is the room for a group signature on the stack; a longer one
// (many instances) is written to grouper.longSig.
const sigBufSize = 64

// sigRoom returns an empty buffer for a signature of n instances: buf
// when they fit, else grouper.longSig, grown as needed and reused. The
// result is never stored, so that buf can stay on the caller's stack.
func (g *grouper) sigRoom(buf *[sigBufSize]byte, n int) []byte {
	// A marker or two, then ',' and a base-36 int64 (at most 14 bytes)
	// per instance.
	need := 2 + 15*n
	if need <= len(buf) {
		return buf[:0]
	}
	if cap(g.longSig) < need {
		g.longSig = make([]byte, 0, need)
	}
	return g.longSig[:0]
}

// request adds participant id to the REQUEST group of its view.
func (g *grouper) request(id int32, kind change, v *view) {
	var buf [sigBufSize]byte
	sig := g.sigRoom(&buf, len(v.overrides)) // what the view's recipients share
	if kind == changeFull {
		sig = append(sig, 'F')
	} else {
		sig = append(sig, 'S')
	}
	if v.master {
		sig = append(sig, 'M')
	}
	for _, ov := range v.overrides {
		sig = strconv.AppendInt(append(sig, ','), ov.key.Unix(), 36)
	}
	grp := g.requests.find(sig)
	if grp == nil {
		grp = newGroup(MethodRequest)
		grp.view = *v
		if kind == changeStatus {
			grp.update = UpdateStatusOnly
		}
		g.requests.add(sig, grp)
		g.order = append(g.order, grp)
	}
	grp.ids = append(grp.ids, id)
}

// groupIndex finds the groups of one method by signature. Most plans
// make one group, or add runs of participants to the same one, so the
// last group used is checked first and the map is made only for a
// second signature.
type groupIndex struct {
	last  *group
	bySig map[string]*group
}

// find returns the group of signature sig, or nil.
func (x *groupIndex) find(sig []byte) *group {
	if x.last != nil && x.last.sig == string(sig) {
		return x.last
	}
	if grp := x.bySig[string(sig)]; grp != nil {
		x.last = grp
		return grp
	}
	return nil
}

// add files grp, new, under signature sig.
func (x *groupIndex) add(sig []byte, grp *group) {
	grp.sig = string(sig)
	if x.last != nil {
		if x.bySig == nil {
			x.bySig = map[string]*group{x.last.sig: x.last}
		}
		x.bySig[grp.sig] = grp
	}
	x.last = grp
}

// cancel adds participant id to the CANCEL group for the whole object or
// the given instances.
func (g *grouper) cancel(id int32, whole bool, keys []time.Time) {
	var buf [sigBufSize]byte
	sig := g.sigRoom(&buf, len(keys)) // what the group's recipients share
	if whole {
		sig = append(sig, 'W')
		keys = nil
	}
	for _, k := range keys {
		sig = strconv.AppendInt(append(sig, ','), k.Unix(), 36)
	}
	grp := g.cancels.find(sig)
	if grp == nil {
		grp = newGroup(MethodCancel)
		grp.whole, grp.keys = whole, keys
		g.cancels.add(sig, grp)
		g.order = append(g.order, grp)
	}
	grp.ids = append(grp.ids, id)
}

// build serialises the groups into messages.
func (g *grouper) build() {
	org := organizerOf(g.oldObj(), g.newObj())
	g.p.vtz.setScope(g.p.now, g.oldObj(), g.newObj())
	for _, grp := range g.order {
		m := &Message{Method: grp.method, Originator: org, Update: grp.update, Recipients: make([]string, len(grp.ids))}
		for i, id := range grp.ids {
			m.Recipients[i] = g.reg.parts[id].addr
		}
		if grp.method == MethodRequest {
			m.Calendar = g.requestCalendar(grp)
		} else {
			m.Calendar = g.cancelCalendar(grp)
		}
		g.act.Messages = append(g.act.Messages, m)
	}
}

func (g *grouper) oldObj() *Object {
	if g.oldSide == nil {
		return nil
	}
	return g.oldSide.obj
}

func (g *grouper) newObj() *Object {
	if g.newSide == nil {
		return nil
	}
	return g.newSide.obj
}

// msg returns the message form of a new component, built once.
func (g *grouper) msg(ci *compInfo) *ical.Component {
	if ci.msg == nil {
		ci.msg = messageComponent(ci.c, g.p.stamp, 0)
	}
	return ci.msg
}

func (g *grouper) requestCalendar(grp *group) *ical.Calendar {
	comps := make([]*ical.Component, 0, len(grp.view.overrides)+1)
	if grp.view.master {
		m := g.msg(g.newSide.master)
		if len(grp.view.hidden) > 0 {
			m = withExdates(m, grp.view.hidden)
		}
		comps = append(comps, m)
	}
	for _, ov := range grp.view.overrides {
		comps = append(comps, g.msg(ov))
	}
	cal := newMessageCalendar(MethodRequest, g.p.opts.ProdID, len(comps)+1)
	g.p.vtz.finishMessage(cal, []*Object{g.newSide.obj}, comps)
	return cal
}

// cancelCalendar builds a CANCEL (RFC 5546 §3.2.5) naming the group's
// attendees, for the whole object or for each cancelled instance.
func (g *grouper) cancelCalendar(grp *group) *ical.Calendar {
	atts := make([]ical.Prop, len(grp.ids))
	for i, id := range grp.ids {
		atts[i] = messageProp(g.reg.parts[id].prop())
	}
	var comps []*ical.Component
	add := func(src *ical.Component, seq int) {
		c := briefComponent(src, seq, g.p.stamp)
		c.Props[ical.PropAttendee] = atts
		c.Props[ical.PropStatus] = []ical.Prop{{Name: ical.PropStatus, Params: ical.Params{}, Value: "CANCELLED"}}
		comps = append(comps, c)
	}
	var objs []*Object
	if grp.whole {
		src, seq := g.wholeSource()
		add(src, seq)
	} else {
		for _, k := range grp.keys {
			src, seq := g.instanceSource(k)
			if src != nil {
				add(src, seq)
			}
		}
	}
	objs = append(objs, g.newObj(), g.oldObj())
	cal := newMessageCalendar(MethodCancel, g.p.opts.ProdID, len(comps)+1)
	g.p.vtz.finishMessage(cal, objs, comps)
	return cal
}

// wholeSource returns the component describing the whole object in a
// CANCEL, and its SEQUENCE.
func (g *grouper) wholeSource() (*ical.Component, int) {
	if g.newSide != nil && g.newSide.master != nil {
		return g.newSide.master.c, Sequence(g.newSide.master.c)
	}
	src := g.oldSide.master
	if src == nil {
		src = g.oldSide.overrides[0]
	}
	return src.c, Sequence(src.c) + 1
}

// instanceSource returns the component describing the instance at k in a
// CANCEL, and its SEQUENCE.
func (g *grouper) instanceSource(k time.Time) (*ical.Component, int) {
	seq := -1
	if ov := g.newSide.find(k); ov != nil {
		seq = Sequence(ov.c)
		if ov.cancelled {
			return ov.c, seq
		}
	}
	if seq < 0 && g.newSide != nil && g.newSide.master != nil {
		seq = Sequence(g.newSide.master.c)
	}
	if ov := g.oldSide.find(k); ov != nil {
		if seq < 0 {
			seq = Sequence(ov.c) + 1
		}
		return ov.c, seq
	}
	if m := g.oldSide.master; m != nil {
		if seq < 0 {
			seq = Sequence(m.c) + 1
		}
		return instanceFromMaster(g.oldSide.obj, m.c, k), seq
	}
	return nil, 0
}
