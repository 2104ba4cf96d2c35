//go:build !unix

package freebusy

import "time"

// cpuTimeAvailable says whether processCPU measures anything.
const cpuTimeAvailable = false

func processCPU() time.Duration { return 0 }
