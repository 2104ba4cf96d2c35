package sqlstore

import (
	"bytes"
	"context"

	"github.com/go-autoschedule/autoschedule/backend"
)

// Compile-time check: the store writes a copy and its inbox item at once.
var _ backend.CopyDeliverer = (*Store)(nil)

// PutObjectDeliver is PutObject and then CreateSchedulingObject of item in
// the same transaction: both or neither are stored
// (backend.CopyDeliverer). The errors are theirs.
func (s *Store) PutObjectDeliver(ctx context.Context, path string, data []byte, opts *backend.PutOptions, item backend.InboxItem) (*backend.Object, error) {
	if err := checkInboxItem(item.Principal, item.Name, item.Data); err != nil {
		return nil, err
	}
	etag, msg := newETag(), bytes.Clone(item.Data)
	return s.putObject(ctx, path, data, opts, func(tx *txn) error {
		return s.insertInboxItem(ctx, tx, item.Principal, item.Name, msg, etag)
	})
}
