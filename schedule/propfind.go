package schedule

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// propfind is a parsed PROPFIND (or REPORT prop) request.
type propfind struct {
	allprop  bool
	propname bool
	names    []xml.Name
	// props are the requested elements themselves (calendar-data may
	// carry a sub-request).
	props []*node
}

// parsePropfind reads a PROPFIND body; an empty body means allprop
// (RFC 4918 §9.1).
func parsePropfind(r *http.Request) (*propfind, error) {
	data, err := readBody(r, xmlLimit)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &propfind{allprop: true}, nil
	}
	root, err := parseXML(bytes.NewReader(data))
	if err != nil || !root.is(nsDAV, "propfind") {
		return nil, &Error{Status: http.StatusBadRequest, Message: "malformed PROPFIND body", Err: err}
	}
	return propfindFrom(root), nil
}

// propfindFrom reads the allprop/propname/prop children of el.
func propfindFrom(el *node) *propfind {
	pf := &propfind{}
	if el.child(nsDAV, "allprop") != nil {
		pf.allprop = true
	}
	if el.child(nsDAV, "propname") != nil {
		pf.propname = true
	}
	if p := el.child(nsDAV, "prop"); p != nil {
		for _, c := range p.children {
			pf.names = append(pf.names, c.name)
			pf.props = append(pf.props, c)
		}
	}
	if !pf.allprop && !pf.propname && len(pf.names) == 0 {
		pf.allprop = true
	}
	return pf
}

// wants reports whether the request asks for the property by name.
func (pf *propfind) wants(name xml.Name) bool {
	for _, n := range pf.names {
		if n == name {
			return true
		}
	}
	return false
}

// prop is one property of a resource: its value as an element.
type prop struct {
	name xml.Name
	// value returns the property element (named name); it is computed
	// only when the property is asked for.
	value func() (*node, error)
	// hidden properties are not returned for allprop (RFC 6638 marks
	// several "SHOULD NOT be returned by allprop").
	hidden bool
}

// propOf returns a prop whose value is a fixed element.
func propOf(space, local string, children ...*node) prop {
	n := el(space, local, children...)
	return prop{name: n.name, value: func() (*node, error) { return n, nil }}
}

// textProp returns a prop whose value is text.
func textProp(space, local, text string) prop {
	n := textEl(space, local, text)
	return prop{name: n.name, value: func() (*node, error) { return n, nil }}
}

// hide marks p as not returned by allprop.
func hide(p prop) prop { p.hidden = true; return p }

// propResponse builds the DAV:response of one resource for pf.
func propResponse(href string, pf *propfind, props []prop) (*node, error) {
	var ok, missing []*node
	byName := make(map[xml.Name]prop, len(props))
	for _, p := range props {
		byName[p.name] = p
	}
	switch {
	case pf.propname:
		for _, p := range props {
			ok = append(ok, &node{name: p.name})
		}
	case pf.allprop:
		for _, p := range props {
			if p.hidden {
				continue
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			ok = append(ok, v)
		}
		fallthrough
	default:
		for _, name := range pf.names {
			if pf.allprop {
				// allprop + include: add the included hidden ones.
				if p, found := byName[name]; found && p.hidden {
					v, err := p.value()
					if err != nil {
						return nil, err
					}
					ok = append(ok, v)
				}
				continue
			}
			p, found := byName[name]
			if !found {
				missing = append(missing, &node{name: name})
				continue
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			ok = append(ok, v)
		}
	}
	resp := el(nsDAV, "response", hrefEl(href))
	if len(ok) > 0 {
		resp.children = append(resp.children, el(nsDAV, "propstat",
			el(nsDAV, "prop", ok...), textEl(nsDAV, "status", "HTTP/1.1 200 OK")))
	}
	if len(missing) > 0 {
		resp.children = append(resp.children, el(nsDAV, "propstat",
			el(nsDAV, "prop", missing...), textEl(nsDAV, "status", "HTTP/1.1 404 Not Found")))
	}
	if len(ok) == 0 && len(missing) == 0 {
		resp.children = append(resp.children, el(nsDAV, "propstat",
			el(nsDAV, "prop"), textEl(nsDAV, "status", "HTTP/1.1 200 OK")))
	}
	return resp, nil
}

// statusResponse is a DAV:response carrying only a status.
func statusResponse(href string, status int) *node {
	return el(nsDAV, "response", hrefEl(href),
		textEl(nsDAV, "status", "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)))
}

// writeMultistatus answers 207 with the responses.
func writeMultistatus(w http.ResponseWriter, responses []*node) error {
	w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
	w.WriteHeader(http.StatusMultiStatus)
	return writeXML(w, el(nsDAV, "multistatus", responses...))
}

// href escapes a path for DAV:href.
func href(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// unhref turns a DAV:href (absolute URL or path) into a clean path.
func unhref(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Path == "" {
		return "", false
	}
	return u.Path, true
}

// depth reads the Depth header: 0, 1, or infinity (returned as 2);
// def when absent. A malformed value is a 400.
func depth(r *http.Request, def int) (int, error) {
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))) {
	case "":
		return def, nil
	case "0":
		return 0, nil
	case "1":
		return 1, nil
	case "infinity":
		return 2, nil
	}
	return 0, httpError(http.StatusBadRequest, "bad Depth header")
}

// statusLine returns "<code> <reason>".
func statusLine(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}
