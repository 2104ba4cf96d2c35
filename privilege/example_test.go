package privilege_test

import (
	"context"
	"fmt"

	"github.com/go-autoschedule/autoschedule/privilege"
)

func Example() {
	ctx := context.Background()
	policy := privilege.Default{Delegates: privilege.StaticDelegates{
		"/boss/": {"/assistant/"},
	}}

	// May the assistant send invitations as the boss?
	p, _ := policy.Privileges(ctx, "/assistant/", "/boss/", privilege.Outbox)
	fmt.Println("assistant sends as boss:", p.Has(privilege.ScheduleSendInvite))

	// May Alice send as the boss? Deliver to the boss? See the boss's busy time?
	p, _ = policy.Privileges(ctx, "/alice/", "/boss/", privilege.Outbox)
	fmt.Println("alice sends as boss:", p.HasAny(privilege.ScheduleSend))
	p, _ = policy.Privileges(ctx, "/alice/", "/boss/", privilege.Inbox)
	fmt.Println("alice invites boss:", p.Has(privilege.ScheduleDeliverInvite))
	fmt.Println("alice queries boss:", p.Has(privilege.ScheduleQueryFreeBusy))
	fmt.Println("granted:", p)
	// Output:
	// assistant sends as boss: true
	// alice sends as boss: false
	// alice invites boss: true
	// alice queries boss: true
	// granted: schedule-deliver,schedule-deliver-invite,schedule-deliver-reply,schedule-query-freebusy
}
