package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// testServer is the scheduling middleware over the memory store, behind
// Basic auth that checks the password "pw-<user>".
func testServer(t *testing.T, names ...string) (*httptest.Server, string) {
	t.Helper()
	store := memory.New()
	var users []account
	for _, n := range names {
		p := backend.NewPrincipal(n, n, "mailto:"+n+"@example.org")
		if err := store.Provision(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		users = append(users, account{Username: n, Password: "pw-" + n, Addresses: []string{"mailto:" + n + "@example.org"}})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, &schedule.Options{Logger: log})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, pw, ok := r.BasicAuth()
		if !ok || pw != "pw-"+u {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r.WithContext(backend.WithPrincipal(r.Context(), "/"+u+"/")))
	}))
	t.Cleanup(srv.Close)
	data, err := json.Marshal(users)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, path
}

// rows parses loadgen's table: scenario → requests, errors.
func rows(t *testing.T, out string) map[string][2]int {
	t.Helper()
	got := map[string][2]int{}
	for _, l := range strings.Split(out, "\n")[2:] {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		n, err1 := strconv.Atoi(f[1])
		e, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad row %q", l)
		}
		got[f[0]] = [2]int{n, e}
	}
	return got
}

func TestRunAllScenarios(t *testing.T) {
	srv, users := testServer(t, "alice", "bob", "carol", "dave", "erin")
	var out, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-users", users, "-c", "3", "-n", "25"}, &out, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	got := rows(t, out.String())
	for _, s := range scenarioNames {
		if got[s] != [2]int{25, 0} {
			t.Errorf("%s: %v (want 25 requests, 0 errors)\n%s\n%s", s, got[s], out.String(), stderr.String())
		}
	}
}

func TestAcceptAloneAndDuration(t *testing.T) {
	srv, users := testServer(t, "alice", "bob", "carol", "dave")
	var out, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-users", users, "-c", "2", "-duration", "300ms", "-scenarios", "attendee-accept,freebusy-post"}, &out, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	got := rows(t, out.String())
	if got["attendee-accept"][0] == 0 || got["attendee-accept"][1] != 0 || got["freebusy-post"][0] == 0 || got["freebusy-post"][1] != 0 {
		t.Errorf("%v\n%s\n%s", got, out.String(), stderr.String())
	}
}

func TestFlags(t *testing.T) {
	dir := t.TempDir()
	three := filepath.Join(dir, "three.json")
	os.WriteFile(three, []byte(`[{"username":"a","password":"x","addresses":["mailto:a@x"]},{"username":"b","password":"x","addresses":["mailto:b@x"]},{"username":"c","password":"x","addresses":["mailto:c@x"]}]`), 0o600)
	for _, args := range [][]string{
		{},
		{"-url", "http://127.0.0.1:1/"},
		{"-url", "http://example.org/", "-users", three},
		{"-url", "http://10.0.0.1/", "-users", three},
		{"-url", "ftp://127.0.0.1/", "-users", three},
		{"-url", "http://127.0.0.1/", "-users", three, "-c", "0"},
		{"-url", "http://127.0.0.1/", "-users", three, "-n", "2000000"},
		{"-url", "http://127.0.0.1/", "-users", three, "-duration", "1h"},
		{"-url", "http://127.0.0.1/", "-users", three, "-scenarios", "nope"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if _, err := parseFlags([]string{"-url", "http://[::1]:8080/", "-users", three}, io.Discard); err == nil || errors.Is(err, errUsage) {
		t.Errorf("three users: %v, want a users-file error", err)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 1: 1} {
		if got := percentile(d, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 50) != 0 || percentile(d[:1], 99) != 1 {
		t.Error("small inputs")
	}
}

func TestAcceptAs(t *testing.T) {
	in := "BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@x\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:B\r\n @X\r\nEND:VEVENT\r\n"
	out, ok := acceptAs(in, "mailto:b@x")
	if !ok || !strings.Contains(out, "ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:B@X") || !strings.Contains(out, "PARTSTAT=NEEDS-ACTION:mailto:a@x") {
		t.Errorf("%v %q", ok, out)
	}
	if _, ok := acceptAs(in, "mailto:c@x"); ok {
		t.Error("accepted for a non-attendee")
	}
}
