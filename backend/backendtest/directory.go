package backendtest

import (
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func runDirectory(t *testing.T, newStore NewStore) {
	t.Run("PrincipalByPath/AllFourPaths", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, p := range []string{f.alice.Path, f.alice.HomePath, f.alice.InboxPath, f.alice.OutboxPath} {
			got, err := f.s.PrincipalByPath(f.ctx, p)
			if err != nil {
				t.Errorf("PrincipalByPath(%q): %v", p, err)
				continue
			}
			if got.Path != f.alice.Path {
				t.Errorf("PrincipalByPath(%q) = %q, want %q", p, got.Path, f.alice.Path)
			}
		}
	})
	t.Run("PrincipalByPath/FieldsRoundTrip", func(t *testing.T) {
		f := newFixture(t, newStore)
		got, err := f.s.PrincipalByPath(f.ctx, f.alice.Path)
		noErr(t, "PrincipalByPath", err)
		samePrincipal(t, got, f.alice)
	})
	t.Run("PrincipalByPath/Unknown", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, p := range []string{"/carol/", "/alice/calendars/default/", "/ALICE/", ""} {
			_, err := f.s.PrincipalByPath(f.ctx, p)
			wantErr(t, "PrincipalByPath("+p+")", err, backend.ErrNotFound)
		}
	})
	t.Run("PrincipalByAddress/AllFormsAndCases", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, a := range []string{
			"mailto:alice@example.com",
			"MAILTO:Alice@Example.COM",
			"mailto:ALICE@EXAMPLE.COM",
			" mailto:alice@example.com ",
			"mailto:alice.alt@example.org", // given without scheme to NewPrincipal
			aliceUUID,
			"URN:UUID:6F1C2A4E-8B1D-4C6E-9A53-0D2F7E4B9C11",
			"https://cal.example.com/alice/",
			"HTTPS://CAL.EXAMPLE.COM/alice",
			"/alice/",
			"/alice",
		} {
			got, err := f.s.PrincipalByAddress(f.ctx, a)
			if err != nil {
				t.Errorf("PrincipalByAddress(%q): %v", a, err)
				continue
			}
			if got.Path != f.alice.Path {
				t.Errorf("PrincipalByAddress(%q) = %q, want %q", a, got.Path, f.alice.Path)
			}
		}
		got, err := f.s.PrincipalByAddress(f.ctx, "mailto:Bob@example.com")
		noErr(t, "PrincipalByAddress(bob)", err)
		if got.Path != f.bob.Path {
			t.Errorf("PrincipalByAddress(bob) = %q, want %q", got.Path, f.bob.Path)
		}
	})
	t.Run("PrincipalByAddress/Unknown", func(t *testing.T) {
		f := newFixture(t, newStore)
		for _, a := range []string{
			"mailto:carol@example.com",
			"mailto:alice@example.net",
			"alice@example.com", // no scheme: not the mailto: address
			"https://cal.example.com/ALICE/",
			"urn:uuid:00000000-0000-0000-0000-000000000000",
			"/carol/",
			"",
		} {
			_, err := f.s.PrincipalByAddress(f.ctx, a)
			wantErr(t, "PrincipalByAddress("+a+")", err, backend.ErrNotFound)
		}
	})
	t.Run("PutPrincipal/ReplaceUpdatesAddresses", func(t *testing.T) {
		f := newFixture(t, newStore)
		p := backend.NewPrincipal("alice", "Alice Renamed", "mailto:alice@new.example")
		noErr(t, "PutPrincipal(replace)", f.s.PutPrincipal(f.ctx, p))
		_, err := f.s.PrincipalByAddress(f.ctx, "mailto:alice@example.com")
		wantErr(t, "old address after replace", err, backend.ErrNotFound)
		got, err := f.s.PrincipalByAddress(f.ctx, "mailto:Alice@New.Example")
		noErr(t, "new address after replace", err)
		samePrincipal(t, got, p)
		// The replaced principal keeps its calendars.
		if _, err := f.s.Calendar(f.ctx, f.aliceCal); err != nil {
			t.Errorf("calendar after replacing principal: %v", err)
		}
	})
	t.Run("PutPrincipal/AddressInUse", func(t *testing.T) {
		f := newFixture(t, newStore)
		carol := backend.NewPrincipal("carol", "Carol", "mailto:carol@example.com", "MAILTO:ALICE@example.com")
		wantErr(t, "PutPrincipal with alice's address", f.s.PutPrincipal(f.ctx, carol), backend.ErrAddressInUse)
		_, err := f.s.PrincipalByPath(f.ctx, carol.Path)
		wantErr(t, "principal after refused PutPrincipal", err, backend.ErrNotFound)
		carol2 := backend.NewPrincipal("carol", "Carol", "/bob/")
		wantErr(t, "PutPrincipal with bob's path as address", f.s.PutPrincipal(f.ctx, carol2), backend.ErrAddressInUse)
	})
	t.Run("PutPrincipal/InvalidPaths", func(t *testing.T) {
		f := newFixture(t, newStore)
		bad := []*backend.Principal{
			{Path: "carol", HomePath: "/carol/c/", InboxPath: "/carol/c/i/", OutboxPath: "/carol/c/o/"},
			{Path: "/carol/", HomePath: "", InboxPath: "/carol/c/i/", OutboxPath: "/carol/c/o/"},
			{Path: "/carol/", HomePath: "/carol/../c/", InboxPath: "/carol/c/i/", OutboxPath: "/carol/c/o/"},
			{Path: "/carol/", HomePath: "/carol/c/", InboxPath: "/carol/c/", OutboxPath: "/carol/c/o/"},
		}
		for i, p := range bad {
			err := f.s.PutPrincipal(f.ctx, p)
			wantErr(t, "PutPrincipal(bad #"+string(rune('0'+i))+")", err, backend.ErrInvalidPath)
		}
	})
	t.Run("Principal/NoAliasing", func(t *testing.T) {
		f := newFixture(t, newStore)
		p := backend.NewPrincipal("carol", "Carol", "mailto:carol@example.com")
		noErr(t, "PutPrincipal", f.s.PutPrincipal(f.ctx, p))
		p.Addresses[0] = "mailto:mallory@example.com"
		p.DisplayName = "Mallory"
		got, err := f.s.PrincipalByPath(f.ctx, "/carol/")
		noErr(t, "PrincipalByPath", err)
		if got.DisplayName != "Carol" || got.Addresses[0] != "mailto:carol@example.com" {
			t.Errorf("store shares the caller's Principal: got %+v", got)
		}
		got.Addresses[0] = "mailto:mallory@example.com"
		again, err := f.s.PrincipalByAddress(f.ctx, "mailto:carol@example.com")
		noErr(t, "PrincipalByAddress", err)
		if again.Addresses[0] != "mailto:carol@example.com" {
			t.Errorf("store hands out its own Addresses slice: got %q", again.Addresses[0])
		}
	})
}

func samePrincipal(t *testing.T, got, want *backend.Principal) {
	t.Helper()
	if got.Path != want.Path || got.DisplayName != want.DisplayName || got.Type != want.Type ||
		got.HomePath != want.HomePath || got.InboxPath != want.InboxPath || got.OutboxPath != want.OutboxPath {
		t.Errorf("principal = %+v, want %+v", got, want)
	}
	if len(got.Addresses) != len(want.Addresses) {
		t.Errorf("principal addresses = %q, want %q (in order)", got.Addresses, want.Addresses)
		return
	}
	for i := range got.Addresses {
		if got.Addresses[i] != want.Addresses[i] {
			t.Errorf("principal addresses = %q, want %q (in order)", got.Addresses, want.Addresses)
			return
		}
	}
}
