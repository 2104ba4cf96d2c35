package schedule

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/privilege"
)

func TestOrganizerUpdateReachesCopyWhereItLives(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	// Wilfredo accepts, then moves his copy to another calendar.
	obj, data := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", obj.Path, setPartstat(data, "wilfredo@example.com", "ACCEPTED")).must(t, 204)
	e.do("wilfredo", "MKCOL", "/wilfredo/calendars/work/", "").must(t, 201)
	e.do("wilfredo", "MOVE", obj.Path, "", "Destination", e.srv.URL+"/wilfredo/calendars/work/m.ics").must(t, 201)
	// Cyrus reschedules: the copy is updated in place, PARTSTAT reset
	// (RFC 6638 §3.2.8), SEQUENCE bumped.
	_, org := e.object("/cyrus/calendars/default/m.ics")
	moved := strings.ReplaceAll(strings.ReplaceAll(org, "20090610T160000Z", "20090611T160000Z"), "20090610T170000Z", "20090611T170000Z")
	moved = strings.ReplaceAll(strings.TrimRight(moved, "\n"), "\n", "\r\n") + "\r\n"
	r := e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", moved).must(t, 204)
	if r.header.Get("ETag") != "" {
		t.Error("ETag sent for data the server changed")
	}
	c, data := e.copyOf("/wilfredo/", "m1")
	if c.Path != "/wilfredo/calendars/work/m.ics" {
		t.Fatalf("copy at %s", c.Path)
	}
	if !strings.Contains(data, "DTSTART:20090611T160000Z") {
		t.Errorf("copy not updated:\n%s", data)
	}
	if got := scheduleParam(propLine(data, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT"); got != "NEEDS-ACTION" {
		t.Errorf("PARTSTAT after reschedule %q", got)
	}
	if _, err := e.store.ObjectByUID(context.Background(), "/wilfredo/", "m1"); err != nil {
		t.Fatal(err)
	}
	objs, _ := e.store.Objects(context.Background(), "/wilfredo/calendars/default/")
	if len(objs) != 0 {
		t.Errorf("a second copy was created in the default calendar")
	}
}

func TestPlainObjectGetsETag(t *testing.T) {
	e := newEnv(t, nil, cyrus)
	body := busyEvent("p1", "20090610T160000Z", "20090610T170000Z")
	r := e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", body).must(t, 201)
	obj, _ := e.object("/cyrus/calendars/default/p.ics")
	if string(obj.Data) != body || r.header.Get("ETag") != `"`+obj.ETag+`"` || r.header.Get("Schedule-Tag") != "" {
		t.Errorf("ETag %q Schedule-Tag %q (stored %q)", r.header.Get("ETag"), r.header.Get("Schedule-Tag"), obj.ETag)
	}
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", body, "If-Match", `"`+obj.ETag+`"`).must(t, 204)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", body, "If-Match", `"stale"`).must(t, 412)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/p.ics", body, "If-None-Match", "*").must(t, 412)
	g := e.do("cyrus", "GET", "/cyrus/calendars/default/p.ics", "").must(t, 200)
	if g.body != body {
		t.Errorf("GET does not return the stored bytes:\n%q", g.body)
	}
}

func TestReplyNeedsOrganizerPrivilege(t *testing.T) {
	// Cyrus takes no replies from Wilfredo.
	policy := privilege.Grants{
		Inbox:    map[string]map[string]privilege.Privilege{"/cyrus/": {"/wilfredo/": privilege.ScheduleDeliverInvite}},
		Fallback: privilege.Default{},
	}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	obj, data := e.copyOf("/wilfredo/", "m1")
	e.do("wilfredo", "PUT", obj.Path, setPartstat(data, "wilfredo@example.com", "ACCEPTED")).must(t, 204)
	_, data = e.copyOf("/wilfredo/", "m1")
	if got := scheduleParam(propLine(data, "ORGANIZER", "cyrus@example.com"), "SCHEDULE-STATUS"); got != "3.8" {
		t.Errorf("ORGANIZER SCHEDULE-STATUS %q\n%s", got, data)
	}
	_, org := e.object("/cyrus/calendars/default/m.ics")
	if got := scheduleParam(propLine(org, "ATTENDEE", "wilfredo@example.com"), "PARTSTAT"); got != "NEEDS-ACTION" {
		t.Errorf("organizer copy changed: %s", got)
	}
}

func TestMoveAcrossOwners(t *testing.T) {
	// Bernard is Cyrus's delegate; he moves his own invitation to
	// Wilfredo into Cyrus's calendar. For Bernard's calendar that is a
	// Remove (Wilfredo's copy is cancelled); in Cyrus's calendar the
	// object is a plain one (Cyrus is neither organizer nor attendee).
	policy := privilege.Default{Delegates: privilege.StaticDelegates{"/cyrus/": {"/bernard/"}}}
	e := newEnv(t, &Options{Policy: policy}, cyrus, wilfredo, bernard)
	e.do("bernard", "PUT", "/bernard/calendars/default/m.ics", invite("m1", "bernard@example.net", "wilfredo@example.com")).must(t, 201)
	e.do("bernard", "MOVE", "/bernard/calendars/default/m.ics", "", "Destination", e.srv.URL+"/cyrus/calendars/default/m.ics").must(t, 201)
	if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "STATUS:CANCELLED") {
		t.Errorf("Wilfredo's copy not cancelled:\n%s", data)
	}
	if obj, _ := e.object("/cyrus/calendars/default/m.ics"); obj.ScheduleTag != "" {
		t.Errorf("the moved object is a scheduling object of Cyrus")
	}
	if _, err := e.store.Object(context.Background(), "/bernard/calendars/default/m.ics"); err == nil {
		t.Error("source left")
	}
}

