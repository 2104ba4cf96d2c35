package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
)

// removedUsers notices logins of users who were removed from the users
// file. Their principals, calendars and inboxes stay in the store (the
// server never deletes a user's data); they can no longer log in, since
// only the file's users have passwords. The first refused login of such a
// user is logged, so that an operator sees who still tries.
type removedUsers struct {
	dir backend.Directory
	log *slog.Logger

	busy chan struct{} // one lookup at a time; more are skipped

	mu     sync.Mutex
	logged map[string]bool // bounded by the principals in the store
}

// newRemovedUsers returns a removedUsers looking principals up in dir.
func newRemovedUsers(dir backend.Directory, log *slog.Logger) *removedUsers {
	return &removedUsers{dir: dir, log: log, busy: make(chan struct{}, 1), logged: map[string]bool{}}
}

// refused is told about a login refused because username is not in the
// users file. It looks the principal up in the background, so that the
// answer's timing says nothing about which names once existed, and logs
// the first such login of each removed user.
func (r *removedUsers) refused(username string) {
	if checkUsername(username) != nil {
		return
	}
	r.mu.Lock()
	seen := r.logged[username]
	r.mu.Unlock()
	if seen {
		return
	}
	select {
	case r.busy <- struct{}{}:
	default:
		return // a flood of unknown names: skip rather than queue
	}
	go func() {
		defer func() { <-r.busy }()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := r.dir.PrincipalByPath(ctx, backend.NewPrincipal(username, "").Path)
		if err != nil {
			return
		}
		r.mu.Lock()
		first := !r.logged[username]
		r.logged[username] = true
		r.mu.Unlock()
		if first {
			r.log.Warn("login refused: the user is no longer in the users file; their calendars are kept", "user", username, "principal", p.Path)
		}
	}()
}
