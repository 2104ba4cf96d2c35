package itip

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// caseDirs lists the golden case directories under root: those holding a
// case.json, sorted.
func caseDirs(t testing.TB, root string) []string {
	dirs, err := filepath.Glob(filepath.Join(root, "*", "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	sort.Strings(dirs)
	return dirs
}

// readCaseJSON decodes dir's case.json into v.
func readCaseJSON(t testing.TB, dir string, v any) {
	data, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("case.json: %v", err)
	}
}

// caseClock parses a case's "now" (RFC 3339) and "floating" (IANA name,
// may be empty: nil location).
func caseClock(t testing.TB, now, floating string) (time.Time, *time.Location) {
	n, err := time.Parse(time.RFC3339, now)
	if err != nil {
		t.Fatalf("case.json now: %v", err)
	}
	if floating == "" {
		return n, nil
	}
	loc, err := time.LoadLocation(floating)
	if err != nil {
		t.Fatal(err)
	}
	return n, loc
}
