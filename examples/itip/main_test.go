package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// build compiles the command into a temporary directory of t.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "itip")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// execute runs bin with args and returns stdout, stderr and the exit
// status.
func execute(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

const applyFixtures = "../../testdata/itip/apply"

func fixture(name, file string) string { return filepath.Join(applyFixtures, name, file) }

// TestCommand builds the command and runs it on fixture files, checking
// output and exit status for successes, refusals and usage errors.
func TestCommand(t *testing.T) {
	bin := build(t)
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     []string // substrings of stdout
		stdoutRe   []string // regular expressions the unfolded stdout matches
		stderr     []string // substrings of stderr
		noStdout   bool
		jsonOutput bool
	}{
		{
			name: "plan organizer create",
			args: []string{"plan", "-new", "testdata/invite.ics", "-user", "mailto:alice@example.org", "-now", "2026-03-01T09:00:00Z"},
			stdout: []string{"role: organizer\n", "operation: create\n",
				"--- message 1: REQUEST from mailto:alice@example.org to mailto:bob@example.org, mailto:carol@example.org (full)\n",
				"METHOD:REQUEST\n", "--- store\n", "SCHEDULE-STATUS=1.0:mailto:bob@example.org"},
		},
		{
			name:       "plan json",
			args:       []string{"plan", "-new", "testdata/invite.ics", "-user", "mailto:alice@example.org", "-json"},
			jsonOutput: true,
			stdout:     []string{`"role": "organizer"`, `"method": "REQUEST"`, `"update": "full"`},
		},
		{
			name:     "plan precondition",
			args:     []string{"plan", "-new", "testdata/two-uids.ics", "-user", "mailto:alice@example.org"},
			code:     1,
			stderr:   []string{"itip: precondition valid-calendar-object-resource: components have different UIDs"},
			noStdout: true,
		},
		{
			name: "apply creates the attendee copy",
			args: []string{"apply", "-message", fixture("request-create-b2", "message.ics"), "-recipient", "mailto:wilfredo@example.com"},
			stdout: []string{"method: REQUEST\n", "outcome: created\n", "status-only: false\n", "--- store\n",
				"UID:9263504FD3AD\n"},
		},
		{
			name: "apply reply refreshes the others",
			args: []string{"apply", "-message", fixture("reply-b4", "message.ics"), "-existing", fixture("reply-b4", "existing.ics"),
				"-recipient", "mailto:cyrus@example.com", "-now", "2009-06-02T19:04:20Z"},
			stdout: []string{"outcome: updated\n", "status-only: true\n",
				"--- message 1: REQUEST from mailto:cyrus@example.com to mailto:bernard@example.net, mailto:mike@example.org (status-only)\n",
				"DTSTAMP:20090602T190420Z\n"},
			// The replier's ATTENDEE in the stored copy, whatever other
			// parameters (the reply's recorded revision) stand beside it.
			stdoutRe: []string{`ATTENDEE;[^\n]*SCHEDULE-STATUS=2\.0[^\n:]*:mailto:wilfredo@example\.com`},
		},
		{
			name:       "apply json ignored",
			args:       []string{"apply", "-message", fixture("cancel-no-copy", "message.ics"), "-recipient", "mailto:bernard@example.net", "-json"},
			jsonOutput: true,
			stdout:     []string{`"outcome": "ignored"`, `"store": null`},
		},
		{
			name: "apply refused: other organizer",
			args: []string{"apply", "-message", fixture("request-other-organizer", "message.ics"),
				"-existing", fixture("request-other-organizer", "existing.ics"), "-recipient", "mailto:wilfredo@example.com"},
			code:     1,
			stderr:   []string{"itip: precondition valid-organizer: "},
			noStdout: true,
		},
		{
			name:       "apply refused json",
			args:       []string{"apply", "-json", "-message", fixture("reply-from-non-attendee", "message.ics"), "-existing", fixture("reply-from-non-attendee", "existing.ics"), "-recipient", "mailto:cyrus@example.com"},
			code:       1,
			jsonOutput: true,
			stdout:     []string{`"precondition": "valid-scheduling-message"`},
			stderr:     []string{"precondition valid-scheduling-message"},
		},
		{
			name:     "apply undecodable",
			args:     []string{"apply", "-message", "testdata/broken.ics", "-recipient", "mailto:a@example.org"},
			code:     1,
			stderr:   []string{"itip: precondition valid-calendar-data: "},
			noStdout: true,
		},
		{name: "usage: no command", args: nil, code: 2, stderr: []string{"usage:"}, noStdout: true},
		{name: "usage: apply without recipient", args: []string{"apply", "-message", "testdata/invite.ics"}, code: 2, stderr: []string{"need -message and -recipient"}, noStdout: true},
		{name: "usage: missing file", args: []string{"apply", "-message", "testdata/nope.ics", "-recipient", "mailto:a@b.c"}, code: 2, noStdout: true},
		{name: "usage: bad -now", args: []string{"plan", "-new", "testdata/invite.ics", "-user", "mailto:a@b.c", "-now", "yesterday"}, code: 2, noStdout: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, bin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			unfolded := strings.ReplaceAll(stdout, "\n ", "")
			for _, re := range tc.stdoutRe {
				if !regexp.MustCompile(re).MatchString(unfolded) {
					t.Errorf("stdout (unfolded) does not match %q:\n%s", re, stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tc.noStdout && stdout != "" {
				t.Errorf("unexpected stdout: %s", stdout)
			}
			if tc.jsonOutput && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON: %s", stdout)
			}
		})
	}
}
