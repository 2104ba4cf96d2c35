package schedule

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/internal/ics"
)

// testNow is the clock of the tests.
var testNow = time.Date(2009, 6, 2, 18, 52, 54, 0, time.UTC)

// env is a CalDAV server (go-webdav caldav.Handler on the memory store)
// wrapped in the middleware, behind a test authentication layer: the
// Basic-auth user name is the principal (no password check).
type env struct {
	t     testing.TB
	store *memory.Store
	h     *Handler
	srv   *httptest.Server
}

// user is a principal to provision: name and address.
type user struct{ name, addr string }

func newEnv(t testing.TB, opts *Options, users ...user) *env {
	t.Helper()
	store := memory.New(memory.WithClock(func() time.Time { return testNow }))
	ctx := context.Background()
	for _, u := range users {
		p := backend.NewPrincipal(u.name, strings.ToUpper(u.name[:1])+u.name[1:], u.addr)
		if err := store.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.Now == nil {
		// A clock that advances one second per reading, so that each
		// message has a later DTSTAMP than the one before.
		var ticks atomic.Int64
		opts.Now = func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Second) }
	}
	next := &caldav.Handler{Backend: backend.NewCalDAV(store)}
	h := New(next, store, opts)
	srv := httptest.NewServer(authenticate(h))
	t.Cleanup(srv.Close)
	return &env{t: t, store: store, h: h, srv: srv}
}

// authenticate puts the Basic-auth user's principal into the context.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); ok && u != "" {
			r = r.WithContext(backend.WithPrincipal(r.Context(), "/"+u+"/"))
		}
		next.ServeHTTP(w, r)
	})
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request as user ("" for none) and reads the answer.
func (e *env) do(as, method, path, body string, headers ...string) *response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if as != "" {
		req.SetBasicAuth(as, "x")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		if strings.HasPrefix(body, "BEGIN:") {
			req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
		} else {
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		}
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(data)}
}

// must fails the test unless the status is one of want.
func (r *response) must(t testing.TB, want ...int) *response {
	t.Helper()
	for _, w := range want {
		if r.status == w {
			return r
		}
	}
	t.Fatalf("status %d, want %v; body:\n%s", r.status, want, r.body)
	return r
}

// condition returns the local name of the precondition element of a
// DAV:error body, "" when there is none.
func (r *response) condition() string {
	var doc struct {
		XMLName xml.Name
		Inner   []struct{ XMLName xml.Name } `xml:",any"`
	}
	if err := xml.Unmarshal([]byte(r.body), &doc); err != nil || doc.XMLName.Local != "error" || len(doc.Inner) == 0 {
		return ""
	}
	return doc.Inner[0].XMLName.Local
}

// object reads a stored calendar object and decodes it.
func (e *env) object(path string) (*backend.Object, string) {
	e.t.Helper()
	obj, err := e.store.Object(context.Background(), path)
	if err != nil {
		e.t.Fatalf("object %s: %v", path, err)
	}
	return obj, unfold(string(obj.Data))
}

// copyOf finds a principal's copy of uid, or fails.
func (e *env) copyOf(principal, uid string) (*backend.Object, string) {
	e.t.Helper()
	obj, err := e.store.ObjectByUID(context.Background(), principal, uid)
	if err != nil {
		e.t.Fatalf("copy of %s for %s: %v", uid, principal, err)
	}
	return obj, unfold(string(obj.Data))
}

// inbox lists a principal's inbox items.
func (e *env) inbox(principal string) []backend.SchedulingObject {
	e.t.Helper()
	items, err := e.store.SchedulingObjects(context.Background(), principal)
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// unfold undoes RFC 5545 line folding so that tests can search lines.
func unfold(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n ", ""), "\r\n", "\n")
}

// icsText joins lines with CRLF into iCalendar text.
func icsText(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n"
}

// attendeeLine returns the unfolded ATTENDEE (or ORGANIZER) line for addr
// in data, "" when there is none.
func propLine(data, name, addr string) string {
	for _, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, name) && strings.HasSuffix(strings.ToLower(strings.TrimSpace(l)), strings.ToLower(addr)) {
			return l
		}
	}
	return ""
}

// decodeOK fails the test when data is not valid iCalendar.
func decodeOK(t testing.TB, data []byte) {
	t.Helper()
	if _, err := ics.Decode(data); err != nil {
		t.Fatalf("invalid iCalendar: %v\n%s", err, data)
	}
}

var _ = bytes.Equal