func TestErrorsLeakNothing(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	e.do("wilfredo", "PUT", "/wilfredo/calendars/default/secret.ics", busyEvent("s1", "20090610T160000Z", "20090610T170000Z")).must(t, 201)
	// Whether a resource exists or not, another user gets the same 403.
	for _, p := range []string{"/wilfredo/calendars/default/secret.ics", "/wilfredo/calendars/default/none.ics"} {
		for _, m := range []string{"DELETE", "PUT", "PROPPATCH", "MOVE", "COPY"} {
			r := e.do("cyrus", m, p, "BEGIN:VCALENDAR", "Destination", e.srv.URL+"/cyrus/calendars/default/x.ics")
			if r.status != 403 || r.condition() != "need-privileges" || strings.Contains(r.body, "secret") {
				t.Errorf("%s %s: %d %s", m, p, r.status, r.body)
			}
		}
	}
}

func TestScheduleTagProperty(t *testing.T) {
	e := newEnv(t, nil, cyrus, wilfredo)
	r := e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com")).must(t, 201)
	tag := r.header.Get("Schedule-Tag")
	want := "<C:schedule-tag>" + strings.ReplaceAll(tag, `"`, "&#34;") + "</C:schedule-tag>"
	pf := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:schedule-tag/></D:prop></D:propfind>`
	for _, c := range []struct{ path, depth string }{{"/cyrus/calendars/default/m.ics", "0"}, {"/cyrus/calendars/default/", "1"}} {
		r = e.do("cyrus", "PROPFIND", c.path, pf, "Depth", c.depth).must(t, 207)
		if !strings.Contains(r.body, want) || !strings.Contains(r.body, "getetag>") {
			t.Errorf("PROPFIND %s: want %s in\n%s", c.path, want, r.body)
		}
	}
	mg := `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:schedule-tag/></D:prop><D:href>/cyrus/calendars/default/m.ics</D:href></C:calendar-multiget>`
	r = e.do("cyrus", "REPORT", "/cyrus/calendars/default/", mg).must(t, 207)
	if !strings.Contains(r.body, want) {
		t.Errorf("multiget: want %s in\n%s", want, r.body)
	}
}

func TestDelivererChain(t *testing.T) {
	var seen []string
	failing := DelivererFunc(func(_ context.Context, d *Delivery) (Status, error) {
		seen = append(seen, "failing "+d.Recipient)
		if strings.HasSuffix(d.Recipient, "@down.example") {
			return "", context.DeadlineExceeded
		}
		return "", ErrNotResponsible
	})
	mail := DelivererFunc(func(_ context.Context, d *Delivery) (Status, error) {
		seen = append(seen, "mail "+d.Recipient)
		if strings.HasSuffix(d.Recipient, "@mail.example") {
			if d.Sender.Path != "/cyrus/" || d.Message.Method != "REQUEST" || len(d.Message.Bytes()) == 0 {
				t.Errorf("delivery %+v", d)
			}
			return StatusSent, nil
		}
		return "", ErrNotResponsible
	})
	e := newEnv(t, &Options{Deliverers: []Deliverer{failing, mail}}, cyrus)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "a@mail.example", "b@down.example", "c@nowhere.example")).must(t, 201)
	_, data := e.object("/cyrus/calendars/default/m.ics")
	for addr, want := range map[string]string{"a@mail.example": "1.1", "b@down.example": "5.1", "c@nowhere.example": "3.7"} {
		if got := scheduleParam(propLine(data, "ATTENDEE", addr), "SCHEDULE-STATUS"); got != want {
			t.Errorf("%s: %q, want %s", addr, got, want)
		}
	}
	if len(seen) != 5 {
		t.Errorf("deliverers called: %v", seen)
	}
}

func TestAsyncDelivery(t *testing.T) {
	release := make(chan struct{})
	slow := DelivererFunc(func(context.Context, *Delivery) (Status, error) {
		<-release
		return StatusSent, nil
	})
	e := newEnv(t, &Options{AsyncDelivery: true, Deliverers: []Deliverer{slow}}, cyrus, wilfredo, bernard)
	e.do("cyrus", "PUT", "/cyrus/calendars/default/m.ics", invite("m1", "cyrus@example.com", "wilfredo@example.com", "bernard@example.net", "x@mail.example")).must(t, 201)
	// The answer came before delivery: everything is pending.
	_, data := e.object("/cyrus/calendars/default/m.ics")
	for _, addr := range []string{"wilfredo@example.com", "bernard@example.net", "x@mail.example"} {
		if got := scheduleParam(propLine(data, "ATTENDEE", addr), "SCHEDULE-STATUS"); got != "1.0" {
			t.Errorf("before delivery %s: %q", addr, got)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := e.h.Close(ctx); err == nil {
		t.Error("Close returned while a delivery was blocked")
	}
	close(release)
	if err := e.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, data = e.object("/cyrus/calendars/default/m.ics")
	for addr, want := range map[string]string{"wilfredo@example.com": "1.2", "bernard@example.net": "1.2", "x@mail.example": "1.1"} {
		if got := scheduleParam(propLine(data, "ATTENDEE", addr), "SCHEDULE-STATUS"); got != want {
			t.Errorf("%s: %q, want %s", addr, got, want)
		}
	}
	for _, p := range []string{"/wilfredo/", "/bernard/"} {
		e.copyOf(p, "m1")
		if len(e.inbox(p)) != 1 {
			t.Errorf("%s inbox", p)
		}
	}
	e.do("cyrus", "DELETE", "/cyrus/calendars/default/m.ics", "").must(t, 204)
	if err := e.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, data := e.copyOf("/wilfredo/", "m1"); !strings.Contains(data, "STATUS:CANCELLED") {
		t.Error("cancel not delivered")
	}
}
