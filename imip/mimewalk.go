package imip

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// calendarPart is one iCalendar object found in an e-mail.
type calendarPart struct {
	// data is the decoded iCalendar text, UTF-8.
	data []byte
	// method is the Content-Type method parameter ("" when absent).
	method string
	// primary is true for text/calendar with a method parameter: an iMIP
	// body part (RFC 6047 §2.4). Others (no method, application/ics, an
	// .ics attachment) are used only when there is no primary part.
	primary bool
}

// walker collects calendar parts from a MIME tree within limits.
type walker struct {
	maxDepth, maxParts int
	parts              int
	found              []calendarPart
	// skipped is why the last undecodable secondary part was skipped.
	skipped error
}

// walk reads the entity with header h and body r at depth.
func (w *walker) walk(h textproto.Header, r io.Reader, depth int) error {
	w.parts++
	if w.parts > w.maxParts {
		return refused(ErrTooComplex, "more than %d MIME parts", w.maxParts)
	}
	if depth > w.maxDepth {
		return refused(ErrTooComplex, "MIME parts nested deeper than %d", w.maxDepth)
	}
	ctype, params := contentType(h)
	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" || len(boundary) > 200 {
			return refused(ErrMalformed, "%s without a valid boundary", ctype)
		}
		mr := textproto.NewMultipartReader(r, boundary)
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				// A truncated or sloppy multipart: keep what was found.
				if len(w.found) > 0 {
					return nil
				}
				return refusedBy(ErrMalformed, err, "reading "+ctype)
			}
			if err := w.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	case ctype == "message/rfc822":
		// A forwarded mail is not the sender's own message: skip it.
		return nil
	}
	isCal := ctype == "text/calendar"
	isICS := ctype == "application/ics" || ctype == "text/x-vcalendar" || hasICSFilename(h, params)
	if !isCal && !isICS {
		return nil
	}
	primary := isCal && params["method"] != ""
	data, err := decodeBody(h, r, params["charset"])
	if err != nil {
		if primary {
			return err
		}
		// An attachment that cannot be decoded must not hide a good
		// text/calendar part elsewhere.
		w.skipped = err
		return nil
	}
	w.found = append(w.found, calendarPart{
		data:    data,
		method:  strings.ToUpper(strings.TrimSpace(params["method"])),
		primary: primary,
	})
	return nil
}

// contentType returns the lower-case media type and its parameters;
// a missing or unparsable Content-Type is text/plain (RFC 2045 §5.2).
func contentType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", map[string]string{}
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "text/plain", map[string]string{}
	}
	if params == nil {
		params = map[string]string{}
	}
	return strings.ToLower(t), params
}

// hasICSFilename reports whether the part is named *.ics.
func hasICSFilename(h textproto.Header, ctParams map[string]string) bool {
	name := ctParams["name"]
	if v := h.Get("Content-Disposition"); v != "" {
		if _, dp, err := mime.ParseMediaType(v); err == nil && dp["filename"] != "" {
			name = dp["filename"]
		}
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(name)), ".ics")
}

// decodeBody undoes the transfer encoding and converts the charset to
// UTF-8.
func decodeBody(h textproto.Header, r io.Reader, charset string) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	switch enc {
	case "", "7bit", "8bit", "binary":
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: bufio.NewReader(r)})
	default:
		return nil, refused(ErrMalformed, "unknown Content-Transfer-Encoding %q", clip(enc, 40))
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, refusedBy(ErrMalformed, err, "decoding the calendar part")
	}
	out, err := toUTF8(data, charset)
	if err != nil {
		return nil, refusedBy(ErrMalformed, err, "converting the calendar part")
	}
	return out, nil
}

// base64Cleaner drops everything but the base64 alphabet (line breaks,
// indentation) so that sloppy encoders are tolerated.
type base64Cleaner struct {
	r *bufio.Reader
}

// Read implements io.Reader.
func (c *base64Cleaner) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := c.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
			p[n] = b
			n++
		}
	}
	return n, nil
}

// readHeader reads an RFC 5322 header block.
func readHeader(data []byte) (textproto.Header, *bufio.Reader, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return textproto.Header{}, nil, refusedBy(ErrMalformed, err, "reading the header")
	}
	return h, br, nil
}

// errCharset is wrapped for a charset this package cannot convert.
var errCharset = errors.New("unsupported charset")

// toUTF8 converts data in charset to UTF-8. iCalendar is UTF-8 (RFC 5545
// §3.1.4), so anything else is a legacy mailer's choice: US-ASCII,
// ISO-8859-1 and Windows-1252 are converted, other charsets refused.
func toUTF8(data []byte, charset string) ([]byte, error) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return data, nil
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
		return latin1ToUTF8(data, false), nil
	case "windows-1252", "cp1252":
		return latin1ToUTF8(data, true), nil
	}
	return nil, fmt.Errorf("%w %q", errCharset, clip(charset, 40))
}

// cp1252High returns the Unicode character of the Windows-1252 octet
// b in 0x80–0x9F, or 0 when it is unassigned.
func cp1252High(b byte) rune {
	table := [32]rune{
		0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
		0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
	}
	return table[b-0x80]
}

// latin1ToUTF8 converts ISO-8859-1 (Windows-1252 for 0x80–0x9F when
// windows is true) to UTF-8.
func latin1ToUTF8(data []byte, windows bool) []byte {
	out := make([]byte, 0, len(data)+len(data)/4)
	for _, b := range data {
		switch {
		case b < 0x80:
			out = append(out, b)
		case windows && b < 0xA0 && cp1252High(b) != 0:
			out = append(out, string(cp1252High(b))...)
		default:
			out = append(out, string(rune(b))...)
		}
	}
	return out
}
