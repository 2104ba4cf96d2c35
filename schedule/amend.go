package schedule

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
)

// passPropfind sends a PROPFIND to the wrapped handler and amends its
// multistatus: extra(path) returns properties of the resource at path
// that go-webdav does not know; the requested ones are moved from the
// 404 propstat to the 200 one. add are further responses appended.
// body is the request body already read (it is replayed).
func (h *Handler) passPropfind(q *request, body []byte, pf *propfind, extra func(path string) []prop, add []*node) error {
	q.r.Body = io.NopCloser(bytes.NewReader(body))
	rec := newRecorder()
	h.next.ServeHTTP(rec, q.r)
	if rec.code() != http.StatusMultiStatus || (extra == nil && len(add) == 0) {
		rec.replay(q.w, nil)
		return nil
	}
	root, err := parseXML(bytes.NewReader(rec.body.Bytes()))
	if err != nil || !root.is(nsDAV, "multistatus") {
		rec.replay(q.w, nil)
		return nil
	}
	if extra != nil && (len(pf.names) > 0 || pf.allprop) {
		for _, resp := range root.all(nsDAV, "response") {
			hr := resp.child(nsDAV, "href")
			if hr == nil {
				continue
			}
			p, ok := unhref(hr.text)
			if !ok {
				continue
			}
			if err := mergeResponse(resp, pf, extra(p)); err != nil {
				return err
			}
		}
	}
	root.children = append(root.children, add...)
	var out bytes.Buffer
	if err := writeXML(&out, root); err != nil {
		return err
	}
	rec.replay(q.w, out.Bytes())
	return nil
}

// mergeResponse adds the values of props that pf asks for to resp.
func mergeResponse(resp *node, pf *propfind, props []prop) error {
	if len(props) == 0 {
		return nil
	}
	var okProp *node
	for _, ps := range resp.all(nsDAV, "propstat") {
		st := ps.child(nsDAV, "status")
		if st != nil && strings.Contains(st.text, " 200 ") {
			okProp = ps.child(nsDAV, "prop")
		}
	}
	for _, p := range props {
		if !pf.wants(p.name) && !(pf.allprop && !p.hidden) {
			continue
		}
		v, err := p.value()
		if err != nil {
			return err
		}
		removeProp(resp, p.name)
		if okProp == nil {
			okProp = el(nsDAV, "prop")
			resp.children = append(resp.children, el(nsDAV, "propstat", okProp, textEl(nsDAV, "status", "HTTP/1.1 200 OK")))
		}
		okProp.children = append(okProp.children, v)
	}
	// Drop propstats left empty.
	kept := resp.children[:0]
	for _, c := range resp.children {
		if c.is(nsDAV, "propstat") {
			if pr := c.child(nsDAV, "prop"); pr != nil && len(pr.children) == 0 {
				continue
			}
		}
		kept = append(kept, c)
	}
	resp.children = kept
	return nil
}

// removeProp deletes the property from every propstat of resp.
func removeProp(resp *node, name xml.Name) {
	for _, ps := range resp.all(nsDAV, "propstat") {
		pr := ps.child(nsDAV, "prop")
		if pr == nil {
			continue
		}
		kept := pr.children[:0]
		for _, c := range pr.children {
			if c.name != name {
				kept = append(kept, c)
			}
		}
		pr.children = kept
	}
}
