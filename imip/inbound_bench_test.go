package imip

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/go-autoschedule/autoschedule/schedule"
)

// BenchmarkInbound measures the inbound path per mail: Receiver.Parse and
// Receiver.Process into the middleware on the memory store.
//   - reply: Thunderbird's REPLY to Alice's 4-attendee event, each with a
//     later DTSTAMP and the other PARTSTAT, so that every one updates her
//     copy and refreshes Bob (local) and Zoe (by mail);
//   - invitation: Google's REQUEST, each for a new UID, so that every one
//     creates Bob's copy and inbox item.
func BenchmarkInbound(b *testing.B) {
	r := &Receiver{Logger: quiet}
	run := func(b *testing.B, cs *calServer, mails [][]byte, want string) {
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			in, err := r.Parse(context.Background(), bytes.NewReader(mails[i]), Envelope{})
			if err != nil {
				b.Fatal(err)
			}
			st, err := r.Process(context.Background(), cs.h, in)
			if err != nil || st[want] != schedule.StatusDelivered {
				b.Fatalf("%v %v", st, err)
			}
		}
	}
	b.Run("reply", func(b *testing.B) {
		cs := newCalServer(b, nil)
		cs.put("alice", "/alice/calendars/default/ev.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))
		base := fixture(b, "thunderbird-reply.eml")
		mails := make([][]byte, b.N)
		for i := range mails {
			stamp := fmt.Sprintf("DTSTAMP:%sT%02d%02d%02dZ", []string{"20261102", "20261103", "20261104", "20261105"}[i/86400%4], i/3600%24, i/60%60, i%60)
			mails[i] = bytes.Replace(base, []byte("DTSTAMP:20261102T080000Z"), []byte(stamp), 1)
			if i%2 == 1 { // a change of mind each time, so that each reply changes the copy
				mails[i] = bytes.Replace(mails[i], []byte("PARTSTAT=TENTATIVE"), []byte("PARTSTAT=ACCEPTED"), 1)
			}
		}
		run(b, cs, mails, aliceAddr)
		b.StopTimer()
		if n := len(cs.mails()); n < b.N {
			b.Fatalf("%d mails for %d replies: the replies did not all refresh Zoe", n, b.N)
		}
	})
	b.Run("invitation", func(b *testing.B) {
		cs := newCalServer(b, nil)
		base := fixture(b, "google-request.eml")
		mails := make([][]byte, b.N)
		for i := range mails {
			mails[i] = bytes.Replace(base, []byte("UID:0a1b2c3d4e5f6g7h8i9j@google.example"), []byte(fmt.Sprintf("UID:bench-%d@google.example", i)), 1)
		}
		run(b, cs, mails, bobAddr)
	})
}
