package sqlstore

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
)

// TestCalDAVHandler serves the store through go-webdav's caldav.Handler
// and speaks HTTP to it, as a CalDAV client would.
func TestCalDAVHandler(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cal := provisioned(t, d.open)
			if err := s.Provision(context.Background(), backend.NewPrincipal("bob", "Bob", "bob@example.com")); err != nil {
				t.Fatal(err)
			}
			h := &caldav.Handler{Backend: s.CalDAV()}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				if user, _, ok := r.BasicAuth(); ok {
					ctx = backend.WithPrincipal(ctx, "/"+user+"/")
				}
				h.ServeHTTP(w, r.WithContext(ctx))
			}))
			defer srv.Close()

			do := func(user, method, path, body string, header ...string) (*http.Response, string) {
				t.Helper()
				req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if user != "" {
					req.SetBasicAuth(user, "x")
				}
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Set(header[i], header[i+1])
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}
			ics := "Content-Type"
			const icsType = "text/calendar; charset=utf-8"

			resp, _ := do("alice", http.MethodPut, cal+"lunch.ics", string(event("lunch", "20260310T120000Z")), ics, icsType)
			if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") == "" {
				t.Fatalf("PUT: %s, ETag %q", resp.Status, resp.Header.Get("ETag"))
			}
			etag := resp.Header.Get("ETag")

			resp, body := do("alice", http.MethodGet, cal+"lunch.ics", "")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "UID:lunch") {
				t.Errorf("GET: %s %q", resp.Status, body)
			}
			if resp.Header.Get("ETag") != etag {
				t.Errorf("GET ETag %q, PUT said %q", resp.Header.Get("ETag"), etag)
			}

			resp, _ = do("alice", http.MethodPut, cal+"lunch.ics", string(event("lunch", "20260310T130000Z")), ics, icsType, "If-Match", `"stale"`)
			if resp.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("PUT with a stale If-Match: %s, want 412", resp.Status)
			}
			resp, _ = do("alice", http.MethodPut, cal+"lunch.ics", string(event("lunch", "20260310T130000Z")), ics, icsType, "If-Match", etag)
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("PUT with the current If-Match: %s", resp.Status)
			}
			resp, body = do("alice", http.MethodPut, cal+"other.ics", string(event("lunch", "20260311T120000Z")), ics, icsType)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no-uid-conflict") {
				t.Errorf("PUT of a second object with the UID: %s %q, want 409 no-uid-conflict", resp.Status, body)
			}

			query := `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20260310T000000Z" end="20260311T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>`
			resp, body = do("alice", "REPORT", cal, query, ics, "application/xml", "Depth", "1")
			if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(body, cal+"lunch.ics") {
				t.Errorf("REPORT calendar-query: %s %q", resp.Status, body)
			}
			miss := strings.Replace(query, "20260310T000000Z\" end=\"20260311", "20260410T000000Z\" end=\"20260411", 1)
			resp, body = do("alice", "REPORT", cal, miss, ics, "application/xml", "Depth", "1")
			if resp.StatusCode != http.StatusMultiStatus || strings.Contains(body, "lunch.ics") {
				t.Errorf("REPORT for a month later: %s %q", resp.Status, body)
			}

			if resp, _ := do("", http.MethodGet, cal+"lunch.ics", ""); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET without a principal: %s, want 401", resp.Status)
			}
			if resp, _ := do("bob", http.MethodGet, cal+"lunch.ics", ""); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET of alice's object by bob: %s, want 403 or 404", resp.Status)
			}
			if resp, _ := do("alice", http.MethodDelete, cal+"lunch.ics", ""); resp.StatusCode/100 != 2 {
				t.Errorf("DELETE: %s", resp.Status)
			}
			if resp, _ := do("alice", http.MethodGet, cal+"lunch.ics", ""); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET after DELETE: %s, want 404", resp.Status)
			}
		})
	}
}
