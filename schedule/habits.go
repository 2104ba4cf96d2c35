package schedule

import (
	"context"
	"net/url"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/itip"
)

// normalizeClientData repairs what real clients write before the data is
// planned (cal is a fresh decode the handler owns):
//
//   - DAVx5 and others write ORGANIZER (and the owner's ATTENDEE) as the
//     login name or the principal URL: such values become the principal's
//     preferred calendar user address, for the owner and for any
//     principal URL of the store on this host.
//   - The same ATTENDEE written twice ("MAILTO:Bob@Example.org" and
//     "mailto:bob@example.org") is kept once, the first one.
//   - With Options.ClientAgentAsServer, SCHEDULE-AGENT=CLIENT on a
//     calendar user hosted by the store is dropped (Thunderbird leaves it
//     after sending invitations itself).
func (h *Handler) normalizeClientData(q *request, owner *backend.Principal, addrs []string, cal *ical.Calendar) {
	n := clientNormalizer{h: h, q: q, owner: owner, addrs: addrs, local: make(map[string]*backend.Principal)}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		orgs := c.Props[ical.PropOrganizer]
		for i := range orgs {
			n.fix(&orgs[i])
		}
		atts := c.Props[ical.PropAttendee]
		seen := make(map[string]bool, len(atts))
		kept := atts[:0]
		for i := range atts {
			n.fix(&atts[i])
			key := caladdr.Normalize(atts[i].Value)
			if seen[key] {
				continue
			}
			seen[key] = true
			kept = append(kept, atts[i])
		}
		if len(kept) != len(atts) {
			c.Props[ical.PropAttendee] = kept
		}
	}
}

// clientNormalizer holds the state of one normalizeClientData call.
type clientNormalizer struct {
	h     *Handler
	q     *request
	owner *backend.Principal
	addrs []string
	local map[string]*backend.Principal // lookups by normalised address; nil value: not hosted
}

func (n *clientNormalizer) ctx() context.Context { return n.q.ctx() }

// fix rewrites one ORGANIZER or ATTENDEE property in place (parameter
// maps are replaced, not written into).
func (n *clientNormalizer) fix(p *ical.Prop) {
	if a := n.alias(p.Value); a != "" {
		p.Value = a
	}
	if n.h.clientAgentAsServer && itip.ScheduleAgent(p) == itip.AgentClient && n.hosted(p.Value) {
		params := make(ical.Params, len(p.Params))
		for k, v := range p.Params {
			if k != itip.ParamScheduleAgent {
				params[k] = v
			}
		}
		p.Params = params
	}
}

// alias returns the calendar user address that v, a login name or a
// principal URL, stands for; "" when v is an address already or names no
// principal of this server.
func (n *clientNormalizer) alias(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || len(n.addrs) == 0 {
		return ""
	}
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.EqualFold(v[:i], "http") && !strings.EqualFold(v[:i], "https") {
		return "" // mailto:, urn:uuid: …: an address, not a login or URL
	}
	if n.owner.Owns(v) {
		return ""
	}
	login := strings.Trim(n.owner.Path, "/")
	if login != "" && strings.EqualFold(v, login) {
		return n.addrs[0]
	}
	p := v
	if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if !strings.EqualFold(u.Host, n.q.r.Host) {
			return ""
		}
		p = u.Path
	}
	if !strings.HasPrefix(p, "/") {
		return ""
	}
	p = collectionPath(p)
	if p == n.owner.Path {
		return n.addrs[0]
	}
	pr, err := n.h.store.PrincipalByPath(n.ctx(), p)
	if err != nil || pr.Path != p || len(pr.Addresses) == 0 {
		return ""
	}
	return pr.Addresses[0]
}

// hosted reports whether addr is a calendar user of the store (the
// owner's own addresses excluded: the owner is not scheduled).
func (n *clientNormalizer) hosted(addr string) bool {
	if n.owner.Owns(addr) {
		return false
	}
	key := caladdr.Normalize(addr)
	pr, ok := n.local[key]
	if !ok {
		pr, _ = n.h.store.PrincipalByAddress(n.ctx(), addr)
		n.local[key] = pr
	}
	return pr != nil
}

// isReaccept recognises Evolution's re-acceptance of an invitation: it
// creates the resource (If-None-Match: *) that the server already made
// from the invitation, at the same URL. The write is let through as an
// update of the attendee's copy when nothing else conditions it, the
// stored resource is the owner's attendee copy of the same UID and
// ORGANIZER, and the new data keeps them.
func isReaccept(conds writeConds, old *backend.Object, oldCal, cal *ical.Calendar, addrs []string) bool {
	if !conds.ifNoneMatch || conds.ifMatch != "" || conds.hasIfScheduleTag || old == nil || old.ScheduleTag == "" || oldCal == nil {
		return false
	}
	oldObj, err := itip.ParseObject(oldCal, nil)
	if err != nil {
		return false
	}
	newObj, err := itip.ParseObject(cal, nil)
	if err != nil {
		return false
	}
	own := caladdr.NewSet(addrs...)
	return oldObj.UID == newObj.UID && oldObj.Organizer != "" &&
		caladdr.Equal(oldObj.Organizer, newObj.Organizer) && !own.Has(oldObj.Organizer) &&
		ownerTakesPart(oldObj, addrs) && ownerTakesPart(newObj, addrs)
}
