package main

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sunkMail is one mail the sink received.
type sunkMail struct {
	from string
	to   []string
	data []byte
}

// header returns the value of a header field of the mail.
func (m *sunkMail) header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		return ""
	}
	return msg.Header.Get(name)
}

// calendarPart returns the media type parameters and the content of the
// first text/calendar part of the mail, walking nested multiparts.
func (m *sunkMail) calendarPart() (map[string]string, string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		return nil, "", err
	}
	return findCalendar(msg.Header.Get("Content-Type"), msg.Body, 0)
}

// findCalendar looks for a text/calendar entity in body, of the given
// Content-Type. The sink's test mails are 7bit or base64; this project's
// composer writes the calendar part 7bit when it is ASCII.
func findCalendar(contentType string, body io.Reader, depth int) (map[string]string, string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, "", err
	}
	switch {
	case mt == "text/calendar":
		data, err := io.ReadAll(body)
		return params, string(data), err
	case strings.HasPrefix(mt, "multipart/") && depth < 5:
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return nil, "", errors.New("no text/calendar part")
			}
			if params, data, err := findCalendar(p.Header.Get("Content-Type"), p, depth+1); err == nil {
				return params, data, nil
			}
		}
	}
	return nil, "", errors.New("no text/calendar part")
}

// mailSink is an in-process SMTP server (go-smtp) that keeps what it
// receives: the relay of the e-mail tests.
type mailSink struct {
	t    *testing.T
	addr string
	srv  *smtp.Server

	mu    sync.Mutex
	mails []sunkMail
}

// startSink serves SMTP on addr ("127.0.0.1:0" for a free port, or the
// address of an earlier sink to come back on its port).
func startSink(t *testing.T, addr string) *mailSink {
	t.Helper()
	s := &mailSink{t: t}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	s.srv.Domain = "sink.test"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	var ln net.Listener
	var err error
	for range 50 { // the port of a stopped sink may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go s.srv.Serve(ln)
	t.Cleanup(s.stop)
	return s
}

// stop closes the sink and its connections: the relay is down.
func (s *mailSink) stop() { s.srv.Close() }

// received returns a copy of the mails received so far.
func (s *mailSink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.mails...)
}

// waitFor waits until a received mail contains every one of texts and
// returns it.
func (s *mailSink) waitFor(texts ...string) sunkMail {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range s.received() {
			if containsAll(string(m.data), texts) {
				return m
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the sink received no mail with %q; it has %d", texts, len(s.received()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count returns how many received mails contain every one of texts.
func (s *mailSink) count(texts ...string) int {
	n := 0
	for _, m := range s.received() {
		if containsAll(string(m.data), texts) {
			n++
		}
	}
	return n
}

// containsAll reports whether s contains every one of texts.
func containsAll(s string, texts []string) bool {
	for _, t := range texts {
		if !strings.Contains(s, t) {
			return false
		}
	}
	return true
}

// sinkSession is one SMTP session of the sink.
type sinkSession struct {
	sink *mailSink
	cur  sunkMail
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = sunkMail{from: from}
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.sink.mu.Lock()
	s.sink.mails = append(s.sink.mails, s.cur)
	s.sink.mu.Unlock()
	return nil
}

func (s *sinkSession) Reset()        { s.cur = sunkMail{} }
func (s *sinkSession) Logout() error { return nil }
