package backend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/memory"
)

func TestNewPrincipalLayout(t *testing.T) {
	p := backend.NewPrincipal("alice", "Alice", "alice@example.com", "urn:uuid:1", " ", "mailto:a@example.org")
	if p.Path != "/alice/" || p.HomePath != "/alice/calendars/" || p.InboxPath != "/alice/calendars/inbox/" ||
		p.OutboxPath != "/alice/calendars/outbox/" || p.Type != backend.Individual || p.DisplayName != "Alice" {
		t.Errorf("NewPrincipal = %+v", p)
	}
	want := []string{"mailto:alice@example.com", "urn:uuid:1", "mailto:a@example.org"}
	if len(p.Addresses) != len(want) {
		t.Fatalf("Addresses = %q, want %q", p.Addresses, want)
	}
	for i := range want {
		if p.Addresses[i] != want[i] {
			t.Errorf("Addresses = %q, want %q", p.Addresses, want)
		}
	}
	if err := backend.CheckPrincipal(p); err != nil {
		t.Errorf("CheckPrincipal(NewPrincipal) = %v", err)
	}
	if err := backend.CheckPrincipal(backend.NewPrincipal("a/b", "x")); !errors.Is(err, backend.ErrInvalidPath) {
		t.Errorf("CheckPrincipal(user with slash) = %v, want ErrInvalidPath", err)
	}
}

func TestAddressKeys(t *testing.T) {
	p := backend.NewPrincipal("alice", "Alice", "MAILTO:Alice@Example.com", "mailto:alice@example.com", "https://H.example/alice/")
	got := p.AddressKeys()
	want := []string{"/alice/", "mailto:alice@example.com", "https://h.example/alice"}
	if len(got) != len(want) {
		t.Fatalf("AddressKeys = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("AddressKeys = %q, want %q", got, want)
		}
	}
	if backend.AddressKey("/alice") != "/alice/" {
		t.Errorf("AddressKey(/alice) = %q", backend.AddressKey("/alice"))
	}
}

func TestCheckPaths(t *testing.T) {
	good := []string{"/a/", "/alice/calendars/", "/a b/c/"}
	bad := []string{"", "/", "a/", "/a", "//", "/a//b/", "/./", "/a/../", "/a/\x00/", "/a/\n/"}
	for _, p := range good {
		if err := backend.CheckCollectionPath(p); err != nil {
			t.Errorf("CheckCollectionPath(%q) = %v", p, err)
		}
	}
	for _, p := range bad {
		if err := backend.CheckCollectionPath(p); !errors.Is(err, backend.ErrInvalidPath) {
			t.Errorf("CheckCollectionPath(%q) = %v, want ErrInvalidPath", p, err)
		}
	}
	long := make([]byte, backend.MaxNameLength+1)
	for i := range long {
		long[i] = 'x'
	}
	if err := backend.CheckName(string(long)); !errors.Is(err, backend.ErrInvalidPath) {
		t.Errorf("CheckName(too long) = %v", err)
	}
	if c, n, err := backend.SplitObjectPath("/alice/calendars/default/a.ics"); err != nil || c != "/alice/calendars/default/" || n != "a.ics" {
		t.Errorf("SplitObjectPath = %q, %q, %v", c, n, err)
	}
	p := backend.NewPrincipal("alice", "")
	for path, ok := range map[string]bool{
		"/alice/calendars/work/":    true,
		"/alice/calendars/inbox/":   false,
		"/alice/calendars/outbox/":  false,
		"/alice/calendars/a/b/":     false,
		"/alice/work/":              false,
		"/bob/calendars/work/":      false,
		"/alice/calendars/":         false,
		"/alice/calendars/work.ics": false,
	} {
		err := backend.CheckCalendarPath(p, path)
		if (err == nil) != ok || (err != nil && !errors.Is(err, backend.ErrInvalidPath)) {
			t.Errorf("CheckCalendarPath(%q) = %v, want ok=%v", path, err, ok)
		}
	}
}

func TestProvisionKeepsExistingCalendars(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	p := backend.NewPrincipal("alice", "Alice", "alice@example.com")
	if err := s.PutPrincipal(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"work", "home"} {
		if err := s.CreateCalendar(ctx, &backend.Calendar{Path: p.HomePath + name + "/", Owner: p.Path}); err != nil {
			t.Fatal(err)
		}
	}
	if err := backend.Provision(ctx, s, p); err != nil {
		t.Fatal(err)
	}
	def, err := s.DefaultCalendar(ctx, p.Path)
	if err != nil || def != p.HomePath+"home/" {
		t.Errorf("DefaultCalendar = %q, %v; want the first calendar in path order", def, err)
	}
	if cals, _ := s.Calendars(ctx, p.Path); len(cals) != 2 {
		t.Errorf("Provision created a calendar although some existed: %+v", cals)
	}
	if err := backend.Provision(ctx, s, backend.NewPrincipal("x/y", "")); !errors.Is(err, backend.ErrInvalidPath) {
		t.Errorf("Provision(bad principal) = %v, want ErrInvalidPath", err)
	}
}
