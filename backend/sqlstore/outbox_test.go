package sqlstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/itip"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/queue/queuetest"
)

// queueMessages returns n messages with distinct IDs, ten per UID, to ten
// recipients.
func queueMessages(prefix string, n int) []backend.OutboundMessage {
	data := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:-//test//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	out := make([]backend.OutboundMessage, n)
	for i := range out {
		out[i] = backend.OutboundMessage{ID: fmt.Sprintf("%s-%05d@test.example", prefix, i), Sender: "/alice/",
			UID: fmt.Sprintf("uid-%d", i/10), Recipient: fmt.Sprintf("mailto:r%d@remote.example", i%10),
			Method: "REQUEST", Data: data}
	}
	return out
}

// appendSender records each sent ID as a line of a file opened with
// O_APPEND, which several processes may share.
type appendSender struct {
	mu sync.Mutex
	f  *os.File
}

func (a *appendSender) Send(ctx context.Context, m *backend.OutboundMessage) error {
	time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond) // let claimers interleave
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.f.WriteString(m.ID + "\n")
	return err
}

// drainWorkers runs workers on store until the queue stays empty, and
// returns what they sent.
func drainWorkers(t testing.TB, store *Store, workers int, s queue.Sender) queue.Stats {
	t.Helper()
	var total queue.Stats
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		w, err := queue.New(queue.Config{Outbox: store, Store: store, Sender: s, Concurrency: 4, BatchSize: 16, Logger: quietLogger})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idle := 0; idle < 20; {
				n, err := w.Process(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					idle++
					time.Sleep(5 * time.Millisecond)
					continue
				}
				idle = 0
			}
			mu.Lock()
			st := w.Stats()
			total.Sent += st.Sent
			total.LostRace += st.LostRace
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// checkSentOnce reads the IDs a sender recorded in path and fails unless
// each of want was sent exactly once.
func checkSentOnce(t *testing.T, path string, want []backend.OutboundMessage) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		seen[sc.Text()]++
		lines++
	}
	if lines != len(want) {
		t.Errorf("%d sends for %d messages", lines, len(want))
	}
	for _, m := range want {
		if seen[m.ID] != 1 {
			t.Errorf("%s sent %d times", m.ID, seen[m.ID])
		}
	}
}

// childEnv tells the test binary, started again by
// TestOutboxSharedByProcesses, to act as one of the server processes.
const childEnv = "AUTOSCHEDULE_QUEUE_CHILD"

// TestOutboxChild is the body of the child processes of
// TestOutboxSharedByProcesses; run directly, it does nothing.
func TestOutboxChild(t *testing.T) {
	spec := os.Getenv(childEnv) // "dialect|dsn|output file"
	if spec == "" {
		return
	}
	parts := strings.SplitN(spec, "|", 3)
	var (
		store *Store
		err   error
	)
	if parts[0] == "postgres" {
		store, err = OpenPostgres(context.Background(), parts[1], &Options{MaxConns: 8, Logger: quietLogger})
	} else {
		store, err = OpenSQLite(context.Background(), parts[1], &Options{Logger: quietLogger})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	f, err := os.OpenFile(parts[2], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := drainWorkers(t, store, 2, &appendSender{f: f})
	t.Logf("child sent %d", st.Sent)
}

// TestOutboxSharedByProcesses: two server processes, each with two
// workers, drain one queue in one database; every message is sent once.
func TestOutboxSharedByProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			var dsn string
			var store *Store
			if d.name == "Postgres" {
				dsn = postgresSchemaDSN(t)
				s, err := OpenPostgres(context.Background(), dsn, &Options{Logger: quietLogger})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				store = s
			} else {
				dsn = filepath.Join(t.TempDir(), "shared.db")
				s, err := OpenSQLite(context.Background(), dsn, &Options{Logger: quietLogger})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				store = s
			}
			msgs := queueMessages("shared", 600)
			if err := store.Enqueue(context.Background(), msgs); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "sent.txt")
			dialect := "sqlite"
			if d.name == "Postgres" {
				dialect = "postgres"
			}
			var wg sync.WaitGroup
			for i := 0; i < 2; i++ {
				cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxChild$", "-test.v")
				cmd.Env = append(os.Environ(), childEnv+"="+dialect+"|"+dsn+"|"+out)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if b, err := cmd.CombinedOutput(); err != nil {
						t.Errorf("child process: %v\n%s", err, b)
					} else {
						t.Logf("child: %s", strings.TrimSpace(lastLine(string(b))))
					}
				}()
			}
			wg.Wait()
			checkSentOnce(t, out, msgs)
			if left, err := store.Claim(context.Background(), time.Now().Add(time.Hour), 10, time.Minute); err != nil || len(left) != 0 {
				t.Errorf("left in the queue: %d (%v)", len(left), err)
			}
		})
	}
}

func lastLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "child sent") {
			return l
		}
	}
	return ""
}

// TestOutboxRestartAfterWrite: the process dies right after
// PutObjectEnqueue committed (the store is closed without sending); a new
// process on the same database sends the invitation once and records
// SCHEDULE-STATUS 1.1 with the Schedule-Tag unchanged.
func TestOutboxRestartAfterWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "restart.db")
	s1, err := OpenSQLite(ctx, path, &Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	alice := backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")
	if err := backend.Provision(ctx, s1, alice); err != nil {
		t.Fatal(err)
	}
	cal, err := s1.DefaultCalendar(ctx, alice.Path)
	if err != nil {
		t.Fatal(err)
	}
	obj := cal + "evt.ics"
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:evt\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:20260310T100000Z\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE;SCHEDULE-STATUS=1.0:mailto:bob@remote.example\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	m := queueMessages("restart", 1)[0]
	m.UID, m.ObjectPath, m.Recipient = "evt", obj, "mailto:bob@remote.example"
	if _, err := s1.PutObjectEnqueue(ctx, obj, []byte(event), &backend.PutOptions{ScheduleTag: "st1"}, []backend.OutboundMessage{m}); err != nil {
		t.Fatal(err)
	}
	s1.Close() // killed after the write

	s2, err := OpenSQLite(ctx, path, &Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	out := filepath.Join(t.TempDir(), "sent.txt")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	drainWorkers(t, s2, 1, &appendSender{f: f})
	checkSentOnce(t, out, []backend.OutboundMessage{m})
	o, err := s2.Object(ctx, obj)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(o.Data), "SCHEDULE-STATUS="+itip.StatusSent) || o.ScheduleTag != "st1" {
		t.Errorf("after delivery: Schedule-Tag %q, data\n%s\nwant SCHEDULE-STATUS=1.1 and st1", o.ScheduleTag, o.Data)
	}
}

