package backend_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

// davServer serves a memory store through caldav.Handler; the X-User
// header names the authenticated principal's Path.
func davServer(t *testing.T) (*httptest.Server, *memory.Store) {
	t.Helper()
	s := memory.New()
	ctx := context.Background()
	for _, p := range []*backend.Principal{
		backend.NewPrincipal("alice", "Alice", "alice@example.com"),
		backend.NewPrincipal("bob", "Bob", "bob@example.com"),
	} {
		if err := s.Provision(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	err := s.CreateCalendar(ctx, &backend.Calendar{Path: "/alice/calendars/events/", Owner: "/alice/", SupportedComponents: []string{"VEVENT"}})
	if err != nil {
		t.Fatal(err)
	}
	h := &caldav.Handler{Backend: s.CalDAV()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-User"); u != "" {
			r = r.WithContext(backend.WithPrincipal(r.Context(), u))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

type davReq struct {
	method, path, user, body string
	headers                  map[string]string
}

func do(t *testing.T, srv *httptest.Server, r davReq) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.user != "" {
		req.Header.Set("X-User", r.user)
	}
	if r.method == http.MethodPut {
		req.Header.Set("Content-Type", "text/calendar")
	}
	if r.method == "REPORT" || r.method == "PROPFIND" {
		req.Header.Set("Content-Type", "application/xml")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func vevent(uid, start string, extra ...string) string {
	lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:" + uid,
		"DTSTAMP:20260101T000000Z", "DTSTART:" + start, "DURATION:PT1H", "SUMMARY:" + uid}
	lines = append(lines, extra...)
	return strings.Join(append(lines, "END:VEVENT", "END:VCALENDAR", ""), "\r\n")
}

func TestCalDAVPutConditions(t *testing.T) {
	srv, s := davServer(t)
	path := "/alice/calendars/default/a.ics"
	put := func(body string, h map[string]string) (*http.Response, string) {
		return do(t, srv, davReq{method: http.MethodPut, path: path, user: "/alice/", body: body, headers: h})
	}
	resp, body := put(vevent("a", "20260310T100000Z"), map[string]string{"If-None-Match": "*"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT If-None-Match:* = %d %s", resp.StatusCode, body)
	}
	etag := resp.Header.Get("ETag")
	stored, err := s.Object(context.Background(), path)
	if err != nil || etag != `"`+stored.ETag+`"` {
		t.Fatalf("ETag header %q, stored %+v (%v)", etag, stored, err)
	}
	if resp, _ := put(vevent("a", "20260310T100000Z"), map[string]string{"If-None-Match": "*"}); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("second PUT If-None-Match:* = %d, want 412", resp.StatusCode)
	}
	if resp, _ := put(vevent("a", "20260311T100000Z"), map[string]string{"If-Match": `"stale"`}); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PUT stale If-Match = %d, want 412", resp.StatusCode)
	}
	if resp, _ := put(vevent("a", "20260311T100000Z"), map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PUT If-None-Match current ETag = %d, want 412", resp.StatusCode)
	}
	resp, _ = put(vevent("a", "20260311T100000Z"), map[string]string{"If-Match": etag})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") == etag {
		t.Errorf("PUT current If-Match = %d with ETag %q, want 201 and a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp, _ := put(vevent("a", "20260312T100000Z"), map[string]string{"If-Match": "*"}); resp.StatusCode != http.StatusCreated {
		t.Errorf("PUT If-Match:* on existing = %d, want 201", resp.StatusCode)
	}
	resp, _ = do(t, srv, davReq{method: http.MethodPut, path: "/alice/calendars/default/new.ics", user: "/alice/",
		body: vevent("new", "20260310T100000Z"), headers: map[string]string{"If-Match": "*"}})
	if resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PUT If-Match:* on missing = %d, want 412", resp.StatusCode)
	}
	resp, _ = do(t, srv, davReq{method: http.MethodPut, path: "/alice/calendars/default/new.ics", user: "/alice/",
		body: vevent("new", "20260310T100000Z"), headers: map[string]string{"If-Match": `"x"`}})
	if resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PUT If-Match on missing = %d, want 412", resp.StatusCode)
	}
	resp, body = do(t, srv, davReq{method: http.MethodGet, path: path, user: "/alice/"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "DTSTART:20260312T100000Z") {
		t.Errorf("GET = %d %q", resp.StatusCode, body)
	}
}

func TestCalDAVPutPreconditions(t *testing.T) {
	srv, _ := davServer(t)
	cases := []struct {
		name, path, body string
		status           int
		element          string
	}{
		{"first", "/alice/calendars/default/a.ics", vevent("dup", "20260310T100000Z"), http.StatusCreated, ""},
		{"uid conflict", "/alice/calendars/default/b.ics", vevent("dup", "20260310T100000Z"), http.StatusConflict, "no-uid-conflict"},
		{"unsupported component", "/alice/calendars/events/t.ics",
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
			http.StatusConflict, "supported-calendar-component"},
		{"method", "/alice/calendars/default/m.ics", strings.Replace(vevent("m", "20260310T100000Z"), "VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST", 1),
			http.StatusConflict, "valid-calendar-object-resource"},
		{"no calendar", "/alice/calendars/nope/a.ics", vevent("n", "20260310T100000Z"), http.StatusConflict, ""},
		{"other user's calendar", "/bob/calendars/default/a.ics", vevent("o", "20260310T100000Z"), http.StatusForbidden, ""},
	}
	for _, c := range cases {
		resp, body := do(t, srv, davReq{method: http.MethodPut, path: c.path, user: "/alice/", body: c.body})
		if resp.StatusCode != c.status || !strings.Contains(body, c.element) {
			t.Errorf("%s: PUT = %d %q, want %d with %q", c.name, resp.StatusCode, body, c.status, c.element)
		}
	}
}

func TestCalDAVAuthentication(t *testing.T) {
	srv, _ := davServer(t)
	for _, r := range []davReq{
		{method: http.MethodGet, path: "/alice/calendars/default/a.ics"},
		{method: "PROPFIND", path: "/alice/", headers: map[string]string{"Depth": "0"}},
	} {
		if resp, _ := do(t, srv, r); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without user = %d, want 401", r.method, r.path, resp.StatusCode)
		}
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodGet, path: "/alice/calendars/default/a.ics", user: "/mallory/"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET by unknown principal = %d, want 403", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodGet, path: "/alice/calendars/../../bob/calendars/default/a.ics", user: "/alice/"}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET through .. = %d, want 400", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: "PROPFIND", path: "/bob/calendars/default/", user: "/alice/", headers: map[string]string{"Depth": "1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("PROPFIND of bob's calendar by alice = %d, want 403", resp.StatusCode)
	}
}

func TestCalDAVQueryTimeRangeIsExact(t *testing.T) {
	srv, _ := davServer(t)
	objs := map[string]string{
		"weekly.ics": vevent("weekly", "20260105T090000Z", "RRULE:FREQ=WEEKLY"), // Mondays
		"single.ics": vevent("single", "20260107T090000Z"),                      // a Wednesday
		"far.ics":    vevent("far", "20270107T090000Z"),
	}
	for name, body := range objs {
		if resp, b := do(t, srv, davReq{method: http.MethodPut, path: "/alice/calendars/default/" + name, user: "/alice/", body: body}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s = %d %s", name, resp.StatusCode, b)
		}
	}
	query := func(start, end, extra string) string {
		_, body := do(t, srv, davReq{method: "REPORT", path: "/alice/calendars/default/", user: "/alice/", headers: map[string]string{"Depth": "1"},
			body: `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="` + start + `" end="` + end + `"/>` + extra + `</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`})
		return body
	}
	// Wednesday 2026-01-14: the weekly rule's index covers it, its instances do not.
	body := query("20260114T000000Z", "20260115T000000Z", "")
	if strings.Contains(body, "weekly.ics") || strings.Contains(body, "single.ics") || strings.Contains(body, "far.ics") {
		t.Errorf("query on a day without occurrences returned %s", body)
	}
	body = query("20260107T000000Z", "20260108T000000Z", "")
	if !strings.Contains(body, "single.ics") || strings.Contains(body, "weekly.ics") || strings.Contains(body, "far.ics") {
		t.Errorf("query for 2026-01-07 returned %s, want single.ics only", body)
	}
	body = query("20260112T000000Z", "20260113T000000Z", "")
	if !strings.Contains(body, "weekly.ics") || strings.Contains(body, "single.ics") {
		t.Errorf("query for Monday 2026-01-12 returned %s, want weekly.ics", body)
	}
	body = query("20260101T000000Z", "20280101T000000Z", `<C:prop-filter name="SUMMARY"><C:text-match>FAR</C:text-match></C:prop-filter>`)
	if !strings.Contains(body, "far.ics") || strings.Contains(body, "single.ics") || strings.Contains(body, "weekly.ics") {
		t.Errorf("query with text-match FAR (case-insensitive) returned %s, want far.ics only", body)
	}
}

func TestCalDAVCollections(t *testing.T) {
	srv, s := davServer(t)
	resp, body := do(t, srv, davReq{method: "MKCOL", path: "/alice/calendars/work/", user: "/alice/"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCOL = %d %s", resp.StatusCode, body)
	}
	if _, err := s.Calendar(context.Background(), "/alice/calendars/work/"); err != nil {
		t.Errorf("calendar after MKCOL: %v", err)
	}
	if resp, _ := do(t, srv, davReq{method: "MKCOL", path: "/alice/calendars/work/", user: "/alice/"}); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("MKCOL on existing = %d, want 405", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: "MKCOL", path: "/alice/calendars/inbox/", user: "/alice/"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("MKCOL on the inbox = %d, want 403", resp.StatusCode)
	}
	_, body = do(t, srv, davReq{method: "PROPFIND", path: "/alice/calendars/", user: "/alice/", headers: map[string]string{"Depth": "1"},
		body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>`})
	for _, want := range []string{"/alice/calendars/default/", "/alice/calendars/events/", "/alice/calendars/work/"} {
		if !strings.Contains(body, want) {
			t.Errorf("PROPFIND Depth:1 on home lacks %s: %s", want, body)
		}
	}
	if strings.Contains(body, "/bob/") || strings.Contains(body, "inbox") {
		t.Errorf("PROPFIND on alice's home lists another collection: %s", body)
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodPut, path: "/alice/calendars/work/x.ics", user: "/alice/", body: vevent("x", "20260310T100000Z")}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodDelete, path: "/alice/calendars/work/x.ics", user: "/alice/"}); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE = %d, want 204", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodGet, path: "/alice/calendars/work/x.ics", user: "/alice/"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET after DELETE = %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, srv, davReq{method: http.MethodDelete, path: "/alice/calendars/work/x.ics", user: "/alice/"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE again = %d, want 404", resp.StatusCode)
	}
}
