package recurrence

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/go-autoschedule/autoschedule/internal/ics"
	"github.com/go-autoschedule/autoschedule/internal/tz"
)

var update = flag.Bool("update", false, "rewrite the .want files of testdata/expand from the current output")

func decodeFile(t testing.TB, path string) *ical.Calendar {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Decode([]byte(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n", "\r\n")))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cal
}

// objectComponents returns the VEVENT/VTODO/VJOURNAL children of cal.
func objectComponents(cal *ical.Calendar) []*ical.Component {
	var out []*ical.Component
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal:
			out = append(out, c)
		}
	}
	return out
}

func formatInstance(in Instance) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s rid=%s", in.Start.Format(time.RFC3339), in.End.Format(time.RFC3339), in.RecurrenceID.Format(time.RFC3339))
	if in.AllDay {
		b.WriteString(" allday")
	}
	if in.Override {
		b.WriteString(" override")
	}
	if p := in.Component.Props.Get(ical.PropStatus); p != nil {
		b.WriteString(" " + p.Value)
	}
	return b.String()
}

// TestExpandFixtures expands every testdata/expand/*.ics over the window
// named in its .want file and compares the instances line by line.
func TestExpandFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "expand", "*.ics"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ics")
		t.Run(name, func(t *testing.T) {
			wantPath := strings.TrimSuffix(file, ".ics") + ".want"
			wf, err := os.Open(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			defer wf.Close()
			var header, want []string
			sc := bufio.NewScanner(wf)
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "window ") || strings.HasPrefix(line, "floating "):
					header = append(header, line)
				case line != "":
					want = append(want, line)
				}
			}
			var start, end time.Time
			floating := time.UTC
			for _, h := range header {
				f := strings.Fields(h)
				switch f[0] {
				case "window":
					start, _ = time.Parse("20060102T150405Z", f[1])
					end, _ = time.Parse("20060102T150405Z", f[2])
				case "floating":
					floating, err = tz.NewResolver(nil).Location(f[1])
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if start.IsZero() || end.IsZero() {
				t.Fatal("no window line")
			}
			cal := decodeFile(t, file)
			var got []string
			err = Expand(context.Background(), objectComponents(cal), tz.NewResolver(cal), floating, start, end, Limits{},
				func(in Instance) bool { got = append(got, formatInstance(in)); return true })
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				out := strings.Join(header, "\n") + "\n" + strings.Join(got, "\n") + "\n"
				if err := os.WriteFile(wantPath, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
