package schedule

import (
	"bytes"
	"net/http"
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
