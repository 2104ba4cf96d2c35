package schedule

import (
	"net/http"

	"github.com/go-autoschedule/autoschedule/backend"
)

// servePrincipal answers PROPFIND on any principal with the scheduling
// properties (RFC 6638 §2.1.1, §2.2.1, §2.4) besides the ones go-webdav
// knows: go-webdav answers only for the current user's principal, while
// clients look attendees up too.
func (h *Handler) servePrincipal(q *request) error {
	switch q.r.Method {
	case "PROPFIND":
	case http.MethodGet, http.MethodHead, "REPORT":
		h.next.ServeHTTP(q.w, q.r)
		return nil
	default:
		// Principals are the server's: nothing is written to them.
		return httpError(http.StatusMethodNotAllowed, q.r.Method+" on a principal")
	}
	if q.actor == "" {
		// Unauthenticated: no scheduling information (§11.4).
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	d, err := depth(q.r, 2)
	if err != nil {
		return err
	}
	pf, err := parsePropfind(q.r)
	if err != nil {
		return err
	}
	pr := q.t.principal
	resp, err := propResponse(href(pr.Path), pf, h.principalProps(q.actor, pr))
	if err != nil {
		return err
	}
	responses := []*node{resp}
	if d > 0 && q.actor == pr.Path {
		home, err := propResponse(href(pr.HomePath), pf, h.homeProps(q.actor, pr))
		if err != nil {
			return err
		}
		responses = append(responses, home)
	}
	return writeMultistatus(q.w, responses)
}

// principalProps are the properties of a principal resource.
func (h *Handler) principalProps(actor string, pr *backend.Principal) []prop {
	addrs := make([]*node, len(pr.Addresses))
	for i, a := range pr.Addresses {
		addrs[i] = hrefEl(a)
	}
	cutype := pr.Type
	if cutype == "" {
		cutype = backend.Individual
	}
	props := []prop{
		propOf(nsDAV, "resourcetype", el(nsDAV, "collection"), el(nsDAV, "principal")),
		propOf(nsDAV, "principal-URL", hrefEl(href(pr.Path))),
		propOf(nsDAV, "current-user-principal", hrefEl(href(actor))),
		propOf(nsCalDAV, "calendar-user-address-set", addrs...),
		textProp(nsCalDAV, "calendar-user-type", cutype),
	}
	if pr.DisplayName != "" {
		props = append(props, textProp(nsDAV, "displayname", pr.DisplayName))
	}
	if pr.HomePath != "" {
		props = append(props, propOf(nsCalDAV, "calendar-home-set", hrefEl(href(pr.HomePath))))
	}
	if pr.InboxPath != "" {
		props = append(props, hide(propOf(nsCalDAV, "schedule-inbox-URL", hrefEl(href(pr.InboxPath)))))
	}
	if pr.OutboxPath != "" {
		props = append(props, hide(propOf(nsCalDAV, "schedule-outbox-URL", hrefEl(href(pr.OutboxPath)))))
	}
	return props
}

// homeProps are the properties of a calendar home collection.
func (h *Handler) homeProps(actor string, pr *backend.Principal) []prop {
	return []prop{
		propOf(nsDAV, "resourcetype", el(nsDAV, "collection")),
		propOf(nsDAV, "current-user-principal", hrefEl(href(actor))),
		propOf(nsDAV, "owner", hrefEl(href(pr.Path))),
	}
}
