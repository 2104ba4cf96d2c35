package backend

import "context"

// InboxItem is an iTIP message for a principal's scheduling inbox.
type InboxItem struct {
	Principal string // the principal's Path
	Name      string // the resource name in the inbox, e.g. "3f2a….ics"
	Data      []byte // the iTIP message, iCalendar text
}

// CopyDeliverer is implemented by stores that can write a recipient's
// copy of a scheduling object together with the inbox item announcing
// the message that changed it (RFC 6638 §4.1: the message appears in the
// inbox once it has been processed). The scheduler then pays one write
// per delivered message instead of two, and a recipient never sees the
// copy changed without the message, or the reverse. Stores without it get
// PutObject followed by CreateSchedulingObject.
type CopyDeliverer interface {
	// PutObjectDeliver is PutObject, then, when that succeeds,
	// CreateSchedulingObject(ctx, item.Principal, item.Name, item.Data),
	// atomically: when either fails, neither is stored, and the error is
	// the one the failing method would return.
	PutObjectDeliver(ctx context.Context, path string, data []byte, opts *PutOptions, item InboxItem) (*Object, error)
}
