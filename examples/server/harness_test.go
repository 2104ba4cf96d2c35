package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// serverBinary is the server built once for the tests that run it as a
// process; set by TestMain.
var serverBinary string

// TestMain builds the server binary into a temporary directory, runs the
// tests and removes it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "autoschedule-server-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBinary = filepath.Join(dir, "server")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildOnce guards the build of serverBinary.
var buildOnce struct {
	sync.Once
	err error
	out []byte
}

// requireBinary builds the server (once) or fails the test.
func requireBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the server binary; skipped with -short")
	}
	buildOnce.Do(func() {
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			goTool = "go"
		}
		cmd := exec.Command(goTool, "build", "-o", serverBinary, ".")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("building the server: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return serverBinary
}

// testUser is a user of the test users file with its plain password.
type testUser struct {
	name, password, addr string
}

// The users of the tests. dave's password is stored as a bcrypt hash.
var (
	alice = testUser{"alice", "alice-secret", "mailto:alice@example.org"}
	bob   = testUser{"bob", "bob-secret", "mailto:bob@example.org"}
	carol = testUser{"carol", "carol-secret", "mailto:carol@example.org"}
	dave  = testUser{"dave", "dave-secret", "mailto:dave@example.org"}
)

// writeUsersFile writes the users file of the tests into dir.
func writeUsersFile(t *testing.T, dir string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(dave.password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var users []User
	for _, u := range []testUser{alice, bob, carol} {
		users = append(users, User{Username: u.name, Password: u.password, Name: strings.ToUpper(u.name[:1]) + u.name[1:], Addresses: []string{u.addr}})
	}
	users = append(users, User{Username: dave.name, Password: string(hash), Name: "Dave", Addresses: []string{dave.addr}, Type: "individual"})
	data, err := json.MarshalIndent(users, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "users.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serverProcess is a running server binary.
type serverProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string        // root URL, with a trailing slash
	stdout *lockedBuffer // what it printed, line by line
	stderr *lockedBuffer
	done   chan error // the result of Wait
	exited bool       // done has been received from
	client *http.Client
}

// lockedBuffer is a bytes.Buffer safe for the process's writer goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs the server binary on a free loopback port with args
// added, and waits until it prints its URL. The process is killed when the
// test ends, if it still runs.
func startServer(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	bin := requireBinary(t)
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serverProcess{t: t, cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(s.stdout, sc.Text())
			if rest, ok := strings.CutPrefix(sc.Text(), "CalDAV server listening on "); ok {
				urlc <- strings.TrimSpace(rest)
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if !s.exited {
			cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", tail(s.stderr.String(), 60))
		}
	})
	select {
	case s.url = <-urlc:
	case err := <-s.done:
		s.exited = true
		t.Fatalf("server exited before serving: %v\n%s", err, s.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start in time\n%s", s.stderr.String())
	}
	s.client = &http.Client{
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// printed waits until the server printed a line starting with prefix
// and returns the rest of it.
func (s *serverProcess) printed(prefix string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(s.stdout.String(), "\n") {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the server did not print %q; it printed:\n%s", prefix, s.stdout.String())
	return ""
}

// logged waits until the server's log has a line containing text.
func (s *serverProcess) logged(text string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.stderr.String(), text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the server did not log %q", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL, as a crash would, and waits for it.
func (s *serverProcess) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.done
	s.exited = true
}

// stop sends SIGTERM and waits for a clean exit.
func (s *serverProcess) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.exited = true
		if err != nil {
			s.t.Fatalf("server exit after SIGTERM: %v\n%s", err, tail(s.stderr.String(), 30))
		}
	case <-time.After(60 * time.Second):
		s.t.Fatal("server did not stop after SIGTERM")
	}
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request as u (the zero testUser sends no credentials) and
// reads the answer. headers are name, value pairs.
func (s *serverProcess) do(u testUser, method, path, body string, headers ...string) *response {
	s.t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(s.url, "/")+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if u.name != "" {
		req.SetBasicAuth(u.name, u.password)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		if strings.HasPrefix(body, "BEGIN:") {
			req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
		} else {
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		}
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(data)}
}

// must fails the test unless the status is one of want.
func (r *response) must(t *testing.T, what string, want ...int) *response {
	t.Helper()
	for _, w := range want {
		if r.status == w {
			return r
		}
	}
	t.Fatalf("%s: status %d, want %v; body:\n%s", what, r.status, want, r.body)
	return r
}

// member is one response of a multistatus: href and ETag.
type member struct {
	Href string `xml:"href"`
	ETag string `xml:"propstat>prop>getetag"`
}

// listMembers lists the members of a collection (PROPFIND Depth 1,
// without the collection itself), as u.
func (s *serverProcess) listMembers(u testUser, collection string) []member {
	s.t.Helper()
	res := s.do(u, "PROPFIND", collection, `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>`, "Depth", "1")
	res.must(s.t, "PROPFIND "+collection, http.StatusMultiStatus)
	var ms struct {
		Responses []member `xml:"response"`
	}
	if err := xml.Unmarshal([]byte(res.body), &ms); err != nil {
		s.t.Fatalf("PROPFIND %s: %v\n%s", collection, err, res.body)
	}
	var out []member
	for _, m := range ms.Responses {
		if strings.TrimSuffix(m.Href, "/") != strings.TrimSuffix(collection, "/") {
			out = append(out, m)
		}
	}
	return out
}

// getAll GETs every member of a collection and returns the unfolded
// bodies by href.
func (s *serverProcess) getAll(u testUser, collection string) map[string]string {
	s.t.Helper()
	out := map[string]string{}
	for _, m := range s.listMembers(u, collection) {
		if strings.HasSuffix(m.Href, "/") {
			continue
		}
		res := s.do(u, http.MethodGet, m.Href, "").must(s.t, "GET "+m.Href, http.StatusOK)
		out[m.Href] = unfold(res.body)
	}
	return out
}

// unfold undoes RFC 5545 line folding so that tests can search lines.
func unfold(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n ", ""), "\r\n", "\n")
}

// icsText joins lines with CRLF into iCalendar text.
func icsText(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n"
}

// attendeeLine returns the unfolded ATTENDEE line for addr in data, or "".
func attendeeLine(data, addr string) string {
	for _, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(strings.TrimSpace(l)), strings.ToLower(addr)) {
			return l
		}
	}
	return ""
}

// errNoMatch is returned by findOne when no body contains the text.
var errNoMatch = errors.New("no match")

// findOne returns the href and body of the one member whose body contains
// every one of the texts.
func findOne(bodies map[string]string, texts ...string) (string, string, error) {
	for href, body := range bodies {
		all := true
		for _, t := range texts {
			if !strings.Contains(body, t) {
				all = false
				break
			}
		}
		if all {
			return href, body, nil
		}
	}
	return "", "", errNoMatch
}
