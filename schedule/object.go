package schedule

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// serveObject handles a calendar object resource: writes (PUT, DELETE,
// COPY, MOVE) are scheduling operations (RFC 6638 §3.2.3) done here;
// reads go to the wrapped handler, with the Schedule-Tag added.
func (h *Handler) serveObject(q *request) error {
	switch q.r.Method {
	case http.MethodPut:
		return h.putObject(q)
	case http.MethodDelete:
		return h.deleteObject(q)
	case "COPY", "MOVE":
		return h.copyMove(q)
	case "PROPPATCH":
		if err := h.authorizeWrite(q); err != nil {
			return err
		}
		return h.refusePropPatch(q)
	case "PROPFIND":
		body, err := readBody(q.r, xmlLimit)
		if err != nil {
			return err
		}
		q.r.Body = io.NopCloser(bytes.NewReader(body))
		pf, err := parsePropfind(q.r)
		if err != nil {
			return err
		}
		if !pf.wants(scheduleTagName) {
			q.r.Body = io.NopCloser(bytes.NewReader(body))
			h.next.ServeHTTP(q.w, q.r)
			return nil
		}
		return h.passPropfind(q, body, pf, func(p string) []prop { return h.objectExtraProps(q.ctx(), p) }, nil)
	case http.MethodGet, http.MethodHead:
		return h.getObject(q)
	case "REPORT":
		return h.reportObject(q)
	}
	h.next.ServeHTTP(q.w, q.r)
	return nil
}

// getObject lets the wrapped handler answer GET or HEAD (it authorizes
// the read), then serves the stored bytes exactly as stored, with their
// ETag and Schedule-Tag: go-webdav re-encodes the data, which loses the
// line folding and can disagree with the Content-Length it sends.
func (h *Handler) getObject(q *request) error {
	rec := newRecorder()
	h.next.ServeHTTP(rec, q.r)
	if rec.code() != http.StatusOK {
		rec.replay(q.w, nil)
		return nil
	}
	obj, err := h.store.Object(q.ctx(), q.t.path)
	if err != nil {
		rec.replay(q.w, nil)
		return nil
	}
	hd := q.w.Header()
	for k, v := range rec.header {
		hd[k] = v
	}
	hd.Set("Content-Type", icalContentType)
	hd.Set("Content-Length", strconv.Itoa(len(obj.Data)))
	hd.Set("ETag", `"`+obj.ETag+`"`)
	if obj.ScheduleTag != "" {
		hd.Set("Schedule-Tag", `"`+obj.ScheduleTag+`"`)
	}
	q.w.WriteHeader(http.StatusOK)
	if q.r.Method == http.MethodGet {
		_, _ = q.w.Write(obj.Data)
	}
	return nil
}
