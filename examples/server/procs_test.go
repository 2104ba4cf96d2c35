package main

import (
	"errors"
	"io"
	"runtime"
	"testing"
)

func TestProcsChoice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flagValue int
		flagGiven bool
		env       string
		want      int
		wantSet   bool
	}{
		{"default", 0, false, "", 2 * procsPerCPU, true},
		{"GOMAXPROCS kept", 0, false, "3", 0, false},
		{"flag wins over GOMAXPROCS", 5, true, "3", 5, true},
		{"flag", 1, true, "", 1, true},
	} {
		got, set := procs(tc.flagValue, tc.flagGiven, tc.env, 2)
		if got != tc.want || set != tc.wantSet {
			t.Errorf("%s: procs(%d, %v, %q, 2) = %d, %v; want %d, %v", tc.name, tc.flagValue, tc.flagGiven, tc.env, got, set, tc.want, tc.wantSet)
		}
	}
}

// TestApplyProcsDoesNotCompound checks that the default is taken from the
// runtime's own choice each time, not from what an earlier run set, and
// that restore puts the previous setting back.
func TestApplyProcsDoesNotCompound(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	runtime.SetDefaultGOMAXPROCS()
	base := runtime.GOMAXPROCS(0)
	restore1 := applyProcs(0, false, "")
	restore2 := applyProcs(0, false, "")
	if got := runtime.GOMAXPROCS(0); got != procsPerCPU*base {
		t.Errorf("after two default applications: GOMAXPROCS %d, want %d", got, procsPerCPU*base)
	}
	restore2()
	restore1()
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Errorf("after restoring: GOMAXPROCS %d, want %d", got, base)
	}
	restore := applyProcs(3, true, "")
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Errorf("-procs 3: GOMAXPROCS %d", got)
	}
	restore()
}

func TestProcsFlag(t *testing.T) {
	c, err := parseFlags([]string{"-demo"}, io.Discard)
	if err != nil || c.procsGiven {
		t.Fatalf("default: %+v %v", c, err)
	}
	c, err = parseFlags([]string{"-demo", "-procs", "6"}, io.Discard)
	if err != nil || c.procs != 6 || !c.procsGiven {
		t.Fatalf("-procs 6: %+v %v", c, err)
	}
	for _, bad := range []string{"0", "-2", "many"} {
		if _, err := parseFlags([]string{"-demo", "-procs", bad}, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("-procs %s: err %v, want usage error", bad, err)
		}
	}
}
