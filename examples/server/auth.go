package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// realm is the Basic-auth realm announced in WWW-Authenticate.
const realm = "autoschedule"

// account is a user's credentials and principal.
type account struct {
	username  string
	password  []byte // plain text, or a bcrypt hash when hashed
	hashed    bool
	principal string // principal path, for backend.WithPrincipal
}

// authenticator checks HTTP Basic credentials against the users file.
// Successful bcrypt checks are remembered (as a SHA-256 of the password,
// one per user), so that a client sending its credentials with every
// request does not pay bcrypt's cost each time; at most one bcrypt
// comparison per CPU runs at once, so that wrong passwords cannot take
// every core.
type authenticator struct {
	accounts map[string]*account
	dummy    []byte // compared against for unknown users

	slots chan struct{}

	// removed, when set, is told about logins with names not in the
	// users file.
	removed *removedUsers

	mu       sync.Mutex
	verified map[string][sha256.Size]byte
}

// newAuthenticator returns an authenticator for users.
func newAuthenticator(users []User) *authenticator {
	a := &authenticator{
		accounts: make(map[string]*account, len(users)),
		dummy:    []byte("\x00no such user, compared to take the same time\x00"),
		slots:    make(chan struct{}, runtime.NumCPU()),
		verified: make(map[string][sha256.Size]byte),
	}
	for _, u := range users {
		a.accounts[u.Username] = &account{
			username:  u.Username,
			password:  []byte(u.Password),
			hashed:    isBcryptHash(u.Password),
			principal: u.principal().Path,
		}
	}
	return a
}

// isBcryptHash reports whether s looks like a bcrypt hash.
func isBcryptHash(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}

// check returns the account when username and password match one.
func (a *authenticator) check(ctx context.Context, username, password string) (*account, bool) {
	acc, ok := a.accounts[username]
	if !ok {
		subtle.ConstantTimeCompare(a.dummy, []byte(password))
		if a.removed != nil {
			a.removed.refused(username)
		}
		return nil, false
	}
	if !acc.hashed {
		return acc, subtle.ConstantTimeCompare(acc.password, []byte(password)) == 1
	}
	sum := sha256.Sum256([]byte(password))
	a.mu.Lock()
	known, seen := a.verified[username]
	a.mu.Unlock()
	if seen && subtle.ConstantTimeCompare(known[:], sum[:]) == 1 {
		return acc, true
	}
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false
	}
	err := bcrypt.CompareHashAndPassword(acc.password, []byte(password))
	<-a.slots
	if err != nil {
		return nil, false
	}
	a.mu.Lock()
	a.verified[username] = sum
	a.mu.Unlock()
	return acc, true
}

// wrap returns a handler that answers 401 to requests without valid
// credentials and otherwise calls next with the user's principal in the
// context (backend.WithPrincipal).
func (a *authenticator) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		username, password, ok := r.BasicAuth()
		var acc *account
		if ok {
			acc, ok = a.check(r.Context(), username, password)
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if rec, isRec := w.(*statusRecorder); isRec {
			rec.user = acc.username
		}
		next.ServeHTTP(w, r.WithContext(backend.WithPrincipal(r.Context(), acc.principal)))
	})
}
