package memory

import (
	"context"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// PutPrincipal creates p, or replaces the principal with p's Path. It
// returns backend.ErrInvalidPath for malformed paths and
// backend.ErrAddressInUse when one of p's addresses or collection paths
// belongs to another principal. Replacing a principal keeps its calendars,
// default calendar and inbox, even when its HomePath changes.
func (s *Store) PutPrincipal(ctx context.Context, p *backend.Principal) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := backend.CheckPrincipal(p); err != nil {
		return err
	}
	p = clonePrincipal(p)
	keys := p.AddressKeys()
	paths := []string{p.Path, p.HomePath, p.InboxPath, p.OutboxPath}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if owner, ok := s.byAddress[k]; ok && owner != p.Path {
			return fmt.Errorf("%w: %q is an address of %s", backend.ErrAddressInUse, k, owner)
		}
	}
	for _, q := range paths {
		if owner, ok := s.byPath[q]; ok && owner != p.Path {
			return fmt.Errorf("%w: %q is a collection of %s", backend.ErrAddressInUse, q, owner)
		}
	}
	if old, ok := s.principals[p.Path]; ok {
		for _, k := range old.AddressKeys() {
			delete(s.byAddress, k)
		}
		for _, q := range []string{old.Path, old.HomePath, old.InboxPath, old.OutboxPath} {
			delete(s.byPath, q)
		}
	}
	s.principals[p.Path] = p
	for _, k := range keys {
		s.byAddress[k] = p.Path
	}
	for _, q := range paths {
		s.byPath[q] = p.Path
	}
	if _, ok := s.inboxes[p.Path]; !ok {
		s.inboxes[p.Path] = map[string]*inboxItem{}
	}
	return nil
}

// PrincipalByAddress returns the principal that has addr among its
// addresses (compared as backend.AddressKey forms; the principal's Path
// counts as an address), or backend.ErrNotFound.
func (s *Store) PrincipalByAddress(ctx context.Context, addr string) (*backend.Principal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := backend.AddressKey(addr)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.principals[s.byAddress[key]]; ok && key != "" {
		return clonePrincipal(p), nil
	}
	return nil, &notFound{what: "principal with address", key: addr}
}

// PrincipalByPath returns the principal whose Path, HomePath, InboxPath or
// OutboxPath is path, or backend.ErrNotFound.
func (s *Store) PrincipalByPath(ctx context.Context, path string) (*backend.Principal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.principals[s.byPath[path]]; ok {
		return clonePrincipal(p), nil
	}
	return nil, fmt.Errorf("%w: principal at %q", backend.ErrNotFound, path)
}
