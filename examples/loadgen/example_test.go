package main

import (
	"fmt"
	"os"
	"time"
)

// The table loadgen prints, for two measured scenarios.
func Example_printResults() {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, v := range n {
			d = append(d, time.Duration(v)*time.Millisecond)
		}
		return d
	}
	printResults(os.Stdout, []*result{
		{name: "organizer-put", latencies: ms(4, 2, 3, 5, 9), elapsed: 10 * time.Millisecond},
		{name: "freebusy-post", latencies: ms(7, 8), errors: 1, elapsed: 20 * time.Millisecond},
	})
	fmt.Println("done")
	// Output:
	// scenario         requests  errors      req/s       p50       p90       p99       max
	// organizer-put           5       0      500.0       4ms       9ms       9ms       9ms
	// freebusy-post           2       1      100.0       7ms       8ms       8ms       8ms
	// done
}
