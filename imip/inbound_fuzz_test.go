package imip

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// logWatch is a log destination the fuzz target searches for panics the
// middleware recovered from (they become status 5.1 and a log line).
type logWatch struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// take returns what was logged since the last call.
func (w *logWatch) take() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.buf.String()
	w.buf.Reset()
	return s
}

// FuzzReceiveAndProcess feeds arbitrary mail through the whole inbound
// path: Receiver.Parse, then Receiver.Process into the scheduling
// middleware on a memory store that holds the organizer copies the reply
// fixtures answer. It must never panic (nor recover from one), every
// refusal is typed, processing never fails as a whole, statuses are
// keyed by normalised address and known, and what is stored parses.
func FuzzReceiveAndProcess(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "imip", "inbound", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		if strings.HasSuffix(name, "apple-request.eml") {
			// Found by this target: a DTEND whose TZID has no VTIMEZONE
			// made the store refuse the copy, which was taken for a
			// temporary failure.
			f.Add(bytes.Replace(b, []byte("DTEND;TZID=3DEurope/Paris"), []byte("DTEND;TZID=3DEurope/Id"), 1))
		}
	}
	watch := &logWatch{}
	cs := newCalServer(f, slog.New(slog.NewTextHandler(watch, &slog.HandlerOptions{Level: slog.LevelError})))
	cs.put("alice", "/alice/calendars/default/tb.ics", answeredEvent(tbReplyUID, "mailto:dave@tb.example", "20261204T140000Z"))
	cs.put("alice", "/alice/calendars/default/ol.ics", answeredEvent(outlookReplyUID, "mailto:erin@corp.example", "20261207T080000Z"))
	r := &Receiver{Logger: quiet, MaxSize: 256 << 10}
	known := map[schedule.Status]bool{schedule.StatusDelivered: true, schedule.StatusInvalidUser: true,
		schedule.StatusNoPrivilege: true, schedule.StatusRejected: true}
	f.Fuzz(func(t *testing.T, mail []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		in, err := r.Parse(ctx, bytes.NewReader(mail), Envelope{})
		if err != nil {
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("untyped refusal %T: %v", err, err)
			}
			return
		}
		st, err := r.Process(ctx, cs.h, in)
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if logged := watch.take(); logged != "" {
			t.Fatalf("the middleware logged an error:\n%s", logged)
		}
		for addr, s := range st {
			if caladdr.Normalize(addr) != addr || !known[s] {
				t.Errorf("status %q for %q", s, addr)
			}
		}
		for _, m := range in.Messages {
			for _, rcpt := range m.Recipients {
				if st[caladdr.Normalize(rcpt)] != schedule.StatusDelivered {
					continue
				}
				p, err := cs.store.PrincipalByAddress(ctx, rcpt)
				if err != nil {
					t.Fatalf("delivered to %s, who is not hosted: %v", rcpt, err)
				}
				obj, err := cs.store.ObjectByUID(ctx, p.Path, m.Message.UID())
				if err != nil {
					continue // an ignored message (stale, for no copy) stores nothing
				}
				if _, err := ics.Decode(obj.Data); err != nil || !strings.HasPrefix(obj.Path, p.HomePath) {
					t.Fatalf("stored copy %s of %s: %v", obj.Path, rcpt, err)
				}
			}
		}
	})
}
