package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Request body limits. The scheduling middleware applies its own, smaller
// limit to calendar data (CALDAV:max-resource-size, answered 403); these
// stop bodies that no request of this server needs before anyone reads
// them.
const (
	// defaultMaxBody is the default of -max-body: the largest request
	// body of any kind.
	defaultMaxBody = 4 << 20
	// maxXMLBody is the largest XML request body (PROPFIND, REPORT,
	// PROPPATCH, MKCALENDAR, MKCOL, or any body labelled as XML).
	maxXMLBody = 1 << 20
)

// errXMLDirective is returned for XML bodies with a DOCTYPE (or any other
// "<!" directive): entity definitions have no place in WebDAV requests.
var errXMLDirective = errors.New("XML directives (DOCTYPE, ENTITY) are not accepted")

// limitBodies returns a handler that refuses bodies larger than maxBody
// with 413 before reading them (from Content-Length, or when a chunked
// body grows too long), and checks XML bodies before next sees them: at
// most maxXMLBody octets (413), well-formed, and without directives such
// as DOCTYPE (400), so that no entity definition reaches a parser.
func limitBodies(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			// Not reading the body: the server closes the connection
			// after the answer instead of draining it.
			w.Header().Set("Connection", "close")
			http.Error(w, fmt.Sprintf("request body larger than %d bytes", maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		if hasXMLBody(r) {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge) || len(body) > maxXMLBody:
				w.Header().Set("Connection", "close")
				http.Error(w, fmt.Sprintf("XML request body larger than %d bytes", maxXMLBody), http.StatusRequestEntityTooLarge)
				return
			case err != nil:
				http.Error(w, "reading the request body failed", http.StatusBadRequest)
				return
			}
			if err := checkXML(body); err != nil {
				http.Error(w, "bad XML request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

// hasXMLBody reports whether r carries a body that is parsed as XML: the
// WebDAV methods whose bodies are XML, and anything labelled as XML.
func hasXMLBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	switch r.Method {
	case "PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "LOCK":
		return true
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"))
}

// checkXML scans an XML document token by token without interpreting it
// (the parsers behind check nesting and namespaces): its tokens must be
// well-formed, with no undefined entity reference and no directive ("<!DOCTYPE …>", "<!ENTITY …>").
// Comments and CDATA sections are fine. An empty body is fine too (for
// example a PROPFIND meaning allprop).
func checkXML(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.Directive); ok {
			return errXMLDirective
		}
	}
}
