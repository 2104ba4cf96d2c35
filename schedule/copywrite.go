package schedule

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
)

// errInboxItem marks the failure of an inbox item written after the copy
// was stored (stores that are no backend.CopyDeliverer).
var errInboxItem = errors.New("schedule: storing the inbox item")

// wantsInboxItem reports whether a message applied with this outcome
// appears in the recipient's inbox (§4.1, §4.2): not with Scheduling:
// internal-only (the copy is updated silently), and not when the message
// changed nothing (a mail delivered twice, a REFRESH the server answered).
func wantsInboxItem(applied *itip.Applied, scope Scope) bool {
	return applied.Outcome != itip.OutcomeIgnored && applied.Outcome != itip.OutcomeUnchanged && scope != ScopeInternalOnly
}

// inboxItem is the inbox item announcing msg to rcpt.
func inboxItem(rcpt *backend.Principal, msg *itip.Message) backend.InboxItem {
	return backend.InboxItem{Principal: rcpt.Path, Name: newTag() + ".ics", Data: msg.Bytes()}
}

// storeCopy stores the recipient's copy at path and, when withInbox, the
// inbox item for msg: in one write when the store is a
// backend.CopyDeliverer (nothing stored on failure), else the copy and
// then the item, whose failure is errInboxItem.
func (h *Handler) storeCopy(ctx context.Context, rcpt *backend.Principal, path string, c appliedCopy, opts *backend.PutOptions, msg *itip.Message, withInbox bool) error {
	if withInbox {
		if d, ok := h.store.(backend.CopyDeliverer); ok {
			_, err := d.PutObjectDeliver(ctx, path, c.data, opts, inboxItem(rcpt, msg))
			return err
		}
	}
	if _, err := h.store.PutObject(ctx, path, c.data, opts); err != nil || !withInbox {
		return err
	}
	return h.addInboxItem(ctx, rcpt, msg)
}

// addInboxItem stores the inbox item for msg alone; its failure is
// errInboxItem.
func (h *Handler) addInboxItem(ctx context.Context, rcpt *backend.Principal, msg *itip.Message) error {
	item := inboxItem(rcpt, msg)
	if _, err := h.store.CreateSchedulingObject(ctx, item.Principal, item.Name, item.Data); err != nil {
		return fmt.Errorf("%w: %w", errInboxItem, err)
	}
	return nil
}