// BenchmarkQueueThroughput measures Claim → Send → Complete through a
// queue.Worker per database, with a no-op sender and with an in-process
// SMTP sink (queuetest) that checks for duplicates.
func BenchmarkQueueThroughput(b *testing.B) {
	noop := func(testing.TB) (queue.Sender, func()) {
		return queue.SenderFunc(func(context.Context, *backend.OutboundMessage) error { return nil }), func() {}
	}
	viaSMTP := func(tb testing.TB) (queue.Sender, func()) {
		sink := queuetest.NewSink(tb)
		snd := queuetest.NewSMTPSender(sink.Addr(), 8)
		return snd, func() {
			snd.Close()
			if ids, copies := sink.Unique(); copies > 1 {
				tb.Fatalf("sink got %d messages, up to %d copies of one", ids, copies)
			}
		}
	}
	for _, d := range dialects {
		for _, sc := range []struct {
			name   string
			sender func(testing.TB) (queue.Sender, func())
		}{{"noop", noop}, {"smtp", viaSMTP}} {
			b.Run(strings.ToLower(d.name)+"/"+sc.name, func(b *testing.B) {
				b.ReportAllocs()
				s := d.open(b)
				if err := s.Enqueue(context.Background(), queueMessages("bench", b.N)); err != nil {
					b.Fatal(err)
				}
				snd, check := sc.sender(b)
				w, err := queue.New(queue.Config{Outbox: s, Sender: snd, Concurrency: 8, BatchSize: 256, Logger: quietLogger})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				for sent := 0; sent < b.N; {
					n, err := w.Process(context.Background())
					if err != nil || n == 0 {
						b.Fatalf("Process: %d, %v after %d of %d", n, err, sent, b.N)
					}
					sent += n
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
				b.StopTimer()
				check()
				if st := w.Stats(); st.Sent != int64(b.N) {
					b.Fatalf("sent %d of %d", st.Sent, b.N)
				}
			})
		}
	}
}

// killEnv tells the test binary, started again by
// TestOutboxProcessKilled, to write, send one message and die.
const killEnv = "AUTOSCHEDULE_QUEUE_KILL"

// killedEvent is the object the killed process writes, with two remote
// attendees.
const killedEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:killed\r\n" +
	"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nORGANIZER:mailto:alice@example.com\r\n" +
	"ATTENDEE;SCHEDULE-STATUS=1.0:mailto:bob@remote.example\r\nATTENDEE;SCHEDULE-STATUS=1.0:mailto:carol@remote.example\r\n" +
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

// TestOutboxKillChild is the body of the process TestOutboxProcessKilled
// kills; run directly, it does nothing. It stores the event with its two
// invitations, sends bob's, and exits before recording that.
func TestOutboxKillChild(t *testing.T) {
	spec := os.Getenv(killEnv) // "database file|output file"
	if spec == "" {
		return
	}
	db, out, _ := strings.Cut(spec, "|")
	ctx := context.Background()
	s, err := OpenSQLite(ctx, db, &Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	alice := backend.NewPrincipal("alice", "Alice", "mailto:alice@example.com")
	if err := backend.Provision(ctx, s, alice); err != nil {
		t.Fatal(err)
	}
	cal, err := s.DefaultCalendar(ctx, alice.Path)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []backend.OutboundMessage
	for i, r := range []string{"mailto:bob@remote.example", "mailto:carol@remote.example"} {
		m := queueMessages("killed", 2)[i]
		m.UID, m.ObjectPath, m.Recipient = "killed", cal+"killed.ics", r
		msgs = append(msgs, m)
	}
	if _, err := s.PutObjectEnqueue(ctx, cal+"killed.ics", []byte(killedEvent), &backend.PutOptions{ScheduleTag: "st1"}, msgs); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx, time.Now(), 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("Claim: %v %v", claimed, err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&appendSender{f: f}).Send(ctx, &claimed[0]); err != nil {
		t.Fatal(err)
	}
	os.Exit(3) // killed between the send and Complete; nothing closed
}

// TestOutboxProcessKilled: a process writes an event with two invitations,
// sends one and dies before recording it. The restarted process, once the
// lease has expired, sends the unsent one once and the sent one again with
// the same ID (at least once: the receiver dedupes by ID), and records
// both as 1.1 without touching the Schedule-Tag.
func TestOutboxProcessKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	db, out := filepath.Join(dir, "killed.db"), filepath.Join(dir, "sent.txt")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxKillChild$")
	cmd.Env = append(os.Environ(), killEnv+"="+db+"|"+out)
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child did not die as planned: %v\n%s", err, b)
	}
	ctx := context.Background()
	s, err := OpenSQLite(ctx, db, &Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	later := func() time.Time { return time.Now().Add(2 * time.Minute) } // past the dead process's lease
	w, err := queue.New(queue.Config{Outbox: s, Store: s, Sender: &appendSender{f: f}, Now: later, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := w.Process(ctx); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sent := strings.Fields(string(data))
	if len(sent) != 3 || sent[0] != sent[1] && sent[0] != sent[2] {
		t.Errorf("sends %v: want bob's ID twice (before the kill and after) and carol's once", sent)
	}
	if st := w.Stats(); st.Sent != 2 {
		t.Errorf("restarted worker: %+v, want 2 sent", st)
	}
	o, err := s.ObjectByUID(ctx, "/alice/", "killed")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(o.Data), "SCHEDULE-STATUS=1.1") != 2 || o.ScheduleTag != "st1" {
		t.Errorf("after the restart: Schedule-Tag %q, data\n%s\nwant both attendees at 1.1 and st1", o.ScheduleTag, o.Data)
	}
	if left, err := s.Claim(ctx, time.Now().Add(time.Hour), 10, time.Minute); err != nil || len(left) != 0 {
		t.Errorf("left in the queue: %d (%v)", len(left), err)
	}
}
