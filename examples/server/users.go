package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// User is one entry of the users file: the account and the calendar user
// it is.
type User struct {
	// Username is the login name and the principal's path segment
	// (/<username>/).
	Username string `json:"username"`
	// Password is a bcrypt hash ($2a$, $2b$ or $2y$) or, for demos, the
	// password in plain text.
	Password string `json:"password"`
	// Name is the display name (DAV:displayname, CN).
	Name string `json:"name"`
	// Addresses are the calendar user addresses, preferred first
	// ("mailto:alice@example.org").
	Addresses []string `json:"addresses"`
	// Type is the calendar user type: INDIVIDUAL (the default), GROUP,
	// RESOURCE, ROOM or UNKNOWN.
	Type string `json:"type"`
}

// maxUsersFile bounds the users file that is read.
const maxUsersFile = 16 << 20

// ErrUsers is wrapped by every error about the users file's content.
var ErrUsers = errors.New("users")

// loadUsers reads and checks a users file.
func loadUsers(path string) ([]User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUsersFile+1))
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(data) > maxUsersFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrUsers, path, maxUsersFile)
	}
	users, err := parseUsers(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return users, nil
}

// parseUsers decodes a JSON array of users (unknown fields are refused, so
// that a misspelt field is not silently ignored) and checks every entry.
func parseUsers(data []byte) ([]User, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var users []User
	if err := dec.Decode(&users); err != nil {
		return nil, fmt.Errorf("%w: not a JSON array of users: %w", ErrUsers, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON array", ErrUsers)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("%w: no users", ErrUsers)
	}
	seen := make(map[string]bool, len(users))
	for i := range users {
		u := &users[i]
		if err := u.check(); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrUsers, i+1, err)
		}
		if seen[u.Username] {
			return nil, fmt.Errorf("%w: user %q appears twice", ErrUsers, u.Username)
		}
		seen[u.Username] = true
	}
	return users, nil
}

// check validates u and fills in defaults (Type, Name).
func (u *User) check() error {
	if err := checkUsername(u.Username); err != nil {
		return err
	}
	if u.Password == "" {
		return fmt.Errorf("user %q has no password", u.Username)
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	u.Type = strings.ToUpper(strings.TrimSpace(u.Type))
	switch u.Type {
	case "":
		u.Type = backend.Individual
	case backend.Individual, backend.Group, backend.Resource, backend.Room, backend.Unknown:
	default:
		return fmt.Errorf("user %q: unknown type %q", u.Username, u.Type)
	}
	if len(u.Addresses) == 0 {
		return fmt.Errorf("user %q has no addresses", u.Username)
	}
	for _, a := range u.Addresses {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, "\r\n") {
			return fmt.Errorf("user %q: bad address %q", u.Username, a)
		}
	}
	return nil
}

// checkUsername accepts names made of lower-case ASCII letters, digits,
// '.', '_' and '-', not starting with '.', of at most 64 characters: they
// are path segments of URLs and Basic-auth user names.
func checkUsername(name string) error {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return fmt.Errorf("bad username %q", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("bad username %q: only a-z, 0-9, '.', '_' and '-' are allowed", name)
		}
	}
	return nil
}

// principal returns the backend principal of u.
func (u *User) principal() *backend.Principal {
	p := backend.NewPrincipal(u.Username, u.Name, u.Addresses...)
	p.Type = u.Type
	return p
}

// demoUsers returns alice, bob and carol with random plain-text passwords
// and addresses mailto:<user>@example.org.
func demoUsers() ([]User, error) {
	var users []User
	for _, name := range []string{"alice", "bob", "carol"} {
		pw, err := randomPassword()
		if err != nil {
			return nil, err
		}
		users = append(users, User{
			Username:  name,
			Password:  pw,
			Name:      strings.ToUpper(name[:1]) + name[1:] + " Example",
			Addresses: []string{"mailto:" + name + "@example.org"},
			Type:      backend.Individual,
		})
	}
	return users, nil
}

// randomPassword returns 96 random bits in URL-safe base64.
func randomPassword() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
