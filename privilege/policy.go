package privilege

import (
	"context"
	"slices"
)

// Policy decides the privileges one principal has on another principal's
// scheduling inbox or outbox. Principals are named by their principal
// Path (backend.Principal.Path); actor is "" for an unauthenticated
// request. A sender outside the server (an iMIP mail checked by
// imip.Receiver, delivered by schedule.Handler.ProcessIncoming) is named
// by its normalised calendar user address ("mailto:bob@example.com"),
// which never equals a principal path: Default lets it deliver invitations
// and replies like any authenticated user; a policy that refuses mail
// refuses actors that do not start with "/".
//
// The questions the scheduler asks map onto it as RFC 6638 §11 does:
//   - may actor send as owner? Privileges(actor, owner, Outbox) has
//     ScheduleSendInvite / ScheduleSendReply / ScheduleSendFreeBusy;
//   - may sender deliver to recipient? Privileges(sender, recipient,
//     Inbox) has ScheduleDeliverInvite / ScheduleDeliverReply;
//   - may requester see recipient's busy time? Privileges(requester,
//     recipient, Inbox) has ScheduleQueryFreeBusy.
type Policy interface {
	// Privileges returns what actor may do on owner's collection of kind
	// c. Errors are for failures of the policy's own storage, never for
	// "denied": denial is an empty set.
	Privileges(ctx context.Context, actor, owner string, c Collection) (Privilege, error)
}

// Delegates answers who may act on behalf of an owner.
type Delegates interface {
	// DelegatesOf returns the principal paths allowed to act as owner.
	DelegatesOf(ctx context.Context, owner string) ([]string, error)
}

// StaticDelegates maps an owner's principal path to its delegates'. It is
// read-only once the policy using it serves requests.
type StaticDelegates map[string][]string

// DelegatesOf returns d[owner].
func (d StaticDelegates) DelegatesOf(_ context.Context, owner string) ([]string, error) {
	return d[owner], nil
}

// Default is the policy of a server whose users trust each other to
// schedule: every authenticated user may invite, reply to and query the
// busy time of every other user (schedule-deliver on every inbox), while
// only the owner and the owner's delegates may read and manage the
// owner's inbox and send as the owner (everything on the outbox).
// Unauthenticated actors get nothing. The zero value has no delegates.
type Default struct {
	// Delegates, when not nil, names who may act as an owner.
	Delegates Delegates
}

// Privileges implements Policy.
func (d Default) Privileges(ctx context.Context, actor, owner string, c Collection) (Privilege, error) {
	if actor == "" {
		return None, nil
	}
	full := c.Applicable()
	if actor == owner {
		return full, nil
	}
	if d.Delegates != nil {
		ds, err := d.Delegates.DelegatesOf(ctx, owner)
		if err != nil {
			return None, err
		}
		if slices.Contains(ds, actor) {
			return full, nil
		}
	}
	if c == Inbox {
		return ScheduleDeliver, nil
	}
	return None, nil
}

// Grants is a fixed table of privileges, for tests and small servers:
// Grants[owner][actor] per collection kind; a missing entry falls back to
// Fallback (nil: no privileges).
type Grants struct {
	Inbox    map[string]map[string]Privilege
	Outbox   map[string]map[string]Privilege
	Fallback Policy
}

// Privileges implements Policy.
func (g Grants) Privileges(ctx context.Context, actor, owner string, c Collection) (Privilege, error) {
	table := g.Inbox
	if c == Outbox {
		table = g.Outbox
	}
	if p, ok := table[owner][actor]; ok {
		return p & c.Applicable(), nil
	}
	if g.Fallback != nil {
		return g.Fallback.Privileges(ctx, actor, owner, c)
	}
	return None, nil
}
