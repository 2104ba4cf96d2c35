package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
	"github.com/go-autoschedule/autoschedule/backend/sqlstore"
	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/schedule"
)

func TestParseUsers(t *testing.T) {
	ok := `[{"username":"alice","password":"x","name":"Alice","addresses":["mailto:alice@example.org"],"type":"room"}]`
	users, err := parseUsers([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if users[0].Type != backend.Room || users[0].principal().Path != "/alice/" {
		t.Errorf("parsed %+v", users[0])
	}
	for name, in := range map[string]string{
		"not JSON":         `{`,
		"empty":            `[]`,
		"unknown field":    `[{"username":"a","password":"x","addresses":["mailto:a@x"],"pasword":"y"}]`,
		"trailing data":    ok + ` []`,
		"duplicate":        `[{"username":"a","password":"x","addresses":["mailto:a@x"]},{"username":"a","password":"y","addresses":["mailto:b@x"]}]`,
		"bad username":     `[{"username":"A/b","password":"x","addresses":["mailto:a@x"]}]`,
		"dot username":     `[{"username":".a","password":"x","addresses":["mailto:a@x"]}]`,
		"no password":      `[{"username":"a","addresses":["mailto:a@x"]}]`,
		"no address":       `[{"username":"a","password":"x"}]`,
		"CRLF in address":  `[{"username":"a","password":"x","addresses":["mailto:a@x\r\nX"]}]`,
		"unknown type":     `[{"username":"a","password":"x","addresses":["mailto:a@x"],"type":"robot"}]`,
		"username too big": `[{"username":"` + strings.Repeat("a", 65) + `","password":"x","addresses":["mailto:a@x"]}]`,
	} {
		if _, err := parseUsers([]byte(in)); !errors.Is(err, ErrUsers) {
			t.Errorf("%s: err %v, want ErrUsers", name, err)
		}
	}
}

func TestDemoUsers(t *testing.T) {
	a, err := demoUsers()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demoUsers()
	if len(a) != 3 || a[1].Username != "bob" || a[1].Addresses[0] != "mailto:bob@example.org" {
		t.Fatalf("demo users %+v", a)
	}
	if a[0].Password == b[0].Password || len(a[0].Password) < 16 {
		t.Error("demo passwords are not random")
	}
}

func TestCheckXML(t *testing.T) {
	for in, want := range map[string]error{
		``:                                   nil,
		`<a xmlns="DAV:"><b/><!-- c --></a>`: nil,
		`<a><![CDATA[<!DOCTYPE x>]]></a>`:    nil,
		`<!DOCTYPE a><a/>`:                   errXMLDirective,
		`<?xml version="1.0"?><!DOCTYPE a []><a/>`: errXMLDirective,
	} {
		if err := checkXML([]byte(in)); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
	for _, in := range []string{`<a>&undefined;</a>`, `<a`, `<a></b>junk<`} {
		if err := checkXML([]byte(in)); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestCalendarPathIn(t *testing.T) {
	p := backend.NewPrincipal("alice", "Alice", "alice@example.org")
	for in, want := range map[string]string{
		"/alice/calendars/work/":      "/alice/calendars/work/",
		"/alice/calendars/work":       "/alice/calendars/work/",
		"/alice/calendars/a/../work/": "/alice/calendars/work/",
		"/alice/calendars/inbox/":     "",
		"/alice/calendars/outbox":     "",
		"/alice/calendars/":           "",
		"/alice/calendars/a/b/":       "",
		"/bob/calendars/work/":        "",
		"/alice/work/":                "",
	} {
		got, ok := calendarPathIn(p, in)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-demo", "-users", "u.json"},
		{"-demo", "-tls-cert", "c.pem"},
		{"-demo", "-db", "mysql://x"},
		{"-demo", "-max-body", "0"},
		{"-demo", "-log-level", "loud"},
		{"-demo", "extra"},
		{"-demo", "-mail-from", "calendar@example.org"},
		{"-demo", "-smtp-relay", "smtp.example.org:587"},
		{"-demo", "-smtp-relay", "smtp.example.org", "-mail-from", "calendar@example.org"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "Calendar <calendar@example.org>"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-smtp-security", "ssl"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-smtp-user", "cal"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-mail-retry-min", "0s"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-mail-retry-min", "2h", "-mail-retry-max", "1h"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-mail-max-attempts", "0"},
		{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org", "-mail-lease", "100ms"},
		{"-demo", "-smtp-listen-lmtp"},
		{"-demo", "-smtp-listen", "2525"},
		{"-demo", "-smtp-listen", "unix:"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-listen-max-size", "0"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-listen-max-recipients", "0"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-listen-max-conns", "-1"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-listen-timeout", "0s"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-require-dmarc"},
		{"-demo", "-smtp-listen", "127.0.0.1:2525", "-smtp-authserv-id", "two words"},
	} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); !errors.Is(err, errUsage) || stderr.Len() == 0 {
			t.Errorf("%q: err %v, message %q", args, err, stderr.String())
		}
	}
	var stderr bytes.Buffer
	parseFlags(nil, &stderr)
	if !strings.Contains(stderr.String(), "-users") || !strings.Contains(stderr.String(), "-demo") {
		t.Errorf("no-users message: %q", stderr.String())
	}
	c, err := parseFlags([]string{"-demo", "-db", "postgres://u@h/db"}, io.Discard)
	if err != nil || c.dbURL == "" || c.addr != "127.0.0.1:8080" || c.dataDir != "./autoschedule-data" {
		t.Errorf("%+v %v", c, err)
	}
	if c.mail.outgoing() || c.mail.listen != "" {
		t.Errorf("e-mail is on without flags: %+v", c.mail)
	}
}

func TestParseMailFlags(t *testing.T) {
	relay := []string{"-demo", "-smtp-relay", "smtp.example.org:587", "-mail-from", "calendar@example.org"}
	t.Setenv(smtpPasswordEnv, "")
	c, err := parseFlags(append(relay, "-smtp-listen", "unix:/run/lmtp.sock", "-smtp-listen-lmtp",
		"-smtp-authserv-id", "mx.example.org", "-smtp-require-dmarc"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := c.mail
	if m.security != imip.StartTLS || m.user != "" || !m.lmtp || m.listenMaxSize != defaultListenMaxSize ||
		m.listenMaxRecipients != defaultListenMaxRecipients || m.retryMin != defaultRetryMin || len(m.authservIDs) != 1 {
		t.Errorf("defaults: %+v", m)
	}

	// The password comes from the environment only, and goes with a user.
	var stderr bytes.Buffer
	if _, err := parseFlags(append(relay, "-smtp-user", "cal"), &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), smtpPasswordEnv) {
		t.Errorf("user without password: %v %q", err, stderr.String())
	}
	t.Setenv(smtpPasswordEnv, "s3cret")
	if _, err := parseFlags(relay, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("password without user: %v", err)
	}
	if _, err := parseFlags([]string{"-demo"}, io.Discard); err != nil {
		t.Errorf("password in the environment, no e-mail: %v", err)
	}
	c, err = parseFlags(append(relay, "-smtp-user", "cal", "-smtp-security", "TLS"), io.Discard)
	if err != nil || c.mail.password != "s3cret" || c.mail.security != imip.ImplicitTLS {
		t.Errorf("user with password: %v %+v", err, c.mail)
	}
	// No password in clear to a relay elsewhere; on loopback it is fine.
	if _, err := parseFlags(append(relay, "-smtp-user", "cal", "-smtp-security", "plain"), io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("password in plain text to a remote relay: %v", err)
	}
	local := []string{"-demo", "-smtp-relay", "127.0.0.1:25", "-mail-from", "calendar@example.org", "-smtp-user", "cal", "-smtp-security", "plain"}
	if _, err := parseFlags(local, io.Discard); err != nil {
		t.Errorf("password in plain text to a loopback relay: %v", err)
	}
}

// inProcess serves the server's handler on the memory store with httptest.
func inProcess(t *testing.T) (*httptest.Server, *memory.Store) {
	t.Helper()
	users := []User{
		{Username: "alice", Password: "pw", Name: "Alice", Addresses: []string{"mailto:alice@example.org"}, Type: backend.Individual},
		{Username: "bob", Password: "pw", Name: "Bob", Addresses: []string{"mailto:bob@example.org"}, Type: backend.Individual},
	}
	store := memory.New()
	for i := range users {
		if err := store.Provision(context.Background(), users[i].principal()); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sched := schedule.New(&caldav.Handler{Backend: backend.NewCalDAV(store)}, store, &schedule.Options{Logger: log})
	srv := httptest.NewServer(newHandler(store, sched, users, 64<<10, log))
	t.Cleanup(srv.Close)
	return srv, store
}

func TestChunkedBodyLimit(t *testing.T) {
	srv, store := inProcess(t)
	body := io.MultiReader(strings.NewReader("BEGIN:VCALENDAR\r\n"), bytes.NewReader(make([]byte, 1<<20)))
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/alice/calendars/default/big.ics", body)
	req.ContentLength = -1 // chunked
	req.SetBasicAuth("alice", "pw")
	req.Header.Set("Content-Type", "text/calendar")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("status %d, want a 4xx", res.StatusCode)
	}
	if _, err := store.Object(context.Background(), "/alice/calendars/default/big.ics"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("stored: %v", err)
	}
}

func TestWellKnownGET(t *testing.T) {
	srv, _ := inProcess(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/.well-known/caldav", nil)
	req.SetBasicAuth("bob", "pw")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/bob/" {
		t.Errorf("%d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestRunShutdown runs the server in this process on SQLite, writes through
// it, cancels its context (what SIGTERM does) and checks that run returns
// cleanly and the write is stored.
func TestRunShutdown(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", dir, "-users", writeUsersFile(t, dir), "-log-level", "error"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "CalDAV server listening on "); ok {
			base = rest
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("no URL printed: %v", <-done)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"alice/calendars/default/9263504FD3AD.ics", strings.NewReader(lunch))
	req.SetBasicAuth(alice.name, alice.password)
	req.Header.Set("Content-Type", "text/calendar")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	store, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, sqliteFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Object(context.Background(), lunchPath); err != nil {
		t.Errorf("the acknowledged write is not stored: %v", err)
	}
}
