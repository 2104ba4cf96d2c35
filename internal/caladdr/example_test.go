package caladdr_test

import (
	"fmt"

	"github.com/go-autoschedule/autoschedule/internal/caladdr"
)

func Example() {
	fmt.Println(caladdr.Equal("MAILTO:Bob@Example.org", "mailto:bob@example.org"))
	fmt.Println(caladdr.Normalize("https://CAL.example.org/principals/bob/"))
	attendees := caladdr.NewSet("mailto:alice@example.org")
	fmt.Println(attendees.Has("mailto:ALICE@example.org"))
	// Output:
	// true
	// https://cal.example.org/principals/bob
	// true
}
