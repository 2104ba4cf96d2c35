package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// XML namespaces of the properties a calendar is created with.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsApple  = "http://apple.com/ns/ical/"
)

// maxMkcalendarBody bounds the body of MKCALENDAR and extended MKCOL.
const maxMkcalendarBody = 64 << 10

// creatableComponents are the component types a new calendar may accept
// (supported-calendar-component-set).
var creatableComponents = map[string]bool{
	"VEVENT": true, "VTODO": true, "VJOURNAL": true, "VFREEBUSY": true, "VAVAILABILITY": true,
}

// calendarCreator serves MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL
// (RFC 5689) of calendars in the authenticated user's calendar home, which
// go-webdav does not support (405) or supports without properties, and
// says so in OPTIONS (options.go); other requests go to next. It must run
// behind the authenticator.
type calendarCreator struct {
	store backend.Store
	log   *slog.Logger
	next  http.Handler
}

// mkcalendarRequest is the body of MKCALENDAR (<C:mkcalendar>) or of an
// extended MKCOL (<D:mkcol>): properties to set.
type mkcalendarRequest struct {
	XMLName xml.Name
	Set     []struct {
		Prop struct {
			Props []xmlProp `xml:",any"`
		} `xml:"DAV: prop"`
	} `xml:"DAV: set"`
}

// xmlProp is one property element, kept generic.
type xmlProp struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlProp  `xml:",any"`
}

// propFailure is a property that could not be set, with why.
type propFailure struct {
	name   xml.Name
	reason string
}

// ServeHTTP implements http.Handler.
func (c *calendarCreator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		c.options(w, r)
		return
	}
	if r.Method != "MKCALENDAR" && r.Method != "MKCOL" {
		c.next.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	principalPath, ok := backend.PrincipalFromContext(ctx)
	if !ok {
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	pr, err := c.store.PrincipalByPath(ctx, principalPath)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "looking up the principal", err)
		return
	}
	calPath, ok := calendarPathIn(pr, r.URL.Path)
	if !ok {
		writeDAVError(w, http.StatusForbidden, nsCalDAV, "calendar-collection-location-ok")
		return
	}
	switch _, err := c.store.Calendar(ctx, calPath); {
	case err == nil:
		http.Error(w, "a calendar exists at "+calPath, http.StatusMethodNotAllowed)
		return
	case !errors.Is(err, backend.ErrNotFound):
		c.fail(w, r, http.StatusInternalServerError, "looking up the calendar", err)
		return
	}
	cal := &backend.Calendar{Path: calPath, Owner: pr.Path}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxMkcalendarBody+1))
	if err != nil {
		http.Error(w, "reading the request body failed", http.StatusBadRequest)
		return
	}
	if len(body) > maxMkcalendarBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	var req *mkcalendarRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if req, err = parseMkcalendar(r.Method, body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	} else if r.Method == "MKCOL" {
		// A plain MKCOL would make a collection that is not a calendar:
		// the calendar home holds calendars only.
		writeDAVError(w, http.StatusForbidden, nsDAV, "valid-resourcetype")
		return
	}
	if req != nil {
		if failed, all := applyProps(cal, req, r.Method == "MKCOL"); len(failed) > 0 {
			writePropFailures(w, r.Method, failed, all)
			return
		}
	}
	if err := c.store.CreateCalendar(ctx, cal); err != nil {
		switch {
		case errors.Is(err, backend.ErrExists):
			http.Error(w, "a collection exists at "+calPath, http.StatusMethodNotAllowed)
		case errors.Is(err, backend.ErrInvalidPath):
			writeDAVError(w, http.StatusForbidden, nsCalDAV, "calendar-collection-location-ok")
		default:
			c.fail(w, r, http.StatusInternalServerError, "creating the calendar", err)
		}
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Location", calPath)
	w.WriteHeader(http.StatusCreated)
}

