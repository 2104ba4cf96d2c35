package memory

import (
	"context"
	"errors"
	"testing"

	"github.com/go-autoschedule/autoschedule/backend"
)

func TestNotFoundMessages(t *testing.T) {
	ctx := context.Background()
	s := New()
	_, e1 := s.ObjectByUID(ctx, "/alice/", `a"b`)
	_, e2 := s.Object(ctx, "/alice/calendars/default/x.ics")
	_, e3 := s.PrincipalByAddress(ctx, "mailto:nobody@example.org")
	for err, want := range map[error]string{
		e1: `backend: not found: UID "a\"b" in calendars of "/alice/"`,
		e2: `backend: not found: object "/alice/calendars/default/x.ics"`,
		e3: `backend: not found: principal with address "mailto:nobody@example.org"`,
	} {
		if !errors.Is(err, backend.ErrNotFound) || err.Error() != want {
			t.Errorf("error %q, want %q matching backend.ErrNotFound", err, want)
		}
	}
}
