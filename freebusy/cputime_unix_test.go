//go:build unix

package freebusy

import (
	"syscall"
	"time"
)

// cpuTimeAvailable says whether processCPU measures anything.
const cpuTimeAvailable = true

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