// fail logs err and answers status without details.
func (c *calendarCreator) fail(w http.ResponseWriter, r *http.Request, status int, what string, err error) {
	c.log.ErrorContext(r.Context(), "mkcalendar: "+what, "path", r.URL.Path, "err", err)
	http.Error(w, http.StatusText(status), status)
}

// calendarPathIn returns the collection path for urlPath when it names a
// direct child of p's calendar home that is neither the inbox nor the
// outbox, with a valid name.
func calendarPathIn(p *backend.Principal, urlPath string) (string, bool) {
	clean := path.Clean("/" + urlPath)
	calPath := clean + "/"
	if p.HomePath == "" || !strings.HasPrefix(calPath, p.HomePath) {
		return "", false
	}
	name := strings.TrimSuffix(strings.TrimPrefix(calPath, p.HomePath), "/")
	if strings.Contains(name, "/") || backend.CheckName(name) != nil {
		return "", false
	}
	if calPath == p.InboxPath || calPath == p.OutboxPath {
		return "", false
	}
	return calPath, true
}

// parseMkcalendar decodes the body of an MKCALENDAR or extended MKCOL: the
// root element must match the method. Directives (DOCTYPE) are refused
// before decoding.
func parseMkcalendar(method string, body []byte) (*mkcalendarRequest, error) {
	if err := checkXML(body); err != nil {
		return nil, fmt.Errorf("bad XML body: %w", err)
	}
	var req mkcalendarRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("bad XML body: %w", err)
	}
	want := xml.Name{Space: nsCalDAV, Local: "mkcalendar"}
	if method == "MKCOL" {
		want = xml.Name{Space: nsDAV, Local: "mkcol"}
	}
	if req.XMLName != want {
		return nil, fmt.Errorf("the body of %s must be a {%s}%s element", method, want.Space, want.Local)
	}
	return &req, nil
}

// applyProps sets the requested properties on cal. It returns the
// properties that cannot be set (none on success) and the names of all
// requested properties, for the failure report. An extended MKCOL must ask
// for a calendar resource type.
func applyProps(cal *backend.Calendar, req *mkcalendarRequest, mkcol bool) (failed []propFailure, all []xml.Name) {
	sawType := false
	for _, set := range req.Set {
		for _, p := range set.Prop.Props {
			all = append(all, p.XMLName)
			if reason := applyProp(cal, &p); reason != "" {
				failed = append(failed, propFailure{name: p.XMLName, reason: reason})
			}
			if p.XMLName == (xml.Name{Space: nsDAV, Local: "resourcetype"}) {
				sawType = true
			}
		}
	}
	if mkcol && !sawType {
		name := xml.Name{Space: nsDAV, Local: "resourcetype"}
		failed = append(failed, propFailure{name: name, reason: "an extended MKCOL here must set a calendar resourcetype"})
		all = append(all, name)
	}
	return failed, all
}

