package schedule

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
)

// plainStore hides the memory store's backend.CopyDeliverer: copies and
// inbox items are written one after the other.
type plainStore struct{ backend.Store }

// brokenInbox is a store whose inbox writes fail, with or without
// backend.CopyDeliverer.
type brokenInbox struct{ backend.Store }

var errBrokenInbox = errors.New("inbox is broken")

func (s brokenInbox) CreateSchedulingObject(context.Context, string, string, []byte) (string, error) {
	return "", errBrokenInbox
}

type brokenInboxDeliverer struct{ brokenInbox }

func (s brokenInboxDeliverer) PutObjectDeliver(context.Context, string, []byte, *backend.PutOptions, backend.InboxItem) (*backend.Object, error) {
	return nil, errBrokenInbox
}

// putThrough PUTs a 2-attendee invitation from cyrus through a handler on
// store (sharing e's memory store underneath) and returns the stored
// organizer copy, unfolded.
func putThrough(t *testing.T, e *env, store backend.Store, uid string) string {
	t.Helper()
	h := New(&caldav.Handler{Backend: backend.NewCalDAV(e.store)}, store, nil)
	req := httptest.NewRequest("PUT", "/cyrus/calendars/default/"+uid+".ics", strings.NewReader(invite(uid, "cyrus@example.com", "wilfredo@example.com", "bernard@example.net")))
	req.SetBasicAuth("cyrus", "x")
	req.Header.Set("Content-Type", "text/calendar")
	w := httptest.NewRecorder()
	authenticate(h).ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	_, data := e.copyOf("/cyrus/", uid)
	return data
}

// TestCopyAndInboxItem: each attendee gets the copy and the inbox item,
// whether the store writes both at once (backend.CopyDeliverer) or one
// after the other; when the inbox cannot be written the delivery is a
// 5.1 failure, and with a CopyDeliverer no copy is left without its item.
func TestCopyAndInboxItem(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo, bernard)
	var _ backend.CopyDeliverer = e.store // the memory store writes both at once

	for _, c := range []struct {
		name  string
		store backend.Store
	}{{"deliverer", e.store}, {"plain", plainStore{e.store}}} {
		uid := "copy-" + c.name
		org := putThrough(t, e, c.store, uid)
		if n := strings.Count(org, "SCHEDULE-STATUS=1.2"); n != 2 {
			t.Errorf("%s: %d attendees delivered (1.2), want 2:\n%s", c.name, n, org)
		}
		for _, p := range []string{"/wilfredo/", "/bernard/"} {
			e.copyOf(p, uid)
			found := false
			for _, it := range e.inbox(p) {
				found = found || strings.Contains(string(it.Data), "UID:"+uid)
			}
			if !found {
				t.Errorf("%s: no inbox item for %s in %s", c.name, uid, p)
			}
		}
	}

	for _, c := range []struct {
		name     string
		store    backend.Store
		copyLeft bool
	}{{"deliverer", brokenInboxDeliverer{brokenInbox{e.store}}, false}, {"plain", brokenInbox{e.store}, true}} {
		uid := "broken-" + c.name
		org := putThrough(t, e, c.store, uid)
		if n := strings.Count(org, "SCHEDULE-STATUS=5.1"); n != 2 {
			t.Errorf("%s: %d attendees failed with 5.1, want 2:\n%s", c.name, n, org)
		}
		_, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", uid)
		if (err == nil) != c.copyLeft {
			t.Errorf("%s: copy lookup after a failed inbox write: %v (want a copy: %v)", c.name, err, c.copyLeft)
		}
	}
}

// TestNewCopyOutsideUnfitDefault: when the default calendar does not take
// the component, the copy's guessed place is refused by the store and the
// copy goes to a calendar that takes it (RFC 6638 §4.3), delivered.
func TestNewCopyOutsideUnfitDefault(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	ctx := context.Background()
	journal := &backend.Calendar{Path: "/wilfredo/calendars/journal/", Owner: "/wilfredo/", SupportedComponents: []string{"VJOURNAL"}}
	if err := e.store.CreateCalendar(ctx, journal); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDefaultCalendar(ctx, "/wilfredo/", journal.Path); err != nil {
		t.Fatal(err)
	}
	e.do("cyrus", "PUT", "/cyrus/calendars/default/unfit.ics", invite("unfit", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, _ := e.copyOf("/wilfredo/", "unfit")
	if !strings.HasPrefix(obj.Path, "/wilfredo/calendars/default/") {
		t.Errorf("copy at %s, want in /wilfredo/calendars/default/", obj.Path)
	}
	if _, org := e.copyOf("/cyrus/", "unfit"); !strings.Contains(org, "SCHEDULE-STATUS=1.2") {
		t.Errorf("not delivered:\n%s", org)
	}
}
