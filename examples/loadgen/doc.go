// Command loadgen measures the example CalDAV server (examples/server)
// under load: requests per second and latency percentiles of the three
// operations auto-scheduling makes expensive.
//
//	go run ./examples/loadgen -url http://127.0.0.1:8080/ -users users.json [-c 8] [-n 2000 | -duration 20s]
//
// The users file is the server's (a JSON array of {"username",
// "password", "addresses", …}); loadgen needs at least four users with
// plain-text passwords. It runs, one after the other:
//
//   - organizer-put: an organizer creates an event inviting three local
//     attendees (PUT with If-None-Match: *); the server delivers to the
//     three before it answers.
//   - attendee-accept: an attendee accepts one of those invitations (PUT
//     of their copy with PARTSTAT=ACCEPTED and If-Match); the server
//     delivers the reply to the organizer's copy.
//   - freebusy-post: an organizer asks for the busy time of three users
//     over a week (POST of a VFREEBUSY request to the outbox).
//
// Each scenario runs -n requests (or for -duration) on -c concurrent
// clients, and prints the count, errors, requests per second and the p50,
// p90, p99 and largest latency. The load stays bounded (at most 1,000,000
// requests or ten minutes per scenario) and loadgen only talks to loopback
// addresses: it is for measuring a server on the same machine.
package main
