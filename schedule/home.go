package schedule

import (
	"bytes"
	"io"
	"net/http"

	"github.com/go-autoschedule/autoschedule/privilege"
)

// serveHome passes requests on the calendar home to go-webdav and, for a
// PROPFIND with Depth 1 or more, lists the scheduling inbox and outbox
// among the home's members and adds the scheduling properties of the
// calendars.
func (h *Handler) serveHome(q *request) error {
	switch q.r.Method {
	case "PROPFIND":
	case "REPORT":
		return h.reportHome(q)
	case http.MethodPut, http.MethodPost, http.MethodDelete, "PROPPATCH", "COPY", "MOVE", "MKCOL", "MKCALENDAR":
		// The home belongs to the server: only calendars are made in it.
		return httpError(http.StatusMethodNotAllowed, q.r.Method+" on the calendar home")
	default:
		h.next.ServeHTTP(q.w, q.r)
		return nil
	}
	d, err := depth(q.r, 2)
	if err != nil {
		return err
	}
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	q.r.Body = io.NopCloser(bytes.NewReader(body))
	pf, err := parsePropfind(q.r)
	if err != nil {
		return err
	}
	var add []*node
	pr := q.t.principal
	if d > 0 && q.actor != "" {
		inboxPriv, err := h.privileges(q.ctx(), q.actor, pr.Path, privilege.Inbox)
		if err != nil {
			return err
		}
		if inboxPriv.Has(privilege.Read) && pr.InboxPath != "" {
			props, err := h.inboxProps(q, inboxPriv)
			if err != nil {
				return err
			}
			resp, err := propResponse(href(pr.InboxPath), pf, props)
			if err != nil {
				return err
			}
			add = append(add, resp)
		}
		outboxPriv, err := h.privileges(q.ctx(), q.actor, pr.Path, privilege.Outbox)
		if err != nil {
			return err
		}
		if outboxPriv.Has(privilege.Read) && pr.OutboxPath != "" {
			resp, err := propResponse(href(pr.OutboxPath), pf, h.outboxProps(q, outboxPriv))
			if err != nil {
				return err
			}
			add = append(add, resp)
		}
	}
	return h.passPropfind(q, body, pf, h.calendarExtraProps(q, pf), add)
}