// applyProp sets one property on cal; it returns why it cannot, or "".
// calendar-timezone (RFC 4791 §5.2.2) and calendar-timezone-id (RFC 7809)
// are checked and kept in cal.TimeZone; Apple's calendar-color and
// calendar-order, which clients send when they create calendars, are
// accepted and not kept.
func applyProp(cal *backend.Calendar, p *xmlProp) string {
	switch p.XMLName {
	case xml.Name{Space: nsDAV, Local: "displayname"}:
		cal.DisplayName = strings.TrimSpace(p.Text)
	case xml.Name{Space: nsCalDAV, Local: "calendar-description"}:
		cal.Description = p.Text
	case xml.Name{Space: nsDAV, Local: "resourcetype"}:
		var collection, calendar bool
		for _, c := range p.Children {
			switch c.XMLName {
			case xml.Name{Space: nsDAV, Local: "collection"}:
				collection = true
			case xml.Name{Space: nsCalDAV, Local: "calendar"}:
				calendar = true
			default:
				return "only calendar collections are created here"
			}
		}
		if !collection || !calendar {
			return "only calendar collections are created here"
		}
	case xml.Name{Space: nsCalDAV, Local: "supported-calendar-component-set"}:
		var comps []string
		for _, c := range p.Children {
			if c.XMLName != (xml.Name{Space: nsCalDAV, Local: "comp"}) {
				return "unexpected element " + c.XMLName.Local
			}
			name := ""
			for _, a := range c.Attrs {
				if a.Name.Local == "name" && a.Name.Space == "" {
					name = strings.ToUpper(a.Value)
				}
			}
			if !creatableComponents[name] {
				return fmt.Sprintf("component type %q is not supported", name)
			}
			comps = append(comps, name)
		}
		if len(comps) == 0 {
			return "no component type"
		}
		cal.SupportedComponents = comps
	case xml.Name{Space: nsCalDAV, Local: "schedule-calendar-transp"}:
		if len(p.Children) != 1 {
			return "expected opaque or transparent"
		}
		switch p.Children[0].XMLName {
		case xml.Name{Space: nsCalDAV, Local: "opaque"}:
			cal.Transparent = false
		case xml.Name{Space: nsCalDAV, Local: "transparent"}:
			cal.Transparent = true
		default:
			return "expected opaque or transparent"
		}
	case xml.Name{Space: nsCalDAV, Local: "calendar-timezone"}:
		text, err := backend.CanonicalTimeZone(p.Text)
		if err != nil {
			return "valid-calendar-data: not an iCalendar object with one VTIMEZONE of a time zone"
		}
		cal.TimeZone = text
	case xml.Name{Space: nsCalDAV, Local: "calendar-timezone-id"}:
		text, err := backend.TimeZoneForID(p.Text)
		if err != nil {
			return "valid-timezone: not a time zone identifier of the IANA database"
		}
		cal.TimeZone = text
	case xml.Name{Space: nsApple, Local: "calendar-color"},
		xml.Name{Space: nsApple, Local: "calendar-order"}:
	default:
		return "property not supported"
	}
	return ""
}

// writeDAVError answers status with a DAV:error body naming the
// precondition {ns}name.
func writeDAVError(w http.ResponseWriter, status int, ns, name string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<D:error xmlns:D="DAV:"><%s xmlns="%s"/></D:error>`, name, ns)
}

// writePropFailures answers 403 with an mkcalendar-response (or
// mkcol-response) body: 403 for each property that cannot be set, 424
// (failed dependency) for the others (RFC 4791 §5.3.1, RFC 5689 §3).
func writePropFailures(w http.ResponseWriter, method string, failed []propFailure, all []xml.Name) {
	root := `C:mkcalendar-response`
	if method == "MKCOL" {
		root = `D:mkcol-response`
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	fmt.Fprintf(&b, `<%s xmlns:D="DAV:" xmlns:C="%s">`, root, nsCalDAV)
	bad := make(map[xml.Name]bool, len(failed))
	for _, f := range failed {
		bad[f.name] = true
		writePropstat(&b, f.name, "403 Forbidden", f.reason)
	}
	for _, n := range all {
		if !bad[n] {
			writePropstat(&b, n, "424 Failed Dependency", "")
		}
	}
	fmt.Fprintf(&b, `</%s>`, root)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	io.WriteString(w, b.String())
}

// writePropstat writes one D:propstat with an empty property element.
func writePropstat(b *strings.Builder, name xml.Name, status, reason string) {
	// The name comes from a parsed element, so it is a valid XML name.
	b.WriteString(`<D:propstat><D:prop>`)
	if name.Space == "" {
		b.WriteString(`<` + name.Local + `/>`)
	} else {
		b.WriteString(`<x:` + name.Local + ` xmlns:x="`)
		xml.EscapeText(b, []byte(name.Space))
		b.WriteString(`"/>`)
	}
	b.WriteString(`</D:prop><D:status>HTTP/1.1 ` + status + `</D:status>`)
	if reason != "" {
		b.WriteString(`<D:responsedescription>`)
		xml.EscapeText(b, []byte(reason))
		b.WriteString(`</D:responsedescription>`)
	}
	b.WriteString(`</D:propstat>`)
}
