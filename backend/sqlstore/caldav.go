package sqlstore

import "github.com/go-autoschedule/autoschedule/backend"

// CalDAV returns a go-webdav caldav.Backend over this store, for a
// caldav.Handler; see backend.CalDAV. Requests must carry the
// authenticated principal (backend.WithPrincipal); each principal uses its
// own calendar home only.
func (s *Store) CalDAV() *backend.CalDAV { return backend.NewCalDAV(s) }
