package schedule

import (
	"bytes"
	"net/http"
	"strings"
)

// recorder captures what the wrapped handler answers so that the
// middleware can amend it before the client sees it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: make(http.Header)} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(p)
}

// code returns the status written (200 when only a body was).
func (rec *recorder) code() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// replay writes the captured answer to w, with body instead of the
// captured one when body is not nil.
func (rec *recorder) replay(w http.ResponseWriter, body []byte) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if body == nil {
		body = rec.body.Bytes()
	} else {
		w.Header().Del("Content-Length")
	}
	w.WriteHeader(rec.code())
	_, _ = w.Write(body)
}

// autoScheduleWriter adds calendar-auto-schedule to the DAV header the
// wrapped handler writes.
type autoScheduleWriter struct {
	http.ResponseWriter
	done bool
}

// withAutoSchedule wraps w so that a DAV response header advertises
// calendar-auto-schedule (RFC 6638 §2) and scheduling-controls (the
// scheduling-controls draft, §3).
func withAutoSchedule(w http.ResponseWriter) http.ResponseWriter {
	return &autoScheduleWriter{ResponseWriter: w}
}

func (a *autoScheduleWriter) fix() {
	if a.done {
		return
	}
	a.done = true
	h := a.ResponseWriter.Header()
	if dav := h.Get("Dav"); dav != "" {
		dav = addCapability(dav, "calendar-auto-schedule")
		h.Set("Dav", addCapability(dav, schedulingControlsCapability))
	}
}

func (a *autoScheduleWriter) WriteHeader(status int) {
	a.fix()
	a.ResponseWriter.WriteHeader(status)
}

func (a *autoScheduleWriter) Write(p []byte) (int, error) {
	a.fix()
	return a.ResponseWriter.Write(p)
}

// addCapability appends c to a comma-separated DAV header value unless
// it is there already.
func addCapability(dav, c string) string {
	for _, f := range strings.Split(dav, ",") {
		if strings.TrimSpace(f) == c {
			return dav
		}
	}
	return dav + ", " + c
}
