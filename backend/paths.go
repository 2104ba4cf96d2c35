package backend

import (
	"fmt"
	"path"
	"strings"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

// MaxNameLength is the longest resource name (last path segment) stores
// accept, in octets.
const MaxNameLength = 255

// CheckCollectionPath returns nil when p is a clean absolute collection
// path ("/a/b/": leading and trailing slash, no empty, "." or ".."
// segments), and an error matching ErrInvalidPath otherwise.
func CheckCollectionPath(p string) error {
	if p == "/" || len(p) < 3 || p[0] != '/' || p[len(p)-1] != '/' || path.Clean(p)+"/" != p {
		return fmt.Errorf("%w: %q is not a clean collection path", ErrInvalidPath, p)
	}
	for _, seg := range strings.Split(p[1:len(p)-1], "/") {
		if err := CheckName(seg); err != nil {
			return err
		}
	}
	return nil
}

// CheckName returns nil when name can be a resource name: not empty, not
// "." or "..", no slash or control character, at most MaxNameLength octets.
func CheckName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > MaxNameLength {
		return fmt.Errorf("%w: bad resource name %q", ErrInvalidPath, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '/' || c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: bad resource name %q", ErrInvalidPath, name)
		}
	}
	return nil
}

// SplitObjectPath splits the path of a calendar object resource into the
// path of its calendar (with trailing slash) and its resource name, and
// checks both.
func SplitObjectPath(p string) (calendarPath, name string, err error) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 || i == len(p)-1 {
		return "", "", fmt.Errorf("%w: %q is not an object path", ErrInvalidPath, p)
	}
	calendarPath, name = p[:i+1], p[i+1:]
	if err := CheckCollectionPath(calendarPath); err != nil {
		return "", "", err
	}
	if err := CheckName(name); err != nil {
		return "", "", err
	}
	return calendarPath, name, nil
}

// AddressKey returns the form of a calendar user address that stores use
// to look principals up: caladdr.Normalize's canonical form, and for a bare
// path ("/alice" or "/alice/") the path with a trailing slash. Two
// addresses name the same principal when their keys are equal.
func AddressKey(addr string) string {
	n := caladdr.Normalize(addr)
	if strings.HasPrefix(n, "/") && !strings.HasSuffix(n, "/") {
		n += "/"
	}
	return n
}

// AddressKeys returns the lookup keys of p: the AddressKey of each of its
// Addresses and of its Path (the principal URL is always an address of
// the principal), without duplicates and without empty keys.
func (p *Principal) AddressKeys() []string {
	keys := make([]string, 0, len(p.Addresses)+1)
	seen := make(map[string]bool, len(p.Addresses)+1)
	for _, a := range append([]string{p.Path}, p.Addresses...) {
		k := AddressKey(a)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	return keys
}

// Owns reports whether addr is one of p's Addresses (caladdr.Equal). Its
// Path is not: a store finds p by it (AddressKeys), but calendar data
// that names a principal by URL is a client's habit to rewrite, not an
// address.
func (p *Principal) Owns(addr string) bool {
	for _, a := range p.Addresses {
		if caladdr.Equal(a, addr) {
			return true
		}
	}
	return false
}

// CheckPrincipal returns an error matching ErrInvalidPath when p's paths
// are not clean collection paths or its HomePath, InboxPath and OutboxPath
// are missing; InboxPath and OutboxPath must differ from HomePath.
func CheckPrincipal(p *Principal) error {
	if p == nil {
		return fmt.Errorf("%w: nil principal", ErrInvalidPath)
	}
	for _, q := range []string{p.Path, p.HomePath, p.InboxPath, p.OutboxPath} {
		if err := CheckCollectionPath(q); err != nil {
			return fmt.Errorf("principal %q: %w", p.Path, err)
		}
	}
	if p.InboxPath == p.HomePath || p.OutboxPath == p.HomePath || p.InboxPath == p.OutboxPath {
		return fmt.Errorf("%w: principal %q: home, inbox and outbox must differ", ErrInvalidPath, p.Path)
	}
	return nil
}

// CheckCalendarPath returns nil when calPath can be a calendar of p: a
// direct child of p.HomePath that is neither p's inbox nor outbox.
func CheckCalendarPath(p *Principal, calPath string) error {
	if err := CheckCollectionPath(calPath); err != nil {
		return err
	}
	if !strings.HasPrefix(calPath, p.HomePath) || strings.Count(calPath[len(p.HomePath):], "/") != 1 {
		return fmt.Errorf("%w: calendar %q is not directly inside home %q", ErrInvalidPath, calPath, p.HomePath)
	}
	if calPath == p.InboxPath || calPath == p.OutboxPath {
		return fmt.Errorf("%w: %q is a scheduling collection", ErrInvalidPath, calPath)
	}
	return nil
}
