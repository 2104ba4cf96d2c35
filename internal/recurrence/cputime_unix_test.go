//go:build unix

package recurrence

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user+system) this process has used,
// a fairer measure than wall time on a machine shared with other jobs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
