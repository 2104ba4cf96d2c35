package schedule

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/go-autoschedule/autoschedule/backend"
)

// kind is what a request path names.
type kind int

const (
	kindOther kind = iota
	kindPrincipal
	kindHome
	kindInbox
	kindInboxItem
	kindOutbox
	kindOutboxItem
	kindCalendar
	kindObject
)

// target is a resolved request path.
type target struct {
	kind      kind
	path      string             // cleaned; collections end with "/"
	principal *backend.Principal // the owner (nil for kindOther)
	calendar  *backend.Calendar  // kindCalendar, kindObject
	name      string             // last segment for items and objects
}

// collectionPath returns p cleaned, with a trailing slash.
func collectionPath(p string) string {
	c := path.Clean("/" + p)
	if c == "/" {
		return c
	}
	return c + "/"
}

// resolve finds what urlPath names in the store. Store failures other
// than "not found" are returned.
func (h *Handler) resolve(ctx context.Context, urlPath string) (*target, error) {
	clean := path.Clean("/" + urlPath)
	dir := collectionPath(clean)
	if clean == "/" {
		return &target{kind: kindOther, path: "/"}, nil
	}
	pr, err := h.store.PrincipalByPath(ctx, dir)
	switch {
	case err == nil:
		t := &target{path: dir, principal: pr}
		switch dir {
		case pr.Path:
			t.kind = kindPrincipal
		case pr.HomePath:
			t.kind = kindHome
		case pr.InboxPath:
			t.kind = kindInbox
		case pr.OutboxPath:
			t.kind = kindOutbox
		default:
			t.kind = kindOther
		}
		return t, nil
	case !errors.Is(err, backend.ErrNotFound):
		return nil, err
	}
	parent := collectionPath(path.Dir(clean))
	name := path.Base(clean)
	pr, err = h.store.PrincipalByPath(ctx, parent)
	switch {
	case err == nil:
		switch parent {
		case pr.InboxPath:
			return &target{kind: kindInboxItem, path: clean, principal: pr, name: name}, nil
		case pr.OutboxPath:
			return &target{kind: kindOutboxItem, path: clean, principal: pr, name: name}, nil
		}
	case !errors.Is(err, backend.ErrNotFound):
		return nil, err
	}
	if cal, err := h.store.Calendar(ctx, dir); err == nil {
		owner, err := h.store.PrincipalByPath(ctx, cal.Owner)
		if err != nil {
			return nil, err
		}
		return &target{kind: kindCalendar, path: dir, principal: owner, calendar: cal}, nil
	} else if !errors.Is(err, backend.ErrNotFound) {
		return nil, err
	}
	if !strings.HasSuffix(urlPath, "/") {
		if cal, err := h.store.Calendar(ctx, parent); err == nil {
			owner, err := h.store.PrincipalByPath(ctx, cal.Owner)
			if err != nil {
				return nil, err
			}
			return &target{kind: kindObject, path: clean, principal: owner, calendar: cal, name: name}, nil
		} else if !errors.Is(err, backend.ErrNotFound) {
			return nil, err
		}
	}
	return &target{kind: kindOther, path: clean}, nil
}
