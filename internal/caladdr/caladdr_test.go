package caladdr

import "testing"

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"mailto:alice@example.org", "MAILTO:alice@example.org", true},
		{"mailto:alice@example.org", "mailto:Alice@EXAMPLE.org", true},
		{"mailto:alice@example.org", " mailto:alice@example.org ", true},
		{"mailto:alice@example.org", "mailto:bob@example.org", false},
		{"urn:uuid:ABC-def", "URN:UUID:abc-DEF", true},
		{"https://Example.ORG/principals/Alice/", "https://example.org/principals/Alice", true},
		{"https://example.org/principals/Alice/", "https://example.org/principals/alice/", false},
		{"/principals/alice/", "/principals/alice/", true},
		{"", "", true},
		{"mailto:alice%40example.org", "mailto:alice@example.org", true},
		{"mailto: alice@example.org ?subject=x", "mailto:alice@example.org", true},
		{"https://example.org/principals/alice//", "https://example.org/principals/alice", true},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEmail(t *testing.T) {
	if e, ok := Email("MAILTO:Bob@Example.org"); !ok || e != "bob@example.org" {
		t.Errorf("Email = %q, %v", e, ok)
	}
	for _, bad := range []string{"urn:uuid:x", "mailto:", "mailto:@x", "mailto:bob@", "bob@example.org"} {
		if _, ok := Email(bad); ok {
			t.Errorf("Email(%q) accepted", bad)
		}
	}
}

func TestSet(t *testing.T) {
	s := NewSet("mailto:A@x.org", "urn:uuid:1")
	if !s.Has("mailto:a@X.ORG") || !s.Has("URN:UUID:1") || s.Has("mailto:b@x.org") {
		t.Fatalf("set lookups wrong: %v", s)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"mailto:a@b", "mailto:a@b ", "mailto:\u00e4@b", "mailto:a%40b", "mailto://a@b", "MAILTO:// //A@B ?subject=x", "http: /", "https://h/p/\u0085", "MAILTO://A@B?subject=x", "https://H/p/", "urn:uuid:X", ":", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if slow := normalize(s); n != slow {
			t.Fatalf("Normalize(%q) = %q, the general path gives %q", s, n, slow)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
	})
}

func TestNormalizeCanonicalAllocatesNothing(t *testing.T) {
	addr := "mailto:alice@example.org"
	if n := testing.AllocsPerRun(100, func() { _ = Normalize(addr) }); n != 0 {
		t.Errorf("Normalize of a canonical address allocates %v times", n)
	}
}
