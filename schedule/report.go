package schedule

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// reportInbox answers calendar-multiget and calendar-query REPORTs on the
// inbox (RFC 6638 §2.3).
func (h *Handler) reportInbox(q *request) error {
	body, err := readBody(q.r, xmlLimit)
	if err != nil {
		return err
	}
	root, err := parseXML(bytes.NewReader(body))
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Message: "malformed REPORT body", Err: err}
	}
	owner := q.t.principal
	pf := propfindFrom(root)
	switch {
	case root.is(nsCalDAV, "calendar-multiget"):
		var responses []*node
		for _, hr := range root.all(nsDAV, "href") {
			p, ok := unhref(hr.text)
			if !ok {
				continue
			}
			p = path.Clean("/" + p)
			if collectionPath(path.Dir(p)) != owner.InboxPath {
				responses = append(responses, statusResponse(hr.text, http.StatusNotFound))
				continue
			}
			item, err := h.store.SchedulingObject(q.ctx(), owner.Path, path.Base(p))
			if err != nil {
				responses = append(responses, statusResponse(href(p), http.StatusNotFound))
				continue
			}
			resp, err := propResponse(href(p), pf, itemProps(item, calendarDataRequest(pf)))
			if err != nil {
				return err
			}
			responses = append(responses, resp)
		}
		return writeMultistatus(q.w, responses)
	case root.is(nsCalDAV, "calendar-query"):
		filterEl := root.child(nsCalDAV, "filter").child(nsCalDAV, "comp-filter")
		if filterEl == nil {
			return precondition(http.StatusForbidden, ValidFilter, "missing comp-filter")
		}
		filter, err := parseCompFilter(filterEl)
		if err != nil {
			return &Error{Status: http.StatusForbidden, Condition: ValidFilter, Err: err}
		}
		items, err := h.store.SchedulingObjects(q.ctx(), owner.Path)
		if err != nil {
			return err
		}
		var responses []*node
		for i := range items {
			if !inboxMatch(filter, &items[i]) {
				continue
			}
			resp, err := propResponse(href(owner.InboxPath+items[i].Name), pf, itemProps(&items[i], calendarDataRequest(pf)))
			if err != nil {
				return err
			}
			responses = append(responses, resp)
		}
		return writeMultistatus(q.w, responses)
	}
	return precondition(http.StatusForbidden, SupportedReport, "unsupported REPORT on the inbox")
}

// inboxMatch evaluates a calendar-query filter on an inbox item. A VEVENT
// without DTSTART matches every time-range (§2.3): such items are
// matched against the filter with its time-ranges removed.
func inboxMatch(filter caldav.CompFilter, item *backend.SchedulingObject) (matched bool) {
	cal, err := ics.DecodeShared(item.Data)
	if err != nil {
		return false
	}
	defer func() {
		if recover() != nil {
			matched = false
		}
	}()
	if eventWithoutStart(cal) {
		filter = withoutTimeRanges(filter)
	}
	ok, err := caldav.Match(filter, &caldav.CalendarObject{Data: cal})
	return err == nil && ok
}

// eventWithoutStart reports whether cal has a VEVENT without DTSTART.
func eventWithoutStart(cal *ical.Calendar) bool {
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent && c.Props.Get(ical.PropDateTimeStart) == nil {
			return true
		}
	}
	return false
}

// withoutTimeRanges returns f with every time-range test removed.
func withoutTimeRanges(f caldav.CompFilter) caldav.CompFilter {
	f.Start, f.End = time.Time{}, time.Time{}
	comps := make([]caldav.CompFilter, len(f.Comps))
	for i, c := range f.Comps {
		comps[i] = withoutTimeRanges(c)
	}
	f.Comps = comps
	props := make([]caldav.PropFilter, len(f.Props))
	for i, p := range f.Props {
		p.Start, p.End = time.Time{}, time.Time{}
		props[i] = p
	}
	f.Props = props
	return f
}

// parseCompFilter converts a CALDAV:comp-filter element.
func parseCompFilter(n *node) (caldav.CompFilter, error) {
	f := caldav.CompFilter{Name: strings.ToUpper(attr(n, "name"))}
	if f.Name == "" {
		return f, fmt.Errorf("comp-filter without a name")
	}
	if n.child(nsCalDAV, "is-not-defined") != nil {
		f.IsNotDefined = true
	}
	if tr := n.child(nsCalDAV, "time-range"); tr != nil {
		start, end, err := parseTimeRange(tr)
		if err != nil {
			return f, err
		}
		f.Start, f.End = start, end
	}
	for _, c := range n.all(nsCalDAV, "comp-filter") {
		cf, err := parseCompFilter(c)
		if err != nil {
			return f, err
		}
		f.Comps = append(f.Comps, cf)
	}
	for _, p := range n.all(nsCalDAV, "prop-filter") {
		pf := caldav.PropFilter{Name: strings.ToUpper(attr(p, "name"))}
		if pf.Name == "" {
			return f, fmt.Errorf("prop-filter without a name")
		}
		pf.IsNotDefined = p.child(nsCalDAV, "is-not-defined") != nil
		if tr := p.child(nsCalDAV, "time-range"); tr != nil {
			start, end, err := parseTimeRange(tr)
			if err != nil {
				return f, err
			}
			pf.Start, pf.End = start, end
		}
		if tm := p.child(nsCalDAV, "text-match"); tm != nil {
			pf.TextMatch = &caldav.TextMatch{Text: tm.text, NegateCondition: attr(tm, "negate-condition") == "yes"}
		}
		for _, pm := range p.all(nsCalDAV, "param-filter") {
			prm := caldav.ParamFilter{Name: strings.ToUpper(attr(pm, "name"))}
			prm.IsNotDefined = pm.child(nsCalDAV, "is-not-defined") != nil
			if tm := pm.child(nsCalDAV, "text-match"); tm != nil {
				prm.TextMatch = &caldav.TextMatch{Text: tm.text, NegateCondition: attr(tm, "negate-condition") == "yes"}
			}
			pf.ParamFilter = append(pf.ParamFilter, prm)
		}
		f.Props = append(f.Props, pf)
	}
	return f, nil
}

// parseTimeRange reads the start and end attributes (UTC date-times);
// a missing bound is open.
func parseTimeRange(n *node) (time.Time, time.Time, error) {
	var start, end time.Time
	var err error
	if s := attr(n, "start"); s != "" {
		if start, err = time.Parse("20060102T150405Z", s); err != nil {
			return start, end, fmt.Errorf("time-range start: %w", err)
		}
	} else {
		start = time.Unix(0, 0).UTC()
	}
	if s := attr(n, "end"); s != "" {
		if end, err = time.Parse("20060102T150405Z", s); err != nil {
			return start, end, fmt.Errorf("time-range end: %w", err)
		}
	} else {
		end = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("time-range end before start")
	}
	return start, end, nil
}

// attr returns the value of an attribute without namespace.
func attr(n *node, local string) string {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
