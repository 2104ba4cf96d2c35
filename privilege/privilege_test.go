package privilege

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestAggregation(t *testing.T) {
	// RFC 6638 §6.3.
	cases := []struct {
		agg, member Privilege
		want        bool
	}{
		{All, ScheduleDeliver, true},
		{All, ScheduleSend, true},
		{ScheduleDeliver, ScheduleDeliverInvite, true},
		{ScheduleDeliver, ScheduleDeliverReply, true},
		{ScheduleDeliver, ScheduleQueryFreeBusy, true},
		{ScheduleSend, ScheduleSendInvite, true},
		{ScheduleSend, ScheduleSendReply, true},
		{ScheduleSend, ScheduleSendFreeBusy, true},
		{ScheduleSend, ScheduleDeliverInvite, false},
		{ScheduleDeliver, ScheduleSendFreeBusy, false},
		{ScheduleDeliverInvite, ScheduleDeliver, false},
		{Write, Bind | Unbind, true},
	}
	for _, c := range cases {
		if got := c.agg.Has(c.member); got != c.want {
			t.Errorf("%v.Has(%v) = %v, want %v", c.agg, c.member, got, c.want)
		}
	}
	if !ScheduleSendReply.HasAny(ScheduleSend) || ScheduleSendReply.Has(ScheduleSend) {
		t.Error("HasAny/Has on a sub-privilege")
	}
}

func TestParseRoundTrip(t *testing.T) {
	eight := []string{"schedule-deliver", "schedule-deliver-invite", "schedule-deliver-reply",
		"schedule-query-freebusy", "schedule-send", "schedule-send-invite",
		"schedule-send-reply", "schedule-send-freebusy"}
	for _, local := range eight {
		name := xml.Name{Space: NamespaceCalDAV, Local: local}
		p, ok := Parse(name)
		if !ok {
			t.Fatalf("Parse(%s) failed", local)
		}
		back, ok := p.XMLName()
		if !ok || back != name {
			t.Errorf("XMLName(Parse(%s)) = %v", local, back)
		}
	}
	if _, ok := Parse(xml.Name{Space: NamespaceDAV, Local: "schedule-send"}); ok {
		t.Error("schedule-send in the DAV: namespace must not parse")
	}
	if _, ok := (ScheduleSendInvite | Read).XMLName(); ok {
		t.Error("a set that is no single privilege has no name")
	}
	if None.String() != "none" {
		t.Error(None.String())
	}
}

func TestSupportedXML(t *testing.T) {
	for _, c := range []Collection{Inbox, Outbox} {
		out, err := xml.Marshal(Supported(c))
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		var want, notWant []string
		if c == Inbox {
			want = []string{"schedule-deliver", "schedule-deliver-invite", "schedule-deliver-reply", "schedule-query-freebusy"}
			notWant = []string{"schedule-send"}
		} else {
			want = []string{"schedule-send", "schedule-send-invite", "schedule-send-reply", "schedule-send-freebusy"}
			notWant = []string{"schedule-deliver"}
		}
		for _, w := range want {
			if !strings.Contains(s, "<"+w+` xmlns="urn:ietf:params:xml:ns:caldav">`) {
				t.Errorf("%v: %s missing in %s", c, w, s)
			}
		}
		for _, w := range notWant {
			if strings.Contains(s, w) {
				t.Errorf("%v: %s present", c, w)
			}
		}
		if strings.Contains(s, "abstract") {
			t.Errorf("%v: scheduling privileges must not be abstract", c)
		}
		// It parses back as XML, and the root privilege is DAV:all.
		var back struct {
			Privs []struct {
				Privilege struct {
					Inner []struct{ XMLName xml.Name } `xml:",any"`
				} `xml:"DAV: privilege"`
			} `xml:"DAV: supported-privilege"`
		}
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Privs) != 1 || back.Privs[0].Privilege.Inner[0].XMLName.Local != "all" {
			t.Errorf("root: %+v", back)
		}
	}
}

func TestCurrentXML(t *testing.T) {
	out, err := xml.Marshal(Current(ScheduleDeliver))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, w := range []string{"schedule-deliver>", "schedule-deliver-invite", "schedule-deliver-reply", "schedule-query-freebusy"} {
		if !strings.Contains(s, w) {
			t.Errorf("%s missing in %s", w, s)
		}
	}
	if strings.Contains(s, "read") || strings.Contains(s, "schedule-send") {
		t.Errorf("extra privileges in %s", s)
	}
}

func TestDefaultPolicy(t *testing.T) {
	ctx := context.Background()
	p := Default{Delegates: StaticDelegates{"/boss/": {"/assistant/"}}}
	check := func(actor, owner string, c Collection, want Privilege) {
		t.Helper()
		got, err := p.Privileges(ctx, actor, owner, c)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Privileges(%q, %q, %v) = %v, want %v", actor, owner, c, got, want)
		}
	}
	check("/alice/", "/alice/", Outbox, Outbox.Applicable())
	check("/alice/", "/alice/", Inbox, Inbox.Applicable())
	check("/alice/", "/bob/", Inbox, ScheduleDeliver)
	check("/alice/", "/bob/", Outbox, None)
	check("", "/bob/", Inbox, None)
	check("", "/bob/", Outbox, None)
	check("/assistant/", "/boss/", Outbox, Outbox.Applicable())
	check("/assistant/", "/boss/", Inbox, Inbox.Applicable())
	check("/boss/", "/assistant/", Outbox, None)
	if Outbox.Applicable().HasAny(ScheduleDeliver) || Inbox.Applicable().HasAny(ScheduleSend) {
		t.Error("privileges of the other collection kind must not apply")
	}
}

type failingDelegates struct{}

var errStore = errors.New("store down")

func (failingDelegates) DelegatesOf(context.Context, string) ([]string, error) {
	return nil, errStore
}

func TestDefaultPolicyError(t *testing.T) {
	_, err := Default{Delegates: failingDelegates{}}.Privileges(context.Background(), "/a/", "/b/", Outbox)
	if !errors.Is(err, errStore) {
		t.Fatalf("err = %v", err)
	}
}

func TestGrants(t *testing.T) {
	ctx := context.Background()
	g := Grants{
		Inbox:    map[string]map[string]Privilege{"/bob/": {"/alice/": ScheduleDeliverReply | ScheduleSendInvite}},
		Fallback: Default{},
	}
	got, _ := g.Privileges(ctx, "/alice/", "/bob/", Inbox)
	if got != ScheduleDeliverReply {
		t.Errorf("explicit grant = %v (outbox privileges must be masked)", got)
	}
	got, _ = g.Privileges(ctx, "/carol/", "/bob/", Inbox)
	if got != ScheduleDeliver {
		t.Errorf("fallback = %v", got)
	}
	got, _ = Grants{}.Privileges(ctx, "/carol/", "/bob/", Outbox)
	if got != None {
		t.Errorf("no fallback = %v", got)
	}
}

func BenchmarkDefaultPolicy(b *testing.B) {
	ctx := context.Background()
	p := Default{Delegates: StaticDelegates{"/boss/": {"/a/", "/b/", "/assistant/"}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := p.Privileges(ctx, "/assistant/", "/boss/", Outbox); err != nil {
			b.Fatal(err)
		}
	}
}
