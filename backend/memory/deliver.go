package memory

import (
	"context"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Compile-time check: the store writes a copy and its inbox item at once.
var _ backend.CopyDeliverer = (*Store)(nil)

// PutObjectDeliver is PutObject and then CreateSchedulingObject of item,
// under one lock: both or neither are stored (backend.CopyDeliverer). The
// errors are theirs.
func (s *Store) PutObjectDeliver(ctx context.Context, path string, data []byte, opts *backend.PutOptions, item backend.InboxItem) (*backend.Object, error) {
	if err := checkInboxItem(item.Name, item.Data); err != nil {
		return nil, err
	}
	// A principal's inbox, once there, stays: checking it before the
	// write is as good as under the write's lock.
	s.mu.RLock()
	_, ok := s.inboxes[item.Principal]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: principal %q", backend.ErrNotFound, item.Principal)
	}
	msg := cloneBytes(item.Data)
	return s.putObject(ctx, path, data, opts, func() {
		_, _ = s.addInboxItem(item.Principal, item.Name, msg) // cannot fail: the inbox exists
	})
}
